//! Reading state back: connection and subscription hashes decoded into
//! the broker's types, and the key sets that list them.

use std::collections::{BTreeMap, HashMap};

use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use super::codec;
use super::scripts::escape_glob;
use super::{redis_error, RedisStore};
use crate::connection::Connection;
use crate::error::StoreError;
use crate::store::api::MessageStore;
use crate::subscription::{Subscription, SubscriptionKey, Unsubscribe};

impl RedisStore {
    pub(super) fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// Deletes every key under the prefix (tests, decommissioning a
    /// deployment); returns how many. Not atomic: run it when no node
    /// uses the prefix.
    pub async fn delete_all(&self) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let pattern = format!("{}*", escape_glob(&self.prefix));
        let mut keys: Vec<String> = Vec::new();
        {
            let mut iter = conn
                .scan_match::<_, String>(&pattern)
                .await
                .map_err(|e| redis_error("SCAN", e))?;
            while let Some(k) = iter.next_item().await {
                keys.push(k.map_err(|e| redis_error("SCAN", e))?);
            }
        }
        let mut deleted = 0;
        for chunk in keys.chunks(500) {
            let n: usize = conn.del(chunk).await.map_err(|e| redis_error("DEL", e))?;
            deleted += n;
        }
        Ok(deleted)
    }

    pub(super) fn decode_connection(
        &self,
        fields: Vec<(String, String)>,
    ) -> Result<Option<Connection>, StoreError> {
        if fields.is_empty() {
            return Ok(None);
        }
        let mut c = Connection::new("", "", 0, 0);
        let num = |v: &str| -> Result<u64, StoreError> {
            v.parse()
                .map_err(|_| StoreError::new(format!("malformed connection field in Redis: {v:?}")))
        };
        for (k, v) in fields {
            match k.as_str() {
                "id" => c.id = v,
                "ch" => c.channel = v,
                "cr" => c.created_ms = num(&v)?,
                "la" => c.last_active_ms = num(&v)?,
                "lp" => c.last_polled_ms = num(&v)?,
                "to" => c.idle_timeout_ms = num(&v)?,
                "pt" => c.promoted_timeout_ms = Some(num(&v)?),
                "p" => c.principal = Some(v),
                other => {
                    if let Some(name) = other.strip_prefix("a:") {
                        c.attributes.insert(name.to_owned(), v);
                    }
                }
            }
        }
        Ok(Some(c))
    }

    /// Groups `(field, value)` filter pairs of one connection into
    /// subscriptions, ordered by key as the memory store orders them, each
    /// with its endpoint from the `n:<conn>` pairs `endpoints` (none there:
    /// subscribed without one, or stored before endpoints were).
    /// A filter that does not decode (corrupted, or stored by a node that
    /// accepted what this one refuses, such as an unbounded selector) is
    /// left out and returned in `unreadable`, never an error: one bad
    /// entry must not make the connection, or a listing of all of them,
    /// fail.
    fn decode_subscriptions(
        &self,
        connection_id: &str,
        pairs: &[(String, String)],
        endpoints: &[(String, String)],
    ) -> DecodedFilters {
        let over: HashMap<(&str, &str), &str> = endpoints
            .iter()
            .filter_map(|(field, endpoint)| {
                codec::read_subscription_field(field).map(|sub| (sub, endpoint.as_str()))
            })
            .collect();
        let mut subs: BTreeMap<SubscriptionKey, Subscription> = BTreeMap::new();
        let mut unreadable = Vec::new();
        for (field, value) in pairs {
            let Some(f) = codec::read_filter_field(field) else {
                tracing::warn!(
                    connection = connection_id,
                    field = %field.escape_debug(),
                    "ignoring a malformed subscription field in Redis"
                );
                continue;
            };
            let key = SubscriptionKey::new(connection_id, f.destination, f.client_id);
            let filter = match codec::parse_filter(&f, value) {
                Ok(filter) => filter,
                Err(error) => {
                    unreadable.push(Unreadable {
                        key,
                        subtopic: f.subtopic.map(str::to_owned),
                        selector: f.selector.map(str::to_owned),
                        error,
                    });
                    continue;
                }
            };
            subs.entry(key.clone())
                .or_insert_with(|| Subscription {
                    key,
                    endpoint: over
                        .get(&(f.destination, f.client_id))
                        .map(|e| (*e).to_owned()),
                    filters: Vec::new(),
                })
                .filters
                .push(filter);
        }
        for s in subs.values_mut() {
            // Hash order is arbitrary; filters were added in `since_seq` order.
            s.filters.sort_by_key(|f| f.since_seq);
        }
        DecodedFilters { subs, unreadable }
    }

    /// The subscriptions in `pairs`; filters that do not decode are
    /// removed from Redis with a warning (so that they warn once, and their
    /// cursor goes with their subscription's last filter).
    pub(super) async fn load_subscriptions(
        &self,
        connection_id: &str,
        pairs: &[(String, String)],
        endpoints: &[(String, String)],
    ) -> BTreeMap<SubscriptionKey, Subscription> {
        let DecodedFilters { subs, unreadable } =
            self.decode_subscriptions(connection_id, pairs, endpoints);
        for u in unreadable {
            tracing::warn!(
                connection = connection_id,
                destination = %u.key.destination,
                client_id = %u.key.client_id,
                error = %u.error,
                cause = u.error.source.as_ref().map(tracing::field::display),
                "dropping a stored subscription filter that does not parse"
            );
            let what = Unsubscribe::Filter {
                subtopic: u.subtopic.as_deref(),
                selector: u.selector.as_deref(),
            };
            if let Err(e) = self.unsubscribe(&u.key, what).await {
                // Left in Redis; the next load drops it again.
                tracing::warn!(error = %e, "could not remove the unreadable filter");
            }
        }
        subs
    }

    /// Every connection id, from the shared deadline index.
    pub(super) async fn connection_ids(&self) -> Result<Vec<String>, StoreError> {
        self.conn()
            .zrange(format!("{}conns", self.prefix), 0, -1)
            .await
            .map_err(|e| redis_error("ZRANGE", e))
    }

    /// `HGETALL` of `<prefix><kind>:<id>` for every id, in one round trip.
    pub(super) async fn hashes_of(
        &self,
        kind: &str,
        ids: &[String],
    ) -> Result<Vec<Vec<(String, String)>>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new()); // Redis refuses an empty pipeline.
        }
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.hgetall(format!("{}{kind}:{id}", self.prefix));
        }
        pipe.query_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("HGETALL pipeline", e))
    }

    /// Destinations that currently retain messages.
    pub(super) async fn destinations(&self) -> Result<Vec<String>, StoreError> {
        self.conn()
            .smembers(format!("{}dests", self.prefix))
            .await
            .map_err(|e| redis_error("SMEMBERS", e))
    }
}

/// Subscriptions decoded from Redis, and the filters that did not decode.
struct DecodedFilters {
    subs: BTreeMap<SubscriptionKey, Subscription>,
    unreadable: Vec<Unreadable>,
}

/// A stored filter that does not decode, by the strings that name it.
struct Unreadable {
    key: SubscriptionKey,
    subtopic: Option<String>,
    selector: Option<String>,
    error: StoreError,
}
