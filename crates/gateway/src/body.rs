//! Reading a request body within bounds of size and time.
//!
//! hyper bounds the request head (`header_read_timeout_secs`) but not the
//! body: a peer that sends its head and then stalls, or trickles a byte now
//! and then, would hold its connection slot for ever. A body must arrive
//! whole within `body_timeout_secs`, and after a short grace its average
//! rate must stay above `min_body_bytes_per_sec`; either failing answers
//! 408 and closes the connection.

use crate::config::Limits;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body, Incoming};
use std::time::Duration;
use tokio::time::Instant;

/// The grace before the minimum rate applies: the first bytes of a body
/// may lag behind its head (a client writes head and body separately).
pub(crate) const RATE_GRACE: Duration = Duration::from_secs(5);

/// How one body may be read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyBounds {
    /// Most bytes.
    pub(crate) max_bytes: usize,
    /// The whole body must have arrived by then.
    pub(crate) timeout: Duration,
    /// Least average bytes per second once [`RATE_GRACE`] has passed;
    /// 0 turns the rate check off.
    pub(crate) min_rate: u64,
}

/// Why a body was not read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    /// It is larger than allowed.
    #[error("request body larger than {0} bytes")]
    TooLarge(usize),
    /// It did not arrive in time, or arrived too slowly.
    #[error("request body too slow: {received} bytes in {elapsed_ms} ms")]
    TooSlow {
        /// Bytes received before giving up.
        received: usize,
        /// Time spent waiting for the body.
        elapsed_ms: u128,
    },
    /// The connection failed while the body was read.
    #[error("request body could not be read: {0}")]
    Broken(#[from] hyper::Error),
}

impl BodyBounds {
    /// At most `max_bytes`, in the time and at the rate `[limits]` sets
    /// for every request body.
    pub(crate) fn from_limits(limits: &Limits, max_bytes: usize) -> Self {
        BodyBounds {
            max_bytes,
            timeout: Duration::from_secs(limits.body_timeout_secs.max(1)),
            min_rate: limits.min_body_bytes_per_sec,
        }
    }
}

/// Reads the whole body of `req` within `bounds`, trusting its declared
/// `Content-Length` only to refuse early.
pub(crate) async fn read_request(
    req: hyper::Request<Incoming>,
    bounds: BodyBounds,
) -> Result<Bytes, BodyError> {
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    read(req.into_body(), declared, bounds).await
}

/// Reads the whole body of a request whose head declared `declared` bytes.
async fn read(
    mut body: Incoming,
    declared: Option<u64>,
    bounds: BodyBounds,
) -> Result<Bytes, BodyError> {
    if declared.is_some_and(|n| n > bounds.max_bytes as u64) {
        return Err(BodyError::TooLarge(bounds.max_bytes));
    }
    let start = Instant::now();
    let deadline = start + bounds.timeout;
    // Never trust the declared length for the allocation beyond the limit.
    let capacity = declared.map_or(0, |n| n.min(bounds.max_bytes as u64) as usize);
    let mut buf = BytesMut::with_capacity(capacity.min(1 << 20));
    loop {
        if body.is_end_stream() {
            break;
        }
        let frame = match tokio::time::timeout_at(
            next_deadline(start, deadline, buf.len(), bounds),
            body.frame(),
        )
        .await
        {
            Ok(Some(frame)) => frame?,
            Ok(None) => break,
            Err(_) => {
                return Err(BodyError::TooSlow {
                    received: buf.len(),
                    elapsed_ms: start.elapsed().as_millis(),
                })
            }
        };
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > bounds.max_bytes {
                return Err(BodyError::TooLarge(bounds.max_bytes));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

/// The time by which the next bytes must arrive: the whole-body deadline,
/// or earlier, the moment the average rate would fall under the minimum.
fn next_deadline(
    start: Instant,
    deadline: Instant,
    received: usize,
    bounds: BodyBounds,
) -> Instant {
    if bounds.min_rate == 0 {
        return deadline;
    }
    let earned = Duration::from_secs_f64(received as f64 / bounds.min_rate as f64);
    deadline.min(start + RATE_GRACE + earned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_deadline_grows_with_what_arrived() {
        let start = Instant::now();
        let bounds = BodyBounds {
            max_bytes: 1 << 20,
            timeout: Duration::from_secs(60),
            min_rate: 1000,
        };
        let deadline = start + bounds.timeout;
        assert_eq!(
            next_deadline(start, deadline, 0, bounds),
            start + RATE_GRACE
        );
        assert_eq!(
            next_deadline(start, deadline, 10_000, bounds),
            start + RATE_GRACE + Duration::from_secs(10)
        );
        assert_eq!(next_deadline(start, deadline, 1_000_000, bounds), deadline);
        let no_rate = BodyBounds {
            min_rate: 0,
            ..bounds
        };
        assert_eq!(next_deadline(start, deadline, 0, no_rate), deadline);
    }
}
