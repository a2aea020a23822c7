//! Flex clients for the idle long-poll and fan-out measurements.

mod fanout;
mod idle;
mod subscriber;

pub(crate) use fanout::{fanout, Transport};
pub(crate) use idle::{idle_polls, IdleSpec};
