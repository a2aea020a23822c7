//! Flex clients for the idle long-poll and fan-out measurements.

use crate::client::Conn;
use crate::packets::{command, first_message, packet, ping_packet};
use crate::stats::Latencies;
use bytes::Bytes;
use flexgate_amf::Value;
use flexgate_messages::headers as h;
use flexgate_messages::{uid, AsyncMessage, CommandOperation, Message};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch, Semaphore};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const AMF: &str = "/messagebroker/amf";
const LONG_POLLING: &str = "/messagebroker/amflongpolling";
const DESTINATION: &str = "chat";

/// A subscribed Flex client on its own connection.
struct Subscriber {
    conn: Conn,
    ds_id: String,
}

impl Subscriber {
    async fn connect(base: &str) -> Result<Subscriber, BoxError> {
        let mut conn = Conn::open(base).await?;
        let (_, reply) = conn
            .post(LONG_POLLING, Bytes::from(ping_packet("nil")?))
            .await?;
        let ack = first_message(reply)?;
        let ds_id = ack
            .header(h::DS_ID)
            .and_then(Value::as_str)
            .ok_or("ping reply without DSId")?
            .to_owned();
        let sub = command(
            CommandOperation::Subscribe,
            DESTINATION,
            Some(uid::new_uid()),
        );
        let (_, reply) = conn
            .post(LONG_POLLING, Bytes::from(packet(&ds_id, sub)?))
            .await?;
        match first_message(reply)? {
            Message::Acknowledge(_) => Ok(Subscriber { conn, ds_id }),
            other => Err(format!("subscribe refused: {other:?}").into()),
        }
    }

