//! Delivers published messages to N in-process subscribers (no HTTP): a
//! deterministic workload for counting what one delivery costs per
//! subscriber, e.g.
//! `valgrind --tool=callgrind target/release/examples/fanout_cost 1000 5 deliver`
//! against the same with `empty` (the same polls, nothing published): the
//! difference over 1000 × 5 is the cost of one delivery to one subscriber
//! (plus a 1/1000 share of the publish).
//!
//! Each subscriber has its own HTTP session and Flex client, subscribes to
//! `chat` over `my-amf` and polls there once per round; in `deliver` mode
//! a producer publishes one message (a number body, as `flexgate-bench
//! fanout` sends) before each round.

use bytes::Bytes;
use flexgate_amf::{Body, Packet, Str, Value, Version, NULL_TARGET};
use flexgate_gateway::config::Config;
use flexgate_gateway::session::Session;
use flexgate_gateway::{Gateway, InProcess};
use flexgate_messages::headers as h;
use flexgate_messages::{
    registry, uid, AbstractMessage, AsyncMessage, CommandMessage, CommandOperation, Form, Message,
};

const AMF: &str = "my-amf";
const DESTINATION: &str = "chat";

/// One subscriber: its session and DSId.
struct Subscriber {
    session: Session,
    ds_id: String,
}

fn packet(ds_id: &str, mut m: Message) -> Bytes {
    m.base_mut().headers.set(h::DS_ID, ds_id);
    m.base_mut().message_id = Some(uid::new_uid());
    let p = Packet {
        version: Version::Amf3,
        headers: Vec::new(),
        bodies: vec![Body {
            target: Str::from_static(NULL_TARGET),
            response: Str::from_static("/1"),
            value: Value::array(vec![m.to_value(Form::Full)]),
        }],
    };
    Bytes::from(p.encode_request().expect("request encodes"))
}

fn command(op: CommandOperation, destination: &str) -> Message {
    Message::Command(CommandMessage {
        base: AbstractMessage {
            destination: Some(destination.into()),
            ..AbstractMessage::default()
        },
        correlation_id: None,
        operation: op,
    })
}

async fn answer(g: &InProcess, session: &Session, request: Bytes) -> Vec<u8> {
    g.handle(AMF, session, request).await.expect("answered")
}

/// A fresh Flex client: pinged for its DSId.
async fn client(g: &InProcess) -> Subscriber {
    let session = Session::fresh();
    let ping = command(CommandOperation::ClientPing, "");
    let reply = answer(g, &session, packet(h::DS_ID_UNASSIGNED, ping)).await;
    let reply = Packet::decode(Bytes::from(reply), registry()).expect("reply decodes");
    let ack = Message::from_value(&reply.bodies[0].value).expect("a message");
    let ds_id = ack
        .base()
        .headers
        .get(h::DS_ID)
        .and_then(Value::as_str)
        .expect("a DSId")
        .to_owned();
    Subscriber { session, ds_id }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let subscribers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let deliver = match args.next().as_deref().unwrap_or("deliver") {
        "deliver" => true,
        "empty" => false,
        other => panic!("unknown mode {other}: deliver or empty"),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let g = Gateway::new(Config::default())
            .in_process()
            .await
            .expect("memory store");
        let mut subs = Vec::with_capacity(subscribers);
        for _ in 0..subscribers {
            let s = client(&g).await;
            let mut sub = command(CommandOperation::Subscribe, DESTINATION);
            sub.base_mut().client_id = Some(uid::new_uid());
            answer(&g, &s.session, packet(&s.ds_id, sub)).await;
            subs.push(s);
        }
        let polls: Vec<Bytes> = subs
            .iter()
            .map(|s| packet(&s.ds_id, command(CommandOperation::Poll, "")))
            .collect();
        let producer = client(&g).await;
        let mut total = 0usize;
        for round in 0..rounds {
            if deliver {
                let mut m = AsyncMessage::default();
                m.base.destination = Some(DESTINATION.into());
                m.base.client_id = Some(uid::new_uid());
                m.base.body = Value::from(round as f64);
                answer(
                    &g,
                    &producer.session,
                    packet(&producer.ds_id, Message::Async(m)),
                )
                .await;
            }
            for (s, poll) in subs.iter().zip(&polls) {
                total += answer(&g, &s.session, poll.clone()).await.len();
            }
        }
        println!(
            "{subscribers} subscribers, {rounds} rounds, deliver {deliver}: {total} reply bytes"
        );
    });
}
