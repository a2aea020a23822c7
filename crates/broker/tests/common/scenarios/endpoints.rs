//! Delivery per endpoint: a subscription made over one endpoint (channel
//! id) is drained by polls over that endpoint only, as BlazeDS keeps one
//! outbound queue per FlexClient and endpoint.

use std::sync::Arc;
use std::time::Duration;

use flexgate_broker::{
    BrokerError, DrainBudget, DrainScope, IfUnsubscribed, MessageStore, SubscribeOutcome,
};
use tokio::time::Instant;

use crate::common::{bodies, broker, msg};

fn over(endpoint: &str) -> DrainScope {
    DrainScope::Endpoint(endpoint.to_owned())
}

/// `(consumer, body)` of each delivery.
fn routed(ds: &[flexgate_broker::Delivery]) -> Vec<(String, String)> {
    ds.iter()
        .map(|d| {
            let body = bodies(std::slice::from_ref(d)).concat();
            (d.client_id.clone(), body)
        })
        .collect()
}

pub(crate) async fn polls_drain_only_their_endpoint<S: MessageStore>(store: S) {
    let b = broker(store);
    let budget = DrainBudget::default();
    b.connect(Some("c"), "amf").await.unwrap();
    b.subscribe_over("amf", "c", "poller", "chat", None, None)
        .await
        .unwrap();
    b.subscribe_over("longpoll", "c", "long", "chat", None, None)
        .await
        .unwrap();
    b.subscribe_over("longpoll", "c", "long", "news", None, None)
        .await
        .unwrap();
    // Subscribed without an endpoint: every endpoint's polls deliver it.
    b.subscribe("c", "anywhere", "news", None, None)
        .await
        .unwrap();
    let mut endpoints: Vec<String> = b
        .subscriptions("c")
        .await
        .unwrap()
        .iter()
        .map(|s| {
            let over = s.endpoint.as_deref().unwrap_or("-");
            format!("{}/{} {over}", s.key.client_id, s.key.destination)
        })
        .collect();
    endpoints.sort();
    assert_eq!(
        endpoints,
        [
            "anywhere/news -",
            "long/chat longpoll",
            "long/news longpoll",
            "poller/chat amf"
        ]
    );

    b.publish_message(msg("chat", "c1")).await.unwrap();
    b.publish_message(msg("news", "n1")).await.unwrap();
    assert_eq!(
        routed(&b.poll_in("c", &over("longpoll"), budget).await.unwrap()),
        [
            ("long".to_owned(), "c1".to_owned()),
            ("anywhere".to_owned(), "n1".to_owned()),
            ("long".to_owned(), "n1".to_owned()),
        ]
    );
    // The polling consumer's message waited for its own endpoint.
    assert_eq!(
        routed(&b.poll_in("c", &over("amf"), budget).await.unwrap()),
        [("poller".to_owned(), "c1".to_owned())]
    );
    assert!(b
        .poll_in("c", &over("longpoll"), budget)
        .await
        .unwrap()
        .is_empty());
    // Consumer.receive() reaches a consumer whatever endpoint it is over.
    b.publish_message(msg("chat", "c2")).await.unwrap();
    assert_eq!(
        bodies(&b.receive("c", "chat", "poller", budget).await.unwrap()),
        ["c2"]
    );
    // Only the endpoint-free subscription is over an endpoint nobody used.
    b.unsubscribe_all("c", "anywhere", "news").await.unwrap();
    assert!(matches!(
        b.poll_in("c", &over("streaming"), budget).await,
        Err(BrokerError::NotSubscribed(_))
    ));
    // A FlexClient-wide drain still takes everything.
    assert_eq!(
        routed(&b.poll("c", budget).await.unwrap()),
        [("long".to_owned(), "c2".to_owned())]
    );
}

