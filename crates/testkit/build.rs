//! The crate's own tests need redis-server: the same decision as every
//! other package's, from the same source files (a crate cannot be its own
//! build-dependency).

// Only part of the lookups is used here, and the library's `pub` items
// are crate-private in this copy.
#![allow(dead_code, unreachable_pub)]

#[path = "src/build.rs"]
mod build;
#[path = "src/prereq.rs"]
mod prereq;

fn main() {
    build::declare(&[(
        prereq::Prereq::RedisServer,
        "the private redis-server tests (tests/redis_server.rs)",
    )]);
}
