//! Fan-out: N subscribers, each publish timed until every one has it.

use super::subscriber::{BoxError, Subscriber, AMF, DESTINATION, STREAMING};
use crate::client::Conn;
use crate::packets::{packet, ping_packet};
use crate::setup::{gather, Outcome};
use crate::stats::Latencies;
use crate::stream::StreamReader;
use bytes::Bytes;
use flexgate_amf::Value;
use flexgate_messages::{uid, AsyncMessage, Message};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};

/// How a fan-out subscriber receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// A long poll on `/messagebroker/amflongpolling`, again after each reply.
    LongPoll,
    /// One open stream on `/messagebroker/streamingamf`.
    Streaming,
}

/// A subscriber's source of deliveries.
enum Feed {
    Polling(Subscriber),
    Stream(StreamReader),
}

impl Feed {
    async fn open(base: &str, transport: Transport) -> Result<Feed, BoxError> {
        Ok(match transport {
            Transport::LongPoll => Feed::Polling(Subscriber::connect(base).await?),
            Transport::Streaming => Feed::Stream(
                Subscriber::connect_over(base, STREAMING, None)
                    .await?
                    .open_stream()
                    .await?,
            ),
        })
    }

    async fn next(&mut self) -> Result<Vec<Message>, BoxError> {
        match self {
            Feed::Polling(s) => s.poll().await,
            Feed::Stream(r) => r.next_messages().await,
        }
    }
}

/// `subscribers` subscribers receiving over `transport`; each of `messages`
/// publishes is timed from just before its POST until each subscriber has
/// read it.
pub(crate) async fn fanout(
    base: &str,
    subscribers: usize,
    messages: usize,
    transport: Transport,
) -> Result<String, BoxError> {
    let sent_at: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; messages]));
    let delivered: Arc<Vec<AtomicUsize>> =
        Arc::new((0..messages).map(|_| AtomicUsize::new(0)).collect());
    let samples = Arc::new(Mutex::new(Vec::with_capacity(subscribers * messages)));
    let setup = Arc::new(Semaphore::new(128));
    let (ready_tx, mut ready_rx) = mpsc::channel::<Outcome<()>>(subscribers.max(1));
    let mut tasks = Vec::new();
    for _ in 0..subscribers {
        let (base, setup, ready_tx) = (base.to_owned(), setup.clone(), ready_tx.clone());
        let (sent_at, delivered, samples) = (sent_at.clone(), delivered.clone(), samples.clone());
        tasks.push(tokio::spawn(async move {
            let opened = match setup.acquire_owned().await {
                Ok(_permit) => Feed::open(&base, transport).await,
                Err(e) => Err(e.into()),
            };
            let mut feed = match opened {
                Ok(feed) => feed,
                Err(e) => {
                    let _ = ready_tx.send(Err(e)).await;
                    return Ok(());
                }
            };
            ready_tx.send(Ok(())).await?;
            drop(ready_tx); // the collector sees a task that vanished
            let mut got = 0;
            while got < messages {
                for m in feed.next().await? {
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
    if let Err(e) = gather(&mut ready_rx, subscribers, "subscribers").await {
        // The subscribers already set up wait for deliveries: close them.
        for t in &tasks {
            t.abort();
        }
        return Err(e.into());
    }
    let mut publisher = Conn::open(base).await?;
    let publisher_id = uid::new_uid();
    publisher
        .post(AMF, Bytes::from(ping_packet(&publisher_id)?))
        .await?;
    for seq in 0..messages {
        // Let every subscriber (re)park its poll first.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut m = AsyncMessage::default();
        m.base.destination = Some(DESTINATION.into());
        m.base.client_id = Some(uid::new_uid());
        m.base.body = Value::from(seq as f64);
        let body = Bytes::from(packet(&publisher_id, Message::Async(m))?);
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
        "{subscribers} {transport:?} subscribers, {messages} publishes, {} deliveries: \
         publish->delivery {}; publish->last subscriber {}",
        lat.len(),
        lat.summary(),
        last.summary()
    ))
}

#[cfg(test)]
mod tests {
    use super::super::subscriber::testing::{gateway, guarded};
    use super::*;

    #[tokio::test]
    async fn fanout_reports_subscribers_the_gateway_refused() {
        let (running, base) = gateway(3).await;
        for transport in [Transport::LongPoll, Transport::Streaming] {
            let e = guarded(fanout(&base, 5, 1, transport))
                .await
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("of 5 subscribers set up; one failed: ping answered 503"),
                "{transport:?}: {e}"
            );
        }
        running.shutdown().await;
    }
}
