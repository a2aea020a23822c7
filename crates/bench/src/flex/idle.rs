//! Idle long polls: N subscribed clients each with a parked poll, and the
//! gateway's memory and ping latency meanwhile.

use super::subscriber::{BoxError, Subscriber, AMF, LONG_POLLING};
use crate::client::Conn;
use crate::packets::{command, first_message, is_ack, packet, ping_packet};
use crate::procfs::{open_files_limit, raise_open_files, rss_kib};
use crate::setup::{gather, Outcome};
use crate::stats::Latencies;
use bytes::Bytes;
use flexgate_amf::Value;
use flexgate_messages::headers as h;
use flexgate_messages::{uid, CommandOperation};
use hyper::StatusCode;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch, Semaphore};

/// Whether FlexClient `ds_id` has a poll parked: a second poll is then
/// answered at once with DSNoOpPoll.
async fn has_parked_poll(
    base: &str,
    ds_id: &str,
    cookie: Option<String>,
) -> Result<bool, BoxError> {
    let mut conn = Conn::open_in_session(base, cookie).await?;
    let poll = packet(ds_id, command(CommandOperation::Poll, "", None))?;
    // Without a parked poll this one parks in its place: not parked.
    let Ok(answer) = tokio::time::timeout(
        Duration::from_secs(5),
        conn.post(LONG_POLLING, Bytes::from(poll)),
    )
    .await
    else {
        return Ok(false);
    };
    let (_, reply) = answer?;
    let m = first_message(reply)?;
    Ok(m.header(h::DS_NO_OP_POLL).and_then(Value::as_bool) == Some(true))
}

/// What `idle-polls` parks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdleSpec {
    /// The gateway's process id (RSS, open-files limit).
    pub(crate) pid: u32,
    /// Flex clients, each with its own connection and parked poll.
    pub(crate) clients: usize,
    /// Source addresses 127.0.0.1 ..= 127.0.0.N the connections are
    /// spread over (about 28,000 ephemeral ports each).
    pub(crate) sources: u8,
    /// Pings timed one after the other while the polls are parked.
    pub(crate) pings: usize,
}

/// Descriptors kept free beyond one per client (the runtime, the pings,
/// the parked-poll checks).
const SPARE_FILES: u64 = 256;

/// Parks `spec.clients` long polls and reports the gateway's RSS, a ping
/// latency while they are parked, and the RSS once every client went away.
pub(crate) async fn idle_polls(base: &str, spec: IdleSpec) -> Result<String, BoxError> {
    let IdleSpec {
        pid,
        clients,
        sources,
        pings,
    } = spec;
    let need = clients as u64 + SPARE_FILES;
    let ours = raise_open_files(need);
    if ours < need {
        return Err(format!(
            "this process may open {ours} files; {clients} clients need {need}:              at most {} clients fit (raise the hard limit, `ulimit -Hn`, as root)",
            ours.saturating_sub(SPARE_FILES)
        )
        .into());
    }
    if let Some(theirs) = open_files_limit(pid) {
        if theirs < need {
            return Err(format!(
                "the gateway (pid {pid}) may open {theirs} files; {clients} clients need {need}:                  start it after `ulimit -n {need}` (at most {} clients fit now)",
                theirs.saturating_sub(SPARE_FILES)
            )
            .into());
        }
    }
    let sources = sources.max(1);
    let before = rss_kib(pid)?;
    let started = Instant::now();
    let setup = Arc::new(Semaphore::new(256));
    // Each client reports its DSId and session cookie.
    let (ready_tx, mut ready_rx) =
        mpsc::channel::<Outcome<(String, Option<String>)>>(clients.max(1));
    let (go_tx, go_rx) = watch::channel(false);
    // Polls answered before the end (a parked one is answered only when
    // the wait interval ends): each is a client whose poll did not park.
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        let (base, setup, ready_tx, mut go_rx, answered) = (
            base.to_owned(),
            setup.clone(),
            ready_tx.clone(),
            go_rx.clone(),
            answered.clone(),
        );
        // 127.0.0.1, .2, …: every address is the loopback.
        let source = IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            0,
            1 + (i % usize::from(sources)) as u8,
        ));
        tasks.push(tokio::spawn(async move {
            let subscribed = match setup.acquire_owned().await {
                Ok(_permit) => Subscriber::connect_over(&base, LONG_POLLING, Some(source)).await,
                Err(e) => Err(e.into()),
            };
            let mut s = match subscribed {
                Ok(s) => s,
                Err(e) => {
                    let _ = ready_tx.send(Err(e)).await;
                    return Ok(());
                }
            };
            let cookie = s.conn.cookie().map(str::to_owned);
            ready_tx.send(Ok((s.ds_id.clone(), cookie))).await?;
            drop(ready_tx); // the collector sees a task that vanished
            go_rx.wait_for(|go| *go).await?;
            // Parks until the wait interval ends or the task is aborted.
            let polled = s.poll().await;
            answered.fetch_add(1, Ordering::Relaxed);
            polled.map(drop)
        }));
    }
    drop(ready_tx);
    let ids = match gather(&mut ready_rx, clients, "subscribed clients").await {
        Ok(ids) => ids,
        Err(e) => {
            // The clients already subscribed wait for `go_tx`: close them.
            for t in &tasks {
                t.abort();
            }
            return Err(e.into());
        }
    };
    let setup_secs = started.elapsed().as_secs_f64();
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
    let sampled = sample.len();
    let after = rss_kib(pid)?;
    let ping = ping_latency(base, pings).await?;
    let answered = answered.load(Ordering::Relaxed);
    for t in &tasks {
        t.abort();
    }
    for t in tasks {
        let _ = t.await;
    }
    // Closed connections: the gateway drops their parked polls.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let gone = rss_kib(pid)?;
    // The FlexClients outlive their connections (until their timeout, as
    // BlazeDS's do): DISCONNECT ends them, as Flex's disconnectAll() does.
    disconnect_all(base, ids).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let disconnected = rss_kib(pid)?;
    // An allocator that returns freed pages late (jemalloc's 10 s decay).
    tokio::time::sleep(Duration::from_secs(DECAY_WAIT_SECS)).await;
    let settled = rss_kib(pid)?;
    let per = |a: u64, b: u64, n: usize| (a.saturating_sub(b) as f64 * 1024.0) / n as f64;
    let mib = |k: u64| k as f64 / 1024.0;
    Ok(format!(
        "{clients} clients from {sources} source addresses, set up in {setup_secs:.1} s; \
         open-files limit {ours} here\n\
         gateway RSS: {:.1} MiB at start, {:.1} MiB with {clients} subscribed clients, \
         {:.1} MiB with their long polls parked ({parked}/{} sampled polls verified parked, \
         {answered} polls answered early), \
         {:.1} MiB 5 s after every client closed its connection, \
         {:.1} MiB 1 s after every client sent DISCONNECT, {:.1} MiB {DECAY_WAIT_SECS} s later\n\
         {:.0} bytes per subscribed client, {:.0} bytes per parked poll\n\
         {pings} pings while parked: {ping}",
        mib(before),
        mib(subscribed),
        mib(after),
        sampled,
        mib(gone),
        mib(disconnected),
        mib(settled),
        per(subscribed, before, clients),
        per(after, subscribed, clients),
    ))
}

