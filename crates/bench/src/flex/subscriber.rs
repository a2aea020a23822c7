//! A subscribed Flex client on its own connection, shared by the idle
//! long-poll and fan-out measurements.

use crate::client::Conn;
use crate::packets::{command, first_message, packet, ping_packet};
use crate::stream::StreamReader;
use bytes::Bytes;
use flexgate_amf::Value;
use flexgate_messages::headers as h;
use flexgate_messages::{uid, CommandOperation, Message};
use hyper::StatusCode;
use std::net::IpAddr;

pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub(super) const AMF: &str = "/messagebroker/amf";
pub(super) const LONG_POLLING: &str = "/messagebroker/amflongpolling";
pub(super) const STREAMING: &str = "/messagebroker/streamingamf";
pub(super) const DESTINATION: &str = "chat";

/// A subscribed Flex client on its own connection.
pub(super) struct Subscriber {
    pub(super) conn: Conn,
    pub(super) ds_id: String,
}

impl Subscriber {
    pub(super) async fn connect(base: &str) -> Result<Subscriber, BoxError> {
        Subscriber::connect_over(base, LONG_POLLING, None).await
    }

    /// Pings and subscribes over the channel at `path`, from `source`.
    pub(super) async fn connect_over(
        base: &str,
        path: &str,
        source: Option<IpAddr>,
    ) -> Result<Subscriber, BoxError> {
        let mut conn = Conn::open_from(base, source).await?;
        let (status, reply) = conn.post(path, Bytes::from(ping_packet("nil")?)).await?;
        if status != StatusCode::OK {
            // A refusal (503 over the connection limit) says why in its body.
            let why = String::from_utf8_lossy(&reply);
            return Err(format!("ping answered {status}: {}", why.trim()).into());
        }
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
        let (_, reply) = conn.post(path, Bytes::from(packet(&ds_id, sub)?)).await?;
        match first_message(reply)? {
            Message::Acknowledge(_) => Ok(Subscriber { conn, ds_id }),
            other => Err(format!("subscribe refused: {other:?}").into()),
        }
    }

    /// One long poll; the messages it returned.
    pub(super) async fn poll(&mut self) -> Result<Vec<Message>, BoxError> {
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

    /// Opens a stream on the streaming channel; this connection carries
    /// nothing else from then on.
    pub(super) async fn open_stream(mut self) -> Result<StreamReader, BoxError> {
        let path = format!("{STREAMING}?command=open&version=1");
        let (status, body) = self
            .conn
            .post_form_streamed(&path, format!("DSId={}", self.ds_id))
            .await?;
        if status != StatusCode::OK {
            return Err(format!("stream open refused: {status}").into());
        }
        let mut reader = StreamReader::new(body);
        // The first chunk: the acknowledgement carrying the stream id.
        match reader.next_messages().await?.first() {
            Some(Message::Acknowledge(_)) => Ok(reader),
            other => Err(format!("stream opened with {other:?}").into()),
        }
    }
}

#[cfg(test)]
pub(super) mod testing {
    //! A gateway for the measurements' own tests.

    use flexgate_gateway::config::Config;
    use flexgate_gateway::{Gateway, Running};
    use std::time::Duration;

    /// A gateway on a free port that accepts `max_connections` connections
    /// and refuses further ones with a 503.
    pub(crate) async fn gateway(max_connections: usize) -> (Running, String) {
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("address"),
            ..Config::default()
        };
        config.limits.max_connections = max_connections;
        let running = Gateway::new(config).start().await.expect("starts");
        let base = format!("http://{}", running.local_addr());
        (running, base)
    }

    /// Runs `f` with a hang guard.
    pub(crate) async fn guarded<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(60), f)
            .await
            .expect("returned instead of hanging")
    }
}
