//! The broker/store conformance suite, instantiated for every store.

mod common;

use common::{concurrency, scenarios};

/// Instantiates every scenario for one store. `$make` builds a fresh store
/// for the paused-clock scenarios and `$live` one for the running-clock
/// concurrency test (paired with a guard that lives as long as the test);
/// `$live` may `.await`. Attributes before the name go on every test.
macro_rules! store_suite {
    ($(#[$attr:meta])* $name:ident, $make:expr, $live:expr) => {
        store_suite!(@expand [$(#[$attr])*] $name, $make, $live;
            publish_and_poll,
            no_messages_from_before_subscribe,
            unknown_destination,
            subtopic_routing,
            subtopic_errors,
            selector_routing,
            bad_selector_fails_subscribe,
            selector_bounds_are_enforced_at_subscribe,
            long_string_headers_are_not_inspected,
            ttl_expiry,
            ttl_override_and_default,
            retention_limit,
            targeted_messages,
            publisher_echo_rule,
            unsubscribe,
            multiple_consumers_on_one_connection,
            multi_filter_consumer_gets_each_message_once,
            multi_subtopic_publish_reaches_each_consumer_once,
            receive_drains_one_consumer_only,
            polls_drain_only_their_endpoint,
            resubscribing_over_another_endpoint_moves_the_subscription,
            waits_ignore_other_endpoints,
            connection_expiry,
            connections_are_limited,
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
            retained_bytes_per_destination,
            retained_bytes_across_destinations,
            server_side_maximum_ttl,
            drain_budget_is_shared_and_loses_nothing,
            drain_budget_in_bytes,
            drain_budget_counts_entries_before_filtering,
            no_subscriptions_is_not_an_empty_poll,
            connect_existing_never_creates,
            lost_store_state_is_not_an_empty_success,
            one_shot_clients_expire_quickly,
        );
    };
    (@expand $attrs:tt $name:ident, $make:expr, $live:expr; $($t:ident,)*) => {
        mod $name {
            use super::*;

            $(store_suite!(@scenario $attrs $t, $make);)*
            store_suite!(@concurrency $attrs $live);
        }
    };
    // One test per arm: the attributes are a single token tree above, so
    // they can be repeated once per scenario here.
    (@scenario [$(#[$attr:meta])*] $t:ident, $make:expr) => {
        #[tokio::test(start_paused = true)]
        $(#[$attr])*
        async fn $t() {
            let store = $make;
            scenarios::$t(store).await;
        }
    };
    (@concurrency [$(#[$attr:meta])*] $live:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $(#[$attr])*
        async fn concurrent_publishers_and_long_pollers() {
            let (store, _cleanup) = $live;
            concurrency::hammer(store).await;
        }
    };
}

store_suite!(
    memory,
    flexgate_broker::MemoryStore::new(),
    (flexgate_broker::MemoryStore::new(), ())
);

// The same scenarios against a real Redis (see `common::redis` for which
// one, and for why the paused-clock ones go through an adapter).
#[cfg(feature = "redis")]
store_suite!(
    #[cfg_attr(
        not(flexgate_redis),
        ignore = "needs Redis: redis-server on the PATH or FLEXGATE_TEST_REDIS (scripts/test installs it)"
    )]
    redis,
    common::redis::PausedClockRedis::new(),
    common::redis::live_store().await
);
