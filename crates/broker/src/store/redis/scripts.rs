//! The Lua scripts that make each store method one atomic step in Redis.
//!
//! Key layout under the prefix `P` (every user-supplied part sits at the
//! end of its key or is netstring-framed, so families never collide):
//!
//! | key                 | type   | content                                         |
//! |---------------------|--------|-------------------------------------------------|
//! | `P c:<conn>`        | hash   | connection: `id ch cr la lp to p a:<name>`      |
//! | `P conns`           | zset   | connection id → expiry deadline (`la + to`)     |
//! | `P s:<conn>`        | hash   | `ns(dest) ns(client) spec` → `since:separator`  |
//! | `P n:<conn>`        | hash   | `ns(dest) ns(client)` → endpoint subscribed over |
//! | `P k:<dest>`        | hash   | `ns(conn) ns(client)` → cursor (last seq taken) |
//! | `P q:<dest>`        | string | last sequence number of the destination         |
//! | `P e:<dest>`        | string | highest sequence number evicted by retention    |
//! | `P l:<dest>`        | zset   | retained sequence numbers (score = member = seq)|
//! | `P x:<dest>`        | zset   | seq → expiry time, for purging                  |
//! | `P m:<seq>:<dest>`  | string | the AMF3 envelope, with a Redis expiry          |
//! | `P z:<dest>`        | hash   | seq → the message's size estimate, bytes        |
//! | `P b:<dest>`        | string | bytes retained by the destination               |
//! | `P bytes`           | string | bytes retained over all destinations            |
//! | `P o`               | string | global append counter                           |
//! | `P g`               | zset   | `<seq>:<dest>` → global append order            |
//! | `P dests`           | set    | destinations that have retained messages        |
//!
//! The scripts compute key names from arguments, so they need one Redis
//! server (or a primary with replicas), not Redis Cluster. Every script
//! receives the prefix as `ARGV[1]`.

use redis::Script;

use super::super::api::DrainScope;

/// Helpers shared by every script.
const PRELUDE: &str = r#"
local P = ARGV[1]
local function ns(s) return #s .. ':' .. s end
local function ns_read(s, pos)
  local colon = string.find(s, ':', pos, true)
  local len = tonumber(string.sub(s, pos, colon - 1))
  return string.sub(s, colon + 1, colon + len), colon + len + 1
end
local function int(n) return string.format('%d', n) end
-- Records activity at `now` (never moving it back), promotes a new
-- connection to its full idle timeout (`pt`), and refreshes the
-- connection's expiry deadline.
local function touch(id, now)
  local c = P .. 'c:' .. id
  local pt = redis.call('HGET', c, 'pt')
  if pt then
    redis.call('HSET', c, 'to', pt)
    redis.call('HDEL', c, 'pt')
  end
  local la = tonumber(redis.call('HGET', c, 'la')) or 0
  if now > la then
    la = now
    redis.call('HSET', c, 'la', int(la))
  end
  local to = tonumber(redis.call('HGET', c, 'to')) or 0
  redis.call('ZADD', P .. 'conns', int(la + to), id)
end
-- Removes retained entry `q` (a string) of `dest` with its envelope,
-- indexes and byte counts. Returns 1 when it was retained.
local function drop(dest, q)
  redis.call('DEL', P .. 'm:' .. q .. ':' .. dest)
  redis.call('ZREM', P .. 'x:' .. dest, q)
  redis.call('ZREM', P .. 'g', q .. ':' .. dest)
  local z = P .. 'z:' .. dest
  local size = tonumber(redis.call('HGET', z, q)) or 0
  if size > 0 then
    redis.call('HDEL', z, q)
    redis.call('DECRBY', P .. 'b:' .. dest, size)
    redis.call('DECRBY', P .. 'bytes', size)
  end
  return redis.call('ZREM', P .. 'l:' .. dest, q)
end
"#;

/// ARGV: P, id, channel, created, last_active, idle_timeout, create (1/0),
/// promoted timeout (empty: none). Returns `{0 existing / 1 created /
/// 2 absent, HGETALL}`.
const OPEN: &str = r#"
local id = ARGV[2]
local c = P .. 'c:' .. id
if redis.call('EXISTS', c) == 1 then
  touch(id, tonumber(ARGV[5]))
  return {0, redis.call('HGETALL', c)}
end
if ARGV[7] ~= '1' then return {2, {}} end
redis.call('HSET', c, 'id', id, 'ch', ARGV[3], 'cr', ARGV[4], 'la', ARGV[5], 'lp', '0', 'to', ARGV[6])
if ARGV[8] ~= '' then redis.call('HSET', c, 'pt', ARGV[8]) end
redis.call('ZADD', P .. 'conns', int(tonumber(ARGV[5]) + tonumber(ARGV[6])), id)
return {1, redis.call('HGETALL', c)}
"#;

