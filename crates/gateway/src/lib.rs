//! flexgate's HTTP side: the channel endpoints Flex and Flash clients point
//! at, Flex messaging on top of the broker, remoting services, and the
//! `flexgate` binary.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use flexgate_gateway::{config::Config, remoting::Service, Gateway};
//! let running = Gateway::new(Config::default())
//!     .service("Greeter", Service::new().method("hello", |call| async move {
//!         Ok(format!("hello {:?}", call.args.first()).into())
//!     }))
//!     .start()
//!     .await?;
//! println!("listening on {}", running.local_addr());
//! running.wait().await;
//! # Ok(()) }
//! ```
//!
//! Embedding needs only [`Gateway`], [`Running`] (its [`Publisher`] for
//! server-side publishes, its status [`Snapshot`](status::Snapshot)) and
//! [`InProcess`], the same gateway answering AMF packets without HTTP.
//! docs/architecture.md shows how the modules fit.

// A `Fault` (what every Flex failure becomes) is large, but it only travels
// on the failure path; boxing it everywhere would cost more to read than it saves.
#![allow(clippy::result_large_err)]
#![warn(missing_docs, unreachable_pub)]

mod admission;
mod api;
pub mod auth;
mod backends;
mod base64;
mod body;
mod broker_link;
pub mod cli;
pub mod config;
mod consumers;
pub mod demo;
#[cfg(test)]
mod doc_check;
mod endpoint;
mod flex;
mod hosting;
mod http;
pub mod import;
mod in_process;
pub mod json_values;
mod legacy;
mod limits;
pub mod logging;
mod login_throttle;
mod metrics;
mod os_random;
pub mod password;
mod publisher;
pub mod remoting;
mod request;
mod response;
mod server;
pub mod session;
mod state;
mod static_files;
pub mod status;
mod store;
mod streaming;
mod streams;

pub use broker_link::{LinkRow, LinkState};
pub use endpoint::EndpointError;
pub use flexgate_broker::{BrokerError, Published};
pub use in_process::InProcess;
pub use publisher::Publisher;
pub use server::{Gateway, Running};
