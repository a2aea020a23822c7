//! Behavioural scenarios, generic over the store, by topic; `store_suite!`
//! names each as `scenarios::<name>`.

mod connections;
mod delivery;
mod drain;
mod endpoints;
mod retention;
mod routing;
mod subscriptions;
mod waiting;

// Only store_suite.rs runs the scenarios; the other test crates that
// include common/ leave these names unused (as `dead_code` in common/).
#[allow(unused_imports)]
pub(crate) use {
    connections::*, delivery::*, drain::*, endpoints::*, retention::*, routing::*,
    subscriptions::*, waiting::*,
};