/// How long the RSS is watched after the last DISCONNECT.
const DECAY_WAIT_SECS: u64 = 11;

/// Sends DISCONNECT for every `(DSId, session cookie)` in `clients` over a
/// few keep-alive connections; an answer other than an ack is an error.
async fn disconnect_all(
    base: &str,
    clients: Vec<(String, Option<String>)>,
) -> Result<(), BoxError> {
    let clients = Arc::new(std::sync::Mutex::new(clients));
    let mut workers = Vec::new();
    for _ in 0..16 {
        let (base, clients) = (base.to_owned(), clients.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::open(&base).await?;
            loop {
                let next = clients.lock().map_err(|_| "poisoned")?.pop();
                let Some((ds_id, cookie)) = next else {
                    return Ok::<(), BoxError>(());
                };
                conn.enter_session(cookie);
                let bye = packet(&ds_id, command(CommandOperation::Disconnect, "", None))?;
                let (status, reply) = conn.post(AMF, Bytes::from(bye)).await?;
                if status != StatusCode::OK || !is_ack(&reply) {
                    return Err(format!("DISCONNECT of {ds_id} answered {status}").into());
                }
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok(())
}

/// `pings` CLIENT_PINGs one after the other from a new Flex client.
async fn ping_latency(base: &str, pings: usize) -> Result<String, BoxError> {
    let mut conn = Conn::open(base).await?;
    let ds_id = uid::new_uid();
    let body = Bytes::from(ping_packet(&ds_id)?);
    let mut lat = Vec::with_capacity(pings);
    for _ in 0..pings {
        let t = Instant::now();
        let (status, reply) = conn.post(AMF, body.clone()).await?;
        if status != StatusCode::OK || !is_ack(&reply) {
            return Err(format!("a ping while parked was answered {status}").into());
        }
        lat.push(t.elapsed());
    }
    Ok(Latencies::new(lat).summary())
}

#[cfg(test)]
mod tests {
    use super::super::subscriber::testing::{gateway, guarded};
    use super::*;

    /// Five clients, the RSS read of this process (the gateway is in it).
    fn five_clients() -> IdleSpec {
        IdleSpec {
            pid: std::process::id(),
            clients: 5,
            sources: 1,
            pings: 1,
        }
    }

    #[tokio::test]
    async fn idle_polls_reports_clients_the_gateway_refused() {
        let (running, base) = gateway(3).await;
        let e = guarded(idle_polls(&base, five_clients()))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("of 5 subscribed clients set up; one failed: ping answered 503"),
            "{e}"
        );
        assert!(e.contains("too many open connections"), "{e}");
        running.shutdown().await;
    }

    #[tokio::test]
    async fn idle_polls_ends_every_client_it_parked() {
        let (running, base) = gateway(64).await;
        let report = guarded(idle_polls(&base, five_clients()))
            .await
            .expect("measured");
        assert!(
            report.contains("1/1 sampled polls verified parked"),
            "{report}"
        );
        assert!(
            report.contains("after every client sent DISCONNECT"),
            "{report}"
        );
        // Only the ping client (never disconnected) is left.
        assert_eq!(running.snapshot().await.clients_total, 1, "{report}");
        running.shutdown().await;
    }
}
