//! The HTTP server: binds, accepts, routes, and shuts down gracefully.

use crate::auth::{Authenticator, ConfigUsers};
use crate::config::Config;
use crate::http;
use crate::in_process::InProcess;
use crate::limits::{ConnectionLimiter, BUSY_RESPONSE};
use crate::publisher::Publisher;
use crate::remoting::{echo_service, Service, Services};
use crate::state::State;
use crate::status::Snapshot;
use crate::store::OpenedStore;
use flexgate_broker::{AnyStore, Broker};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Builds a gateway: configuration, remoting services, authenticator.
pub struct Gateway {
    config: Config,
    services: Services,
    authenticator: Option<Arc<dyn Authenticator>>,
}

impl Gateway {
    /// A gateway for `config`, with the demo `EchoService` registered.
    pub fn new(config: Config) -> Self {
        let mut services = Services::default();
        services.insert("EchoService", echo_service());
        Gateway {
            config,
            services,
            authenticator: None,
        }
    }

    /// Registers a remoting service under `name`.
    pub fn service(mut self, name: &str, service: Service) -> Self {
        self.services.insert(name, service);
        self
    }

    /// Replaces the config-file user list with another authenticator.
    pub fn authenticator(mut self, a: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(a));
        self
    }

    /// Opens the configured store, binds the listen address and starts
    /// serving. Fails when the address cannot be bound or a Redis store
    /// does not answer.
    pub async fn start(self) -> std::io::Result<Running> {
        let listen = self.config.listen;
        let store = self.open_store().await?;
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let state = self.into_state(store);
        let (stop, stopped) = watch::channel(false);
        let links = state.links.start(&state.broker);
        let task = tokio::spawn(serve(listener, state.clone(), stopped));
        tracing::info!(%addr, "flexgate listening");
        Ok(Running {
            addr,
            stop,
            task,
            state,
            links,
        })
    }
}

impl Gateway {
    /// Opens the configured store, without listening: the gateway then
    /// answers AMF packets handed to [`InProcess::handle`]. Fails when a
    /// Redis store does not answer.
    pub async fn in_process(self) -> std::io::Result<InProcess> {
        let store = self.open_store().await?;
        Ok(InProcess::new(self.into_state(store)))
    }

    async fn open_store(&self) -> std::io::Result<OpenedStore> {
        crate::store::open(&self.config.store, flexgate_messages::registry())
            .await
            .map_err(std::io::Error::other)
    }

    fn into_state(self, store: OpenedStore) -> Arc<State> {
        let authenticator = self
            .authenticator
            .unwrap_or_else(|| Arc::new(ConfigUsers::new(self.config.users.clone())));
        Arc::new(State::new(self.config, self.services, authenticator, store))
    }
}

/// A started gateway.
pub struct Running {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    state: Arc<State>,
    /// Broker links' tasks: they stop when this is dropped.
    links: crate::broker_link::LinkTasks,
}

impl Running {
    /// The address it listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle for server-side publishing.
    pub fn publisher(&self) -> Publisher {
        Publisher::new(self.state.broker.clone())
    }

    /// What the status pages show now.
    pub async fn snapshot(&self) -> Snapshot {
        Snapshot::take(&self.state).await
    }

    /// Long polls parked now, server-wide.
    pub fn waiting_polls(&self) -> usize {
        self.state.waiting.total()
    }

    /// The broker, for tests that inspect store state directly. Not a
    /// stable API.
    #[doc(hidden)]
    pub fn broker(&self) -> &Arc<Broker<AnyStore>> {
        &self.state.broker
    }

    /// Stops accepting, lets in-flight requests finish (up to a grace
    /// period), and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        drop(self.links);
        let _ = self.task.await;
    }

    /// Serves until the task ends (it ends only through [`Running::shutdown`]).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// In-flight requests get this long to finish after a shutdown begins.
const GRACE: Duration = Duration::from_secs(10);

async fn serve(listener: TcpListener, state: Arc<State>, mut stopped: watch::Receiver<bool>) {
    let graceful = GracefulShutdown::new();
    let cleaner = state.start_cleaner();
    let _sampler = crate::metrics::Sampler::spawn(state.broker.clone(), state.metrics.clone());
    let connections = ConnectionLimiter::new(state.config.limits.max_connections);
    let header_timeout = Duration::from_secs(state.config.limits.header_read_timeout_secs.max(1));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, don't spin.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(permit) = connections.try_acquire() else {
                    tracing::warn!(%peer, "connection limit reached; refused");
                    tokio::spawn(refuse(stream));
                    continue;
                };
                let state = state.clone();
                // Boxed: hyper keeps room for one request future per
                // connection for the connection's whole life; unboxed,
                // every idle keep-alive connection held a request
                // future's size (several KB) for nothing.
                let peer_text: Arc<str> = Arc::from(peer.to_string());
                let svc = service_fn(move |req| {
                    Box::pin(http::handle(state.clone(), peer, peer_text.clone(), req))
                });
                let conn = http1::Builder::new()
                    .keep_alive(true)
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .serve_connection(TokioIo::new(stream), svc);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, %peer, "connection ended with an error");
                    }
                    drop(permit);
                });
            }
            _ = stopped.changed() => break,
        }
    }
    drop(listener);
    // Streams and waiting polls end now, so that their connections can close.
    state.begin_shutdown();
    cleaner.stop().await;
    if tokio::time::timeout(GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the grace period");
    }
}

/// Answers a connection over the limit with a 503 and closes it, without
/// reading its request (an early response is allowed by RFC 9112 §9.6 when
/// the connection is then closed).
async fn refuse(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    // A peer that does not read must not hold this task.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        let _ = stream.write_all(BUSY_RESPONSE).await;
        let _ = stream.shutdown().await;
    })
    .await;
}
