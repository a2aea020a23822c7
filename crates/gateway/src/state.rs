//! State shared by every request: configuration, services, broker.

use crate::auth::{Authenticator, Logins, Principal};
use crate::config::{Config, DestinationKind};
use crate::remoting::Services;
use crate::store::OpenedStore;
use crate::streams::Streams;
use flexgate_amf::{DecodeLimits, Registry};
use flexgate_broker::{
    AnyStore, Broker, BrokerConfig, BrokerError, Cleaner, Connection, ConnectionUpdate,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The store behind the broker (memory or Redis, from the configuration).
pub(crate) type Store = AnyStore;

/// Connection attribute: the logged-in user's roles, newline-separated.
const ROLES_ATTRIBUTE: &str = "flexgate.roles";
/// Connection attribute: the client reads small messages (`"1"`).
const SMALL_ATTRIBUTE: &str = "flexgate.small";

/// Everything a request handler needs.
pub(crate) struct State {
    /// The configuration.
    pub(crate) config: Config,
    /// Remoting services.
    pub(crate) services: Services,
    /// The publish API's bearer token; `None`: the API is off.
    pub(crate) api_token: Option<String>,
    /// The HTTP backends of remoting destinations configured with `http`.
    pub(crate) backends: crate::backends::HttpBackends,
    /// Every login path goes through here: throttled, checked off the runtime.
    pub(crate) logins: Logins,
    /// New Flex clients per HTTP session and per peer address.
    pub(crate) admission: crate::admission::Admission,
    /// Which Flex client each consumer id of a destination belongs to.
    pub(crate) consumers: crate::consumers::ConsumerOwners,
    /// The messaging core.
    pub(crate) broker: Arc<Broker<Store>>,
    /// Externalizable readers (Flex messages and collections).
    pub(crate) registry: &'static Registry,
    /// AMF decoding bounds.
    pub(crate) decode_limits: DecodeLimits,
    /// Long polls waiting now, server-wide and per client.
    pub(crate) waiting: Arc<WaitingPolls>,
    /// Poll counts and message-rate history for the status pages.
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
    /// Open streams, and how to end one on `command=close`.
    pub(crate) streams: Arc<Streams>,
    /// Destinations bridged to an external broker (NATS).
    pub(crate) links: crate::broker_link::Links,
    shutdown: watch::Sender<bool>,
}

impl State {
    /// Builds the state and its broker over `store` (see
    /// [`store::open`](crate::store::open)). Must run inside a tokio
    /// runtime when the store has cross-node wake-ups (they start a
    /// listener task).
    pub(crate) fn new(
        config: Config,
        services: Services,
        authenticator: Arc<dyn Authenticator>,
        store: OpenedStore,
    ) -> Self {
        let mut broker_config = BrokerConfig::default()
            .with_idle_timeout(Duration::from_secs(config.client_timeout_secs))
            .with_max_connections(config.limits.max_clients)
            .with_max_selector_bytes(config.limits.max_selector_bytes)
            .with_new_client_timeout(Duration::from_secs(config.limits.new_client_timeout_secs))
            .with_max_total_retained_bytes(config.limits.max_total_retained_bytes);
        for (id, d) in &config.destinations {
            if d.kind == DestinationKind::Messaging {
                broker_config = broker_config.with_destination(id.clone(), d.messaging.clone());
            }
        }
        let decode_limits = DecodeLimits {
            max_depth: config.limits.max_depth,
            max_items: config.limits.max_items,
            alloc_per_byte: config.limits.alloc_per_byte,
            alloc_allowance: config.limits.alloc_allowance_bytes,
        };
        let mut broker = Broker::new(store.store, broker_config);
        if let Some(wake) = store.wake {
            wake.listen(broker.wake_hub().clone());
            broker = broker.with_cluster_notifier(Arc::new(wake));
        }
        let logins = Logins::new(authenticator, config.login.clone());
        let admission = crate::admission::Admission::new(&config.limits);
        let consumers = crate::consumers::ConsumerOwners::new(&config.limits);
        // Config::validate read it already; a file gone since leaves the API off.
        let api_token = config.api.secret().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the publish API is off");
            None
        });
        State {
            api_token,
            broker: Arc::new(broker),
            backends: crate::backends::HttpBackends::from_config(&config),
            links: crate::broker_link::Links::new(&config),
            config,
            services,
            logins,
            admission,
            consumers,
            registry: flexgate_messages::registry(),
            decode_limits,
            waiting: Arc::default(),
            metrics: Arc::default(),
            streams: Arc::default(),
            shutdown: watch::channel(false).0,
        }
    }

    /// Starts the background purge of expired messages and idle clients.
    pub(crate) fn start_cleaner(&self) -> Cleaner {
        Cleaner::spawn(&self.broker, Duration::from_secs(5))
    }

    /// Tells streams and waiting polls to finish now.
    pub(crate) fn begin_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    /// Resolves when a shutdown has begun.
    pub(crate) fn shutdown_signal(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }

    /// Records a login on a Flex client.
    pub(crate) async fn set_principal(
        &self,
        client: &str,
        principal: Option<&Principal>,
    ) -> Result<(), BrokerError> {
        let b = &self.broker;
        b.update_connection(
            client,
            ConnectionUpdate::Principal(principal.map(|p| p.name.clone())),
        )
        .await?;
        let roles = principal.map(|p| p.roles.join("\n"));
        b.update_connection(
            client,
            ConnectionUpdate::Attribute {
                name: ROLES_ATTRIBUTE.into(),
                value: roles,
            },
        )
        .await
    }

    /// Marks a Flex client as able to read small messages.
    pub(crate) async fn set_small_messages(&self, client: &str) -> Result<(), BrokerError> {
        self.broker
            .update_connection(
                client,
                ConnectionUpdate::Attribute {
                    name: SMALL_ATTRIBUTE.into(),
                    value: Some("1".into()),
                },
            )
            .await
    }
}

