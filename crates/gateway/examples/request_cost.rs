//! Answers the same request a fixed number of times through the gateway
//! in-process (no HTTP): a deterministic workload for instruction counting
//! of the per-request cost, e.g.
//! `valgrind --tool=callgrind target/release/examples/request_cost ping 2000`
//! (the same with `0` requests gives the start-up to subtract).
//!
//! `ping`: a CLIENT_PING from a Flex client that has its DSId (what the
//! load generator sends). `echo`: a RemoteObject call of
//! `EchoService.echo` with an ArrayCollection of 100 typed Person objects.

use bytes::Bytes;
use flexgate_amf::{Body, Object, Packet, Str, Value, Version};
use flexgate_gateway::config::Config;
use flexgate_gateway::session::Session;
use flexgate_gateway::{Gateway, InProcess};
use flexgate_messages::headers as h;
use flexgate_messages::{
    registry, uid, AbstractMessage, ArrayCollection, CommandMessage, CommandOperation, Form,
    Message, RemotingMessage,
};
use std::sync::Arc;

#[path = "../../amf/benches/common/persons.rs"]
mod persons;
use persons::persons;

const AMF: &str = "my-amf";

fn packet(ds_id: &str, mut m: Message) -> Bytes {
    m.base_mut().headers.set(h::DS_ID, ds_id);
    m.base_mut().message_id = Some(uid::new_uid());
    let p = Packet {
        version: Version::Amf3,
        headers: Vec::new(),
        bodies: vec![Body {
            target: Str::from_static("null"),
            response: Str::from_static("/1"),
            value: Value::array(vec![m.to_value(Form::Full)]),
        }],
    };
    Bytes::from(p.encode_request().expect("request encodes"))
}

fn ping() -> Message {
    Message::Command(CommandMessage {
        base: AbstractMessage {
            destination: Some(String::new()),
            body: Value::object(Object::anonymous(Vec::<(&str, Value)>::new())),
            ..AbstractMessage::default()
        },
        correlation_id: None,
        operation: CommandOperation::ClientPing,
    })
}

fn people() -> Value {
    Value::External(Arc::new(ArrayCollection::from_items(persons())))
}

fn echo() -> Message {
    let mut m = RemotingMessage::default();
    m.base.destination = Some("EchoService".into());
    m.base.body = Value::array(vec![people()]);
    m.operation = "echo".into();
    Message::Remoting(m)
}

async fn answer(g: &InProcess, session: &Session, request: Bytes) -> Vec<u8> {
    g.handle(AMF, session, request).await.expect("answered")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "ping".into());
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let g = Gateway::new(Config::default())
            .in_process()
            .await
            .expect("memory store");
        let session = Session::fresh();
        // The first ping assigns the DSId, as for every real client.
        let first = answer(&g, &session, packet(h::DS_ID_UNASSIGNED, ping())).await;
        let reply = Packet::decode(Bytes::from(first), registry()).expect("reply decodes");
        let ack = Message::from_value(&reply.bodies[0].value).expect("a message");
        let ds_id = ack
            .base()
            .headers
            .get(h::DS_ID)
            .and_then(Value::as_str)
            .expect("a DSId")
            .to_owned();
        let request = match which.as_str() {
            "ping" => packet(&ds_id, ping()),
            "echo" => packet(&ds_id, echo()),
            other => panic!("unknown request {other}: ping or echo"),
        };
        let mut total = 0usize;
        for _ in 0..rounds {
            total += answer(&g, &session, request.clone()).await.len();
        }
        println!("{rounds} {which} replies, {total} bytes");
    });
}
