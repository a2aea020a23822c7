//! The shared store: every node of a cluster keeps its connections,
//! subscriptions, cursors and message logs in one Redis server.
//!
//! Each [`MessageStore`] method is one Lua script (see [`scripts`] for the
//! key layout), so it is atomic with respect to every other node, exactly
//! as the memory store's methods are atomic under its mutex. Messages are
//! stored as AMF3 envelopes with a Redis expiry, so Redis itself drops
//! them even when no node runs its cleaner; see docs/redis.md for the
//! design and for what a Redis restart loses.

mod codec;
mod read;
mod scripts;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use flexgate_amf::Registry;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::AsyncCommands;

use super::api::{
    Appended, Create, DrainBudget, DrainScope, Drained, MessageStore, Opened, Pending, Retention,
};
use crate::connection::{Connection, ConnectionUpdate};
use crate::error::StoreError;
use crate::message::Message;
use crate::selector::Selector;
use crate::subscription::{SubscribeOutcome, Subscription, SubscriptionKey, Unsubscribe};
use crate::subtopic::Subtopic;
use codec::Decoded;
use scripts::{lua_count, take_scope_args, Scripts, TakeReply};

/// Redis keeps a message this much longer than its TTL. The broker drops
/// expired messages by its own clock (at drain and purge); Redis's expiry
/// only reclaims memory when no node does, and the margin keeps it from
/// removing a message that a node whose clock lags a little still
/// considers live.
pub const EXPIRY_GRACE: Duration = Duration::from_secs(5);

/// Longest expiry handed to Redis (it refuses absurd ones); a message with
/// a longer TTL lives this long in Redis.
const MAX_REDIS_EXPIRY_MS: u64 = 365 * 24 * 3600 * 1000;

/// How long one command may take before it fails (a purge script walks a
/// whole destination, so this is generous).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long connecting may take, per attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Reconnection attempts per failed command before it reports the error;
/// the next command starts over, so a restarted Redis is picked up again.
const RECONNECT_RETRIES: usize = 3;

fn redis_error(what: &str, e: redis::RedisError) -> StoreError {
    StoreError::with_source(format!("redis: {what}"), e)
}

/// The `(field, value)` pairs of one hash (`HGETALL`).
type Fields = Vec<(String, String)>;

