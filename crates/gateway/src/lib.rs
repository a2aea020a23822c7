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

// A `Fault` (what every Flex failure becomes) is large, but it only travels
// on the failure path; boxing it everywhere would cost more to read than it saves.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod backend;
mod base64;
pub mod config;
mod endpoint;
mod flex;
pub mod http;
mod legacy;
mod limits;
pub mod remoting;
mod server;
pub mod session;
pub mod state;
pub mod status;
mod streaming;

pub use endpoint::EndpointError;
pub use server::{Gateway, Running};
