//! What flexgate's tests need beyond crates, found one way for build
//! scripts and tests alike.
//!
//! A test that needs a prerequisite is compiled with
//! `#[cfg_attr(not(flexgate_redis), ignore = "needs ...")]`; the package's
//! build script calls [`build::declare`], which sets the cfg when the
//! prerequisite is there (or when `CI=true`, where a missing one must fail
//! the run rather than be ignored). At run time the test asks this crate
//! for the prerequisite ([`redis::url`], [`Prereq::require`]) and panics
//! if it has gone. So cargo reports such a test as passed only when it ran,
//! as ignored with the reason when it could not, and never as passed after
//! printing "skipped".
//!
//! Beside prerequisites: [`modules`], the structure checks every crate's
//! sources pass (no import cycle, no file over 450 lines), and
//! [`redis::KeyCleanup`], which deletes a test's Redis keys, and
//! [`nats_server::NatsServer`], a private JetStream server to kill.

pub mod build;
pub mod modules;
pub mod nats_server;
pub mod ports;
mod prereq;
pub mod redis;
mod watched;

pub use prereq::{
    amqp, chromium, nats, nats_server, node, py3amf_python, py3amf_venv, python, rabbitmq_server,
    redis_server, require, royale, royale_dir, Missing, Prereq, RoyaleTools, AMQP_ADDR, NATS_ADDR,
    PY3AMF_VERSION, ROYALE_PACKAGES,
};