    /// One long poll; the messages it returned.
    async fn poll(&mut self) -> Result<Vec<Message>, BoxError> {
        let poll = packet(&self.ds_id, command(CommandOperation::Poll, "", None))?;
        let (_, reply) = self.conn.post(LONG_POLLING, Bytes::from(poll)).await?;
        Ok(match first_message(reply)? {
            Message::Command(c) if c.operation == CommandOperation::ClientSync => c
                .base
                .body
                .as_array()
                .map(|a| {
                    a.dense
                        .iter()
                        .filter_map(|v| Message::from_value(v).ok())
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        })
    }
}

/// Whether FlexClient `ds_id` has a poll parked: a second poll is then
/// answered at once with DSNoOpPoll.
async fn has_parked_poll(
    base: &str,
    ds_id: &str,
    cookie: Option<String>,
) -> Result<bool, BoxError> {
    let mut conn = Conn::open_in_session(base, cookie).await?;
    let poll = packet(ds_id, command(CommandOperation::Poll, "", None))?;
    let (_, reply) = conn.post(LONG_POLLING, Bytes::from(poll)).await?;
    let m = first_message(reply)?;
    Ok(m.header(h::DS_NO_OP_POLL).and_then(Value::as_bool) == Some(true))
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmRSS")?.parse()?)
}

/// Parks `clients` long polls and reports the gateway's RSS.
pub(crate) async fn idle_polls(base: &str, pid: u32, clients: usize) -> Result<String, BoxError> {
    let before = rss_kib(pid)?;
    let setup = Arc::new(Semaphore::new(256));
    // Each client reports its DSId and session cookie.
    let (ready_tx, mut ready_rx) = mpsc::channel::<(String, Option<String>)>(clients);
    let (go_tx, go_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (base, setup, ready_tx, mut go_rx) = (
            base.to_owned(),
            setup.clone(),
            ready_tx.clone(),
            go_rx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let permit = setup.acquire_owned().await?;
            let mut s = Subscriber::connect(&base).await?;
            drop(permit);
            let cookie = s.conn.cookie().map(str::to_owned);
            ready_tx.send((s.ds_id.clone(), cookie)).await?;
            drop(ready_tx); // the collector ends when every client reported
            go_rx.wait_for(|go| *go).await?;
            // Parks until the wait interval ends or the process exits.
            s.poll().await?;
            Ok::<(), BoxError>(())
        }));
    }
    drop(ready_tx);
    let mut ids = Vec::with_capacity(clients);
    while let Some(id) = ready_rx.recv().await {
        ids.push(id);
    }
    if ids.len() != clients {
        return Err(format!("only {} of {clients} clients subscribed", ids.len()).into());
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let subscribed = rss_kib(pid)?;
    go_tx.send(true)?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    // Every 100th client must have its poll parked.
    let mut parked = 0;
    let sample: Vec<&(String, Option<String>)> = ids.iter().step_by(100).collect();
    for (id, cookie) in &sample {
        parked += usize::from(has_parked_poll(base, id, cookie.clone()).await?);
    }
    let after = rss_kib(pid)?;
    let per = |a: u64, b: u64, n: usize| (a.saturating_sub(b) as f64 * 1024.0) / n as f64;
    Ok(format!(
        "gateway RSS: {before} KiB at start, {subscribed} KiB with {clients} subscribed clients, \
         {after} KiB with their {clients} long polls parked ({parked}/{} sampled polls verified parked); \
         {:.0} bytes per subscribed client, {:.0} bytes per parked poll",
        sample.len(),
        per(subscribed, before, clients),
        per(after, subscribed, clients),
    ))
}

/// `subscribers` long-polling subscribers; each of `messages` publishes is
/// timed from just before its POST until each subscriber's poll returns it.
pub(crate) async fn fanout(
    base: &str,
    subscribers: usize,
    messages: usize,
) -> Result<String, BoxError> {
    let sent_at: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; messages]));
    let delivered: Arc<Vec<AtomicUsize>> =
        Arc::new((0..messages).map(|_| AtomicUsize::new(0)).collect());
    let samples = Arc::new(Mutex::new(Vec::with_capacity(subscribers * messages)));
    let setup = Arc::new(Semaphore::new(128));
    let (ready_tx, mut ready_rx) = mpsc::channel::<()>(subscribers);
    let mut tasks = Vec::new();
    for _ in 0..subscribers {
        let (base, setup, ready_tx) = (base.to_owned(), setup.clone(), ready_tx.clone());
        let (sent_at, delivered, samples) = (sent_at.clone(), delivered.clone(), samples.clone());
        tasks.push(tokio::spawn(async move {
            let permit = setup.acquire_owned().await?;
            let mut s = Subscriber::connect(&base).await?;
            drop(permit);
            ready_tx.send(()).await?;
            drop(ready_tx); // the collector ends when every subscriber reported
            let mut got = 0;
            while got < messages {
                for m in s.poll().await? {
                    let now = Instant::now();
                    let seq = m.body().as_f64().ok_or("message without a number")? as usize;
                    let t0 = sent_at
                        .lock()
                        .map_err(|_| "poisoned")?
                        .get(seq)
                        .copied()
                        .flatten()
                        .ok_or("unknown message")?;
                    samples
                        .lock()
                        .map_err(|_| "poisoned")?
                        .push((seq, now.duration_since(t0)));
                    delivered[seq].fetch_add(1, Ordering::Relaxed);
                    got += 1;
                }
            }
            Ok::<(), BoxError>(())
        }));
    }
    drop(ready_tx);
    let mut ready = 0;
    while ready_rx.recv().await.is_some() {
        ready += 1;
    }
    if ready != subscribers {
        return Err(format!("only {ready} of {subscribers} subscribed").into());
    }
    let mut publisher = Conn::open(base).await?;
    for seq in 0..messages {
        // Let every subscriber (re)park its poll first.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut m = AsyncMessage::default();
        m.base.destination = Some(DESTINATION.into());
        m.base.client_id = Some(uid::new_uid());
        m.base.body = Value::from(seq as f64);
        let body = Bytes::from(packet(
            "BENCH000-0000-4000-8000-00000000000F",
            Message::Async(m),
        )?);
        let t0 = Instant::now();
        sent_at.lock().map_err(|_| "poisoned")?[seq] = Some(t0);
        publisher.post(AMF, body).await?;
        let deadline = t0 + Duration::from_secs(30);
        while delivered[seq].load(Ordering::Relaxed) < subscribers {
            if Instant::now() > deadline {
                return Err(format!("message {seq} did not reach every subscriber").into());
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    for t in tasks {
        t.await??;
    }
    let samples = std::mem::take(&mut *samples.lock().map_err(|_| "poisoned")?);
    // Per publish, when its last subscriber had it.
    let mut last = vec![Duration::ZERO; messages];
    for (seq, d) in &samples {
        last[*seq] = last[*seq].max(*d);
    }
    let lat = Latencies::new(samples.into_iter().map(|(_, d)| d).collect());
    let last = Latencies::new(last);
    Ok(format!(
        "{subscribers} long-polling subscribers, {messages} publishes, {} deliveries: \
         publish->delivery {}; publish->last subscriber {}",
        lat.len(),
        lat.summary(),
        last.summary()
    ))
}
