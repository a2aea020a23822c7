//! The broker/store conformance suite, instantiated for every store.

mod common;

use common::{concurrency, scenarios};

/// Instantiates every scenario for one store: `$make` is an expression
/// building a fresh store.
macro_rules! store_suite {
    ($name:ident, $make:expr) => {
        store_suite!(@expand $name, $make;
            publish_and_poll,
            no_messages_from_before_subscribe,
            unknown_destination,
            subtopic_routing,
            subtopic_errors,
            selector_routing,
            bad_selector_fails_subscribe,
            ttl_expiry,
            ttl_override_and_default,
            retention_limit,
            targeted_messages,
            publisher_echo_rule,
            unsubscribe,
            multiple_consumers_on_one_connection,
            multi_filter_consumer_gets_each_message_once,
            connection_expiry,
            connection_attributes_and_principal,
            wait_returns_empty_at_deadline,
            wait_woken_by_publish,
            wait_woken_by_subscribe,
            wait_fails_on_disconnect,
            cleaner_purges_and_stops,
            server_side_publish,
            deliveries_across_destinations,
            listing_connections_and_subscriptions,
            counters_count_publishes_and_deliveries,
        );
    };
    (@expand $name:ident, $make:expr; $($t:ident,)*) => {
        mod $name {
            use super::*;

            $(
                #[tokio::test(start_paused = true)]
                async fn $t() {
                    scenarios::$t($make).await;
                }
            )*

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_publishers_and_long_pollers() {
                concurrency::hammer($make).await;
            }
        }
    };
}

store_suite!(memory, flexgate_broker::MemoryStore::new());