/// The principal stored on a connection.
pub(crate) fn principal_of(c: &Connection) -> Option<Principal> {
    let name = c.principal.clone()?;
    let roles = c
        .attributes
        .get(ROLES_ATTRIBUTE)
        .map(|r| {
            r.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Some(Principal { name, roles })
}

/// Whether a connection reads small messages.
pub(crate) fn uses_small_messages(c: &Connection) -> bool {
    c.attributes.get(SMALL_ATTRIBUTE).is_some_and(|v| v == "1")
}

/// A Flex client (DSId) and the channel its poll came over.
type ClientOnChannel = (String, String);

/// Counts of long polls waiting now.
#[derive(Default)]
pub(crate) struct WaitingPolls {
    total: AtomicUsize,
    per_client: Mutex<HashMap<ClientOnChannel, usize>>,
}

impl WaitingPolls {
    /// Takes a waiting slot for `client` over `channel` if both limits
    /// allow (the per-client one counts per channel, as BlazeDS keeps one
    /// wait per FlexClient and endpoint); the slot is released when the
    /// guard drops (also when the client goes away mid-wait).
    pub(crate) fn try_acquire(
        self: &Arc<Self>,
        client: &str,
        channel: &str,
        max_total: usize,
        max_per_client: usize,
    ) -> Result<WaitSlot, WaitRefused> {
        let key = (client.to_owned(), channel.to_owned());
        let mut per_client = self.per_client.lock().unwrap_or_else(|e| e.into_inner());
        let mine = per_client.get(&key).copied().unwrap_or(0);
        if mine >= max_per_client {
            return Err(WaitRefused::ClientBusy);
        }
        if self.total.load(Ordering::Acquire) >= max_total {
            return Err(WaitRefused::ServerBusy);
        }
        per_client.insert(key.clone(), mine + 1);
        self.total.fetch_add(1, Ordering::AcqRel);
        Ok(WaitSlot {
            polls: self.clone(),
            client: key,
        })
    }

    /// Polls waiting now, server-wide.
    pub(crate) fn total(&self) -> usize {
        self.total.load(Ordering::Acquire)
    }
}

/// Why a poll may not wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitRefused {
    /// This client already has its polls over this channel waiting.
    ClientBusy,
    /// The server has its maximum of polls waiting.
    ServerBusy,
}

/// A held long-poll slot.
pub(crate) struct WaitSlot {
    polls: Arc<WaitingPolls>,
    client: ClientOnChannel,
}

impl Drop for WaitSlot {
    fn drop(&mut self) {
        let mut per_client = self
            .polls
            .per_client
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                per_client.remove(&self.client);
            }
        }
        self.polls.total.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::OpenedStore;
    use flexgate_broker::MemoryStore;

    #[tokio::test]
    async fn retention_and_new_client_settings_reach_the_broker() {
        let config = Config::parse(
            "[limits]\nmax_total_retained_bytes = 1000\nnew_client_timeout_secs = 7\n\
             [destinations.news]\nmax_retained_bytes = 500\nmax_ttl_ms = 900\n",
        )
        .expect("parses");
        let store = OpenedStore {
            store: MemoryStore::new().into(),
            wake: None,
        };
        let users = Arc::new(crate::auth::ConfigUsers::new(Default::default()));
        let state = State::new(config, Services::default(), users, store);
        let broker = state.broker.config();
        assert_eq!(broker.max_total_retained_bytes, 1000);
        assert_eq!(broker.new_client_timeout, Duration::from_secs(7));
        let news = &broker.destinations["news"];
        assert_eq!((news.max_retained_bytes, news.max_ttl_ms), (500, 900));
    }
}