/// ARGV: P, id, op, a, b. Ops: `t` touch at a; `p` principal a; `P` no
/// principal; `a` attribute a = b; `A` remove attribute a; `i` idle
/// timeout a. Returns 0 when the connection does not exist.
const UPDATE: &str = r#"
local id = ARGV[2]
local c = P .. 'c:' .. id
if redis.call('EXISTS', c) == 0 then return 0 end
local op = ARGV[3]
if op == 't' then touch(id, tonumber(ARGV[4]))
elseif op == 'p' then redis.call('HSET', c, 'p', ARGV[4])
elseif op == 'P' then redis.call('HDEL', c, 'p')
elseif op == 'a' then redis.call('HSET', c, 'a:' .. ARGV[4], ARGV[5])
elseif op == 'A' then redis.call('HDEL', c, 'a:' .. ARGV[4])
elseif op == 'i' then
  redis.call('HDEL', c, 'pt')
  redis.call('HSET', c, 'to', ARGV[4])
  touch(id, 0)
else return redis.error_reply('unknown connection update ' .. op)
end
return 1
"#;

/// ARGV: P, id. Removes the connection, its filters and cursors. Returns
/// the connection's HGETALL (empty when it did not exist).
const REMOVE: &str = r#"
local id = ARGV[2]
local c = P .. 'c:' .. id
local s = P .. 's:' .. id
local conn = redis.call('HGETALL', c)
for _, f in ipairs(redis.call('HKEYS', s)) do
  local dest, pos = ns_read(f, 1)
  local client = ns_read(f, pos)
  redis.call('HDEL', P .. 'k:' .. dest, ns(id) .. ns(client))
end
redis.call('DEL', c, s, P .. 'n:' .. id)
redis.call('ZREM', P .. 'conns', id)
return conn
"#;

/// ARGV: P, conn, dest, client, spec, separator, endpoint (empty: none).
/// Returns `{outcome, since}`: `n` not connected, `a` already subscribed,
/// `f` filter added, `c` subscription created. An endpoint moves the
/// whole subscription to it, whatever the outcome; none leaves an
/// existing one where it is (a new one then has no `n:` field: any
/// endpoint).
const SUBSCRIBE: &str = r#"
local id, dest, client, spec = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', P .. 'c:' .. id) == 0 then return {'n', '0'} end
local since = redis.call('GET', P .. 'q:' .. dest) or '0'
local s = P .. 's:' .. id
local sub = ns(dest) .. ns(client)
if ARGV[7] ~= '' then redis.call('HSET', P .. 'n:' .. id, sub, ARGV[7]) end
local field = sub .. spec
if redis.call('HEXISTS', s, field) == 1 then return {'a', '0'} end
redis.call('HSET', s, field, since .. ':' .. ARGV[6])
local k = P .. 'k:' .. dest
local member = ns(id) .. ns(client)
if redis.call('HEXISTS', k, member) == 1 then return {'f', since} end
redis.call('HSET', k, member, since)
return {'c', since}
"#;