/// A resubscribe over another endpoint (a ChannelSet failing over) moves
/// the whole subscription there, with what is pending for it.
pub(crate) async fn resubscribing_over_another_endpoint_moves_the_subscription<S: MessageStore>(
    store: S,
) {
    let b = broker(store);
    let budget = DrainBudget::default();
    b.connect(Some("c"), "a").await.unwrap();
    b.subscribe_over("a", "c", "x", "chat", Some("one"), None)
        .await
        .unwrap();
    b.subscribe_over("a", "c", "x", "chat", Some("two"), None)
        .await
        .unwrap();
    b.publish_message(msg("chat", "pending").with_subtopic("one"))
        .await
        .unwrap();
    let again = b
        .subscribe_over("b", "c", "x", "chat", Some("one"), None)
        .await
        .unwrap();
    assert_eq!(again, SubscribeOutcome::AlreadySubscribed);
    assert!(matches!(
        b.poll_in("c", &over("a"), budget).await,
        Err(BrokerError::NotSubscribed(_))
    ));
    assert_eq!(
        bodies(&b.poll_in("c", &over("b"), budget).await.unwrap()),
        ["pending"]
    );
    // Both filters moved.
    b.publish_message(msg("chat", "later").with_subtopic("two"))
        .await
        .unwrap();
    assert_eq!(
        bodies(&b.poll_in("c", &over("b"), budget).await.unwrap()),
        ["later"]
    );
    // A subscribe without an endpoint leaves it where it is.
    b.subscribe("c", "x", "chat", Some("three"), None)
        .await
        .unwrap();
    let subs = b.subscriptions("c").await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].endpoint.as_deref(), Some("b"));
    assert_eq!(subs[0].filters.len(), 3);
}

/// A wait over one endpoint is neither answered by another endpoint's
/// messages (same destination, other subtopic; other destination) nor
/// loses them; it ends when the last subscription over its endpoint goes.
pub(crate) async fn waits_ignore_other_endpoints<S: MessageStore>(store: S) {
    let b = Arc::new(broker(store));
    let budget = DrainBudget::default();
    b.connect(Some("c"), "amf").await.unwrap();
    b.subscribe_over("amf", "c", "poller", "chat", Some("p"), None)
        .await
        .unwrap();
    b.subscribe_over("amf", "c", "poller", "news", None, None)
        .await
        .unwrap();
    b.subscribe_over("longpoll", "c", "long", "chat", Some("l"), None)
        .await
        .unwrap();
    let wait = |unsubscribed| {
        let b = b.clone();
        tokio::spawn(async move {
            b.wait_in(
                "c",
                &over("longpoll"),
                Instant::now() + Duration::from_secs(30),
                budget,
                unsubscribed,
            )
            .await
        })
    };
    let start = Instant::now();
    let waiter = wait(IfUnsubscribed::Fail);
    tokio::task::yield_now().await;
    b.publish_message(msg("chat", "for-poller").with_subtopic("p"))
        .await
        .unwrap();
    b.publish_message(msg("news", "news-for-poller"))
        .await
        .unwrap();
    let ds = waiter.await.unwrap().unwrap();
    assert!(ds.is_empty(), "{:?}", bodies(&ds));
    assert!(Instant::now() >= start + Duration::from_secs(30));
    assert_eq!(
        bodies(&b.poll_in("c", &over("amf"), budget).await.unwrap()),
        ["for-poller", "news-for-poller"]
    );

    // Its own message answers it at once.
    let start = Instant::now();
    let waiter = wait(IfUnsubscribed::Fail);
    tokio::task::yield_now().await;
    b.publish_message(msg("chat", "for-long").with_subtopic("l"))
        .await
        .unwrap();
    assert_eq!(bodies(&waiter.await.unwrap().unwrap()), ["for-long"]);
    assert!(Instant::now() < start + Duration::from_secs(30));

    // The last subscription over its endpoint goes: answered, although
    // the connection still holds others.
    let waiter = wait(IfUnsubscribed::Fail);
    tokio::task::yield_now().await;
    b.unsubscribe_all("c", "long", "chat").await.unwrap();
    assert!(matches!(
        waiter.await.unwrap(),
        Err(BrokerError::NotSubscribed(_))
    ));
    assert_eq!(b.subscriptions("c").await.unwrap().len(), 2);
}