/// A [`MessageStore`] in Redis, shared by every node that uses the same
/// server and key prefix. Cheap to clone (one multiplexed connection that
/// reconnects by itself).
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: Arc<str>,
    registry: &'static Registry,
    scripts: Arc<Scripts>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`) and checks that the
    /// server answers. Every key starts with `prefix`. `registry` decodes
    /// the externalizable classes message payloads may contain.
    pub async fn connect(
        url: &str,
        prefix: &str,
        registry: &'static Registry,
    ) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url).map_err(|e| redis_error("invalid URL", e))?;
        // Errors name the server, never the URL: it may hold a password.
        let server = client.get_connection_info().addr().to_string();
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECT_TIMEOUT));
        let mut conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| redis_error(&format!("cannot connect to {server}"), e))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_error(&format!("{server} does not answer PING"), e))?;
        Ok(RedisStore {
            conn,
            prefix: prefix.into(),
            registry,
            scripts: Arc::new(Scripts::new()),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

impl MessageStore for RedisStore {
    async fn open_connection(
        &self,
        connection: Connection,
        create: Create,
    ) -> Result<Opened, StoreError> {
        let (outcome, fields): (u8, Vec<(String, String)>) = self
            .scripts
            .open
            .arg(&*self.prefix)
            .arg(&connection.id)
            .arg(&connection.channel)
            .arg(connection.created_ms)
            .arg(connection.last_active_ms)
            .arg(connection.idle_timeout_ms)
            .arg(u8::from(create == Create::IfAbsent))
            .arg(
                connection
                    .promoted_timeout_ms
                    .map_or_else(String::new, |ms| ms.to_string()),
            )
            .invoke_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("open connection", e))?;
        let stored = || {
            self.decode_connection(fields)?
                .ok_or_else(|| StoreError::new("redis: connection vanished while opening"))
        };
        match outcome {
            0 => Ok(Opened::Existing(stored()?)),
            1 => Ok(Opened::Created(stored()?)),
            2 => Ok(Opened::Absent),
            other => Err(StoreError::new(format!(
                "redis: unexpected open outcome {other}"
            ))),
        }
    }

    async fn connection_count(&self) -> Result<usize, StoreError> {
        self.conn()
            .zcard(format!("{}conns", self.prefix))
            .await
            .map_err(|e| redis_error("ZCARD", e))
    }

    async fn connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        let fields: Vec<(String, String)> = self
            .conn()
            .hgetall(format!("{}c:{id}", self.prefix))
            .await
            .map_err(|e| redis_error("HGETALL", e))?;
        self.decode_connection(fields)
    }

    async fn update_connection(
        &self,
        id: &str,
        update: ConnectionUpdate,
    ) -> Result<bool, StoreError> {
        let mut inv = self.scripts.update.arg(&*self.prefix);
        inv.arg(id);
        match &update {
            ConnectionUpdate::Touch { now_ms } => inv.arg("t").arg(*now_ms),
            ConnectionUpdate::Principal(Some(p)) => inv.arg("p").arg(p),
            ConnectionUpdate::Principal(None) => inv.arg("P"),
            ConnectionUpdate::Attribute {
                name,
                value: Some(v),
            } => inv.arg("a").arg(name).arg(v),
            ConnectionUpdate::Attribute { name, value: None } => inv.arg("A").arg(name),
            ConnectionUpdate::IdleTimeout { ms } => inv.arg("i").arg(*ms),
        };
        let found: u8 = inv
            .invoke_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("update connection", e))?;
        Ok(found == 1)
    }

    async fn remove_connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        let fields: Vec<(String, String)> = self
            .scripts
            .remove
            .arg(&*self.prefix)
            .arg(id)
            .invoke_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("remove connection", e))?;
        self.decode_connection(fields)
    }

    async fn idle_connections(&self, now_ms: u64) -> Result<Vec<String>, StoreError> {
        // Idle means `now - last_active > timeout`, i.e. deadline < now.
        self.conn()
            .zrangebyscore(
                format!("{}conns", self.prefix),
                "-inf",
                format!("({now_ms}"),
            )
            .await
            .map_err(|e| redis_error("ZRANGEBYSCORE", e))
    }

    async fn subscribe(
        &self,
        key: SubscriptionKey,
        endpoint: Option<String>,
        subtopic: Option<Subtopic>,
        selector: Option<Selector>,
    ) -> Result<SubscribeOutcome, StoreError> {
        let spec = codec::filter_spec(
            subtopic.as_ref().map(Subtopic::as_str),
            selector.as_ref().map(Selector::as_str),
        );
        let separator = subtopic.as_ref().map_or("", Subtopic::separator);
        let (outcome, since): (String, u64) = self
            .scripts
            .subscribe
            .arg(&*self.prefix)
            .arg(&key.connection_id)
            .arg(&key.destination)
            .arg(&key.client_id)
            .arg(spec)
            .arg(separator)
            .arg(endpoint.as_deref().unwrap_or_default())
            .invoke_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("subscribe", e))?;
        match outcome.as_str() {
            "n" => Ok(SubscribeOutcome::NotConnected),
            "a" => Ok(SubscribeOutcome::AlreadySubscribed),
            "f" => Ok(SubscribeOutcome::FilterAdded { since_seq: since }),
            "c" => Ok(SubscribeOutcome::Created { since_seq: since }),
            other => Err(StoreError::new(format!(
                "redis: unexpected subscribe outcome {other:?}"
            ))),
        }
    }

    async fn unsubscribe(
        &self,
        key: &SubscriptionKey,
        what: Unsubscribe<'_>,
    ) -> Result<bool, StoreError> {
        let (mode, spec) = match what {
            Unsubscribe::All => ("a", String::new()),
            Unsubscribe::Filter { subtopic, selector } => {
                ("f", codec::filter_spec(subtopic, selector))
            }
        };
        let removed: u8 = self
            .scripts
            .unsubscribe
            .arg(&*self.prefix)
            .arg(&key.connection_id)
            .arg(&key.destination)
            .arg(&key.client_id)
            .arg(mode)
            .arg(spec)
            .invoke_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("unsubscribe", e))?;
        Ok(removed == 1)
    }

    async fn subscriptions(
        &self,
        connection_id: &str,
    ) -> Result<Vec<Arc<Subscription>>, StoreError> {
        let (pairs, endpoints): (Fields, Fields) = redis::pipe()
            .atomic()
            .hgetall(format!("{}s:{connection_id}", self.prefix))
            .hgetall(format!("{}n:{connection_id}", self.prefix))
            .query_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("HGETALL", e))?;
        Ok(self
            .load_subscriptions(connection_id, &pairs, &endpoints)
            .await
            .into_values()
            .map(Arc::new)
            .collect())
    }

    async fn connections(&self) -> Result<Vec<Connection>, StoreError> {
        let ids = self.connection_ids().await?;
        let mut out = Vec::with_capacity(ids.len());
        for fields in self.hashes_of("c", &ids).await? {
            // A connection removed between the two reads has no hash left.
            out.extend(self.decode_connection(fields)?);
        }
        Ok(out)
    }

    async fn all_subscriptions(&self) -> Result<Vec<Arc<Subscription>>, StoreError> {
        let ids = self.connection_ids().await?;
        let mut out = Vec::new();
        let endpoints = self.hashes_of("n", &ids).await?;
        for ((id, pairs), endpoints) in ids
            .iter()
            .zip(self.hashes_of("s", &ids).await?)
            .zip(endpoints)
        {
            out.extend(
                self.load_subscriptions(id, &pairs, &endpoints)
                    .await
                    .into_values()
                    .map(Arc::new),
            );
        }
        Ok(out)
    }

    async fn append(
        &self,
        message: Arc<Message>,
        size_bytes: usize,
        retention: Retention,
    ) -> Result<Appended, StoreError> {
        let envelope = codec::encode_message(&message)?;
        let grace = u64::try_from(EXPIRY_GRACE.as_millis()).unwrap_or(u64::MAX);
        let redis_ttl = message
            .ttl_ms
            .saturating_add(grace)
            .min(MAX_REDIS_EXPIRY_MS);
        let (seq, dropped): (u64, u64) = self
            .scripts
            .append
            .arg(&*self.prefix)
            .arg(&message.destination)
            .arg(envelope)
            .arg(lua_count(retention.max_messages))
            .arg(redis_ttl)
            .arg(message.expires_at_ms())
            .arg(lua_count(size_bytes))
            .arg(lua_count(retention.max_bytes))
            .arg(lua_count(retention.max_total_bytes))
            .invoke_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("append", e))?;
        Ok(Appended { seq, dropped })
    }

    async fn take_pending(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        now_ms: u64,
        budget: DrainBudget,
    ) -> Result<Drained, StoreError> {
        let (mode, a, b) = take_scope_args(scope);
        let reply: Option<TakeReply> = self
            .scripts
            .take
            .arg(&*self.prefix)
            .arg(connection_id)
            .arg(now_ms)
            .arg(lua_count(budget.max_messages))
            .arg(lua_count(budget.max_bytes))
            .arg(mode)
            .arg(a)
            .arg(b)
            .invoke_async(&mut self.conn())
            .await
            .map_err(|e| redis_error("take pending", e))?;
        let Some((filters, taken, envelopes, endpoints)) = reply else {
            return Ok(Drained::NotConnected);
        };
        if filters.is_empty() {
            return Ok(Drained::NotSubscribed);
        }
        let subs = self
            .load_subscriptions(connection_id, &filters, &endpoints)
            .await;
        let mut decoded = Decoded::new();
        for (dest, seq, bytes) in envelopes {
            let m = codec::decode_message(Bytes::from(bytes), self.registry)?;
            decoded.insert((dest, seq), Arc::new(m));
        }
        let mut out = Vec::with_capacity(taken.len());
        for (dest, client, missed, seqs) in taken {
            let key = SubscriptionKey::new(connection_id, dest.as_str(), client);
            let Some(sub) = subs.get(&key) else { continue };
            let messages: Vec<(u64, Arc<Message>)> = seqs
                .into_iter()
                .filter_map(|q| decoded.get(&(dest.clone(), q)).map(|m| (q, m.clone())))
                .collect();
            if !messages.is_empty() || missed > 0 {
                out.push(Pending {
                    subscription: Arc::new(sub.clone()),
                    messages,
                    missed,
                });
            }
        }
        out.sort_by(|a, b| a.subscription.key.cmp(&b.subscription.key));
        Ok(Drained::Pending(out))
    }

    async fn purge(&self, now_ms: u64) -> Result<usize, StoreError> {
        let mut dropped = 0;
        // One script per destination: each is atomic, and Redis is not
        // blocked for the length of a whole purge.
        for dest in self.destinations().await? {
            let n: usize = self
                .scripts
                .purge
                .arg(&*self.prefix)
                .arg(&dest)
                .arg(now_ms)
                .invoke_async(&mut self.conn())
                .await
                .map_err(|e| redis_error("purge", e))?;
            dropped += n;
        }
        Ok(dropped)
    }
}
