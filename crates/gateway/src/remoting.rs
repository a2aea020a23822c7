//! Rust services callable from RemoteObject and NetConnection.
//!
//! ```
//! use flexgate_gateway::remoting::{Arity, Service};
//! let echo = Service::new()
//!     .method_with_arity("echo", Arity::Exact(1), |call| async move {
//!         Ok(call.args.into_iter().next().unwrap_or_default())
//!     })
//!     .method("echoAll", |call| async move {
//!         Ok(flexgate_amf::Value::array(call.args))
//!     });
//! ```

use flexgate_amf::Value;
use flexgate_messages::{Fault, FaultCode};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// One invocation of a service method.
#[derive(Debug, Clone)]
pub struct Call {
    /// The decoded arguments.
    pub args: Vec<Value>,
    /// The logged-in user, if any.
    pub principal: Option<String>,
    /// The Flex client (DSId) making the call, if known.
    pub client_id: Option<String>,
}

/// What a method returns: its result or a fault for the client.
pub type CallResult = Result<Value, Fault>;

type BoxFuture = Pin<Box<dyn Future<Output = CallResult> + Send>>;
type Handler = Arc<dyn Fn(Call) -> BoxFuture + Send + Sync>;

/// How many arguments a method takes. A call with another count is
/// refused before the method runs, as BlazeDS's MethodMatcher refuses a
/// Java method whose parameter count differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Any number (the method reads `call.args` itself).
    Any,
    /// Exactly this many.
    Exact(usize),
}

#[derive(Clone)]
struct Method {
    handler: Handler,
    arity: Arity,
}

/// A named set of async methods.
#[derive(Clone, Default)]
pub struct Service {
    methods: HashMap<String, Method>,
}

impl Service {
    /// A service with no methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a method taking any number of arguments.
    pub fn method<F, Fut>(self, name: &str, f: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CallResult> + Send + 'static,
    {
        self.method_with_arity(name, Arity::Any, f)
    }

    /// Adds (or replaces) a method that takes `arity` arguments; other
    /// counts fault `Server.ResourceUnavailable` without running it.
    pub fn method_with_arity<F, Fut>(mut self, name: &str, arity: Arity, f: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CallResult> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |call| Box::pin(f(call)));
        self.methods
            .insert(name.to_owned(), Method { handler, arity });
        self
    }

    /// Runs `method` in its own task, so that a panic in it becomes a
    /// fault instead of taking the connection down.
    pub async fn invoke(&self, method: &str, call: Call) -> CallResult {
        let found = self
            .methods
            .get(method)
            .ok_or_else(|| Fault::unknown_method(method))?;
        if let Arity::Exact(expected) = found.arity {
            if call.args.len() != expected {
                return Err(Fault::argument_count(method, call.args.len(), expected));
            }
        }
        let handler = found.handler.clone();
        match tokio::spawn(handler(call)).await {
            Ok(result) => result,
            Err(e) if e.is_panic() => {
                tracing::error!(method, "remoting method panicked");
                Err(Fault::new(
                    FaultCode::ServerProcessing,
                    format!(
                        "There was an unhandled failure on the server. Method '{method}' failed."
                    ),
                ))
            }
            Err(_) => Err(Fault::new(
                FaultCode::ServerProcessing,
                "The call was cancelled.",
            )),
        }
    }

    /// The method names, sorted.
    pub fn methods(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.methods.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("methods", &self.methods())
            .finish()
    }
}

/// Services by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Services {
    by_name: HashMap<String, Service>,
}

impl Services {
    /// Registers (or replaces) a service.
    pub(crate) fn insert(&mut self, name: &str, service: Service) {
        self.by_name.insert(name.to_owned(), service);
    }

    /// The service called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Service> {
        self.by_name.get(name)
    }
}

/// The demo `EchoService`: `echo(x)` returns `x` (exactly one argument,
/// as BlazeDS's `echo(Object)`), `echoAll(a, b, ...)` returns the argument
/// array, `fail()` faults, `panic()` panics.
pub fn echo_service() -> Service {
    Service::new()
        .method_with_arity("echo", Arity::Exact(1), |call| async move {
            Ok(call.args.into_iter().next().unwrap_or_default())
        })
        .method("echoAll", |call| async move { Ok(Value::array(call.args)) })
        .method("whoAmI", |call| async move {
            Ok(call.principal.map(Value::from).unwrap_or(Value::Null))
        })
        .method("fail", |_| async move {
            Err(Fault::new(
                FaultCode::ServerProcessing,
                "EchoService.fail was called",
            ))
        })
        .method("panic", |_| async move {
            panic!("EchoService.panic was called")
        })
}
