//! Decides which of the cross-crate tests in tests/ a missing prerequisite
//! ignores (see flexgate-testkit for why this is a build script).

use flexgate_testkit::{build::declare, Prereq};

fn main() {
    declare(&[
        (Prereq::Redis, "the cluster test (tests/cluster.rs)"),
        (
            Prereq::RedisServer,
            "the Redis restart test (tests/redis_restart.rs)",
        ),
        (
            Prereq::Py3amf,
            "the py3amf client test (tests/py3amf_interop.rs)",
        ),
        (
            Prereq::Chromium,
            "the browser tests (tests/status_page.rs, tests/cors_browser.rs)",
        ),
        (Prereq::Royale, "the Royale browser suite (tests/royale)"),
        (
            Prereq::Python,
            "the Python backend tests (tests/http_backends.rs)",
        ),
        (Prereq::Nats, "the NATS link test (tests/nats_bridge.rs)"),
        (
            Prereq::NatsServer,
            "the JetStream restart test (tests/nats_restart.rs)",
        ),
        (Prereq::Amqp, "the AMQP link test (tests/amqp_bridge.rs)"),
        (
            Prereq::RabbitmqServer,
            "the AMQP restart test (tests/amqp_restart.rs)",
        ),
        (
            Prereq::Node,
            "the Node backend tests (tests/http_backends.rs)",
        ),
    ]);
}