/// ARGV: P, conn, dest, client, mode, spec. Mode `f` removes the filter
/// `spec` (the subscription goes with its last filter); `a` removes the
/// whole subscription. Returns 1 when something was removed.
const UNSUBSCRIBE: &str = r#"
local id, dest, client, mode = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local s = P .. 's:' .. id
local prefix = ns(dest) .. ns(client)
local removed = 0
if mode == 'f' then removed = redis.call('HDEL', s, prefix .. ARGV[6]) end
local left = 0
for _, f in ipairs(redis.call('HKEYS', s)) do
  if string.sub(f, 1, #prefix) == prefix then
    if mode == 'a' then redis.call('HDEL', s, f) else left = left + 1 end
  end
end
if left == 0 then
  redis.call('HDEL', P .. 'n:' .. id, prefix)
  local gone = redis.call('HDEL', P .. 'k:' .. dest, ns(id) .. ns(client))
  if mode == 'a' then removed = gone end
end
return removed
"#;

/// ARGV: P, dest, envelope, max_messages, redis_ttl_ms, expires_at, size,
/// max_bytes, max_total_bytes. Returns `{seq, dropped}`. Nothing is
/// retained when nobody is subscribed: new subscriptions start after the
/// current end. The oldest entries go first: of the destination for its
/// own bounds, of any destination (by global order) for the total.
const APPEND: &str = r#"
local dest = ARGV[2]
local seq = redis.call('INCR', P .. 'q:' .. dest)
local max, size = tonumber(ARGV[4]), tonumber(ARGV[7])
local maxb, maxt = tonumber(ARGV[8]), tonumber(ARGV[9])
local dropped = 0
if max > 0 and redis.call('HLEN', P .. 'k:' .. dest) > 0 then
  local q = int(seq)
  local l, b = P .. 'l:' .. dest, P .. 'b:' .. dest
  redis.call('SET', P .. 'm:' .. q .. ':' .. dest, ARGV[3], 'PX', ARGV[5])
  redis.call('ZADD', l, q, q)
  redis.call('ZADD', P .. 'x:' .. dest, ARGV[6], q)
  redis.call('ZADD', P .. 'g', redis.call('INCR', P .. 'o'), q .. ':' .. dest)
  redis.call('HSET', P .. 'z:' .. dest, q, int(size))
  redis.call('INCRBY', b, size)
  redis.call('INCRBY', P .. 'bytes', size)
  redis.call('SADD', P .. 'dests', dest)
  while redis.call('ZCARD', l) > max or (tonumber(redis.call('GET', b)) or 0) > maxb do
    local old = redis.call('ZRANGE', l, 0, 0)[1]
    if not old then break end
    drop(dest, old)
    redis.call('SET', P .. 'e:' .. dest, old)
    dropped = dropped + 1
  end
  while (tonumber(redis.call('GET', P .. 'bytes')) or 0) > maxt do
    local member = redis.call('ZRANGE', P .. 'g', 0, 0)[1]
    if not member then break end
    local colon = string.find(member, ':', 1, true)
    local oq, od = string.sub(member, 1, colon - 1), string.sub(member, colon + 1)
    drop(od, oq)
    redis.call('SET', P .. 'e:' .. od, oq)
    dropped = dropped + 1
  end
end
return {seq, dropped}
"#;

/// ARGV: P, conn, now, max_messages, max_bytes, scope, a, b. Scope `0`:
/// every subscription; `1`: consumer b of destination a only; `2`: those
/// made over endpoint a, or recorded without an endpoint. Returns nil
/// when the connection does not exist, else `{filters in scope (HGETALL
/// pairs), {{dest, client, missed, {seq...}}...}, {{dest, seq,
/// envelope}...}, endpoints (HGETALL n:<conn>)}` (no filters: no
/// subscriptions in scope). Entries after each cursor are handed out in global
/// append order until the budget is spent (the first always fits); each
/// cursor moves past what was handed out only, or to the log's end when
/// its subscription got everything. Each envelope is sent once however
/// many consumers take it; entries whose envelope Redis already expired
/// are passed over without counting.
const TAKE: &str = r#"
local id, now = ARGV[2], tonumber(ARGV[3])
local maxn, maxb = tonumber(ARGV[4]), tonumber(ARGV[5])
local c = P .. 'c:' .. id
if redis.call('EXISTS', c) == 0 then return false end
redis.call('HSET', c, 'lp', ARGV[3])
touch(id, now)
local mode, sa, sb = ARGV[6], ARGV[7], ARGV[8]
local all = redis.call('HGETALL', P .. 's:' .. id)
local endpoints = redis.call('HGETALL', P .. 'n:' .. id)
local over = {}
for i = 1, #endpoints, 2 do over[endpoints[i]] = endpoints[i + 1] end
local filters, seen, subs, cands = {}, {}, {}, {}
for i = 1, #all, 2 do
  local dest, pos = ns_read(all[i], 1)
  local client = ns_read(all[i], pos)
  local sub = ns(dest) .. ns(client)
  local ep = over[sub]
  local wanted = mode == '0' or (mode == '1' and dest == sa and client == sb)
    or (mode == '2' and (ep == nil or ep == sa))
  if wanted then
    table.insert(filters, all[i])
    table.insert(filters, all[i + 1])
  end
  if wanted and not seen[sub] then
    seen[sub] = true
    local k = P .. 'k:' .. dest
    local member = ns(id) .. ns(client)
    local cursor = tonumber(redis.call('HGET', k, member))
    local last = tonumber(redis.call('GET', P .. 'q:' .. dest) or '0')
    if cursor and last > cursor then
      local seqs = redis.call('ZRANGEBYSCORE', P .. 'l:' .. dest, '(' .. int(cursor), '+inf', 'LIMIT', 0, maxn + 1)
      local missed = (tonumber(redis.call('GET', P .. 'e:' .. dest) or '0')) - cursor
      if missed < 0 then missed = 0 end
      local listed = math.min(#seqs, maxn)
      table.insert(subs, {dest = dest, client = client, k = k, member = member,
        last = last, listed = listed, complete = #seqs <= maxn, missed = missed,
        passed = 0, upto = nil, have = {}})
      local z = P .. 'z:' .. dest
      for j = 1, listed do
        local q = seqs[j]
        local order = tonumber(redis.call('ZSCORE', P .. 'g', q .. ':' .. dest)) or 0
        table.insert(cands, {order, #subs, q, tonumber(redis.call('HGET', z, q)) or 0})
      end
    end
  end
end
-- Ties (one message, several consumers) in subscription key order.
table.sort(cands, function(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] end
  local sa, sb = subs[a[2]], subs[b[2]]
  if sa.dest ~= sb.dest then return sa.dest < sb.dest end
  return sa.client < sb.client
end)
local n, bytes, fetched, msgs = 0, 0, {}, {}
for _, cand in ipairs(cands) do
  local size = cand[4]
  if n >= maxn or (n > 0 and bytes + size > maxb) then break end
  local s, q = subs[cand[2]], cand[3]
  local mk = P .. 'm:' .. q .. ':' .. s.dest
  if fetched[mk] == nil then
    local body = redis.call('GET', mk)
    fetched[mk] = body and true or false
    if body then table.insert(msgs, {s.dest, q, body}) end
  end
  if fetched[mk] then
    table.insert(s.have, q)
    n = n + 1
    bytes = bytes + size
  end
  s.passed = s.passed + 1
  s.upto = q
end
local out = {}
for _, s in ipairs(subs) do
  local cursor = s.upto
  if s.passed == s.listed and s.complete then cursor = int(s.last) end
  if cursor then
    redis.call('HSET', s.k, s.member, cursor)
    table.insert(out, {s.dest, s.client, s.missed, s.have})
  end
end
return {filters, out, msgs, endpoints}
"#;

/// ARGV: P, dest, now. Drops the destination's entries that expired
/// before `now` or that every subscription has taken. Returns how many.
const PURGE: &str = r#"
local dest = ARGV[2]
local l, x = P .. 'l:' .. dest, P .. 'x:' .. dest
local dropped = 0
for _, q in ipairs(redis.call('ZRANGEBYSCORE', x, '-inf', '(' .. ARGV[3])) do
  dropped = dropped + drop(dest, q)
end
local min = nil
for _, v in ipairs(redis.call('HVALS', P .. 'k:' .. dest)) do
  local n = tonumber(v)
  if min == nil or n < min then min = n end
end
local consumed
if min == nil then
  consumed = redis.call('ZRANGE', l, 0, -1)
else
  consumed = redis.call('ZRANGEBYSCORE', l, '-inf', int(min))
end
for _, q in ipairs(consumed) do dropped = dropped + drop(dest, q) end
if redis.call('EXISTS', l) == 0 then redis.call('SREM', P .. 'dests', dest) end
return dropped
"#;

/// The loaded scripts. `Script` sends `EVALSHA` and falls back to `EVAL`
/// when the server lost its script cache (after a restart).
pub(crate) struct Scripts {
    pub open: Script,
    pub update: Script,
    pub remove: Script,
    pub subscribe: Script,
    pub unsubscribe: Script,
    pub append: Script,
    pub take: Script,
    pub purge: Script,
}

impl Scripts {
    pub(super) fn new() -> Self {
        let s = |body: &str| Script::new(&format!("{PRELUDE}{body}"));
        Scripts {
            open: s(OPEN),
            update: s(UPDATE),
            remove: s(REMOVE),
            subscribe: s(SUBSCRIBE),
            unsubscribe: s(UNSUBSCRIBE),
            append: s(APPEND),
            take: s(TAKE),
            purge: s(PURGE),
        }
    }
}

/// A count or byte figure as a script argument. Lua numbers are doubles,
/// and Redis reads a huge one back as `1e+19`, which it refuses as a
/// `LIMIT`; 2^53 is exact and larger than any real bound.
pub(super) fn lua_count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX).min(1 << 53)
}

/// Escapes `*?[]\` so the prefix matches literally in `SCAN MATCH`.
pub(super) fn escape_glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The take script's scope arguments: mode, a, b (see [`TAKE`]).
pub(super) fn take_scope_args(scope: &DrainScope) -> (&'static str, &str, &str) {
    match scope {
        DrainScope::All => ("0", "", ""),
        DrainScope::Consumer {
            destination,
            client_id,
        } => ("1", destination.as_str(), client_id.as_str()),
        DrainScope::Endpoint(endpoint) => ("2", endpoint.as_str(), ""),
    }
}

/// The reply of the take script: filters, per-subscription results,
/// envelopes, endpoints.
pub(super) type TakeReply = (
    Vec<(String, String)>,
    Vec<(String, String, u64, Vec<u64>)>,
    Vec<(String, u64, Vec<u8>)>,
    Vec<(String, String)>,
);
