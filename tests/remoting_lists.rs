//! A remoting destination with `lists = "array-collection"` sends the dense
//! arrays of its results as `flex.messaging.io.ArrayCollection`s, nested
//! ones too, as BlazeDS sends every Java List unless the endpoint sets
//! `legacy-collection` (Amf3Output/Amf0Output.writeObject). To an AMF0
//! NetConnection BlazeDS writes the bean: a typed object with `source`.

mod common;

use common::*;
use flexgate_amf::{Body, Object, Packet, Str, Value, Version};
use flexgate_gateway::config::{Config, ListEncoding};
use flexgate_messages::{alias, ArrayCollection};

fn config(lists: ListEncoding) -> Config {
    let mut config = Config::default();
    config
        .destinations
        .get_mut("EchoService")
        .expect("demo destination")
        .lists = lists;
    config
}

/// `["a", [1, 2], {list: [true]}, {k: "v"} as an associative array]`.
fn nested() -> Vec<Value> {
    let assoc = Value::Array(std::sync::Arc::new(flexgate_amf::Array {
        dense: Vec::new(),
        assoc: vec![("k".into(), Value::from("v"))],
    }));
    vec![
        Value::from("a"),
        Value::array(vec![Value::from(1), Value::from(2)]),
        Value::object(Object::anonymous([(
            "list",
            Value::array(vec![Value::from(true)]),
        )])),
        assoc,
    ]
}

fn items(v: &Value) -> &[Value] {
    v.as_external::<ArrayCollection>()
        .unwrap_or_else(|| panic!("not an ArrayCollection: {v:?}"))
        .items()
}

/// The checks for the AMF3 form of `nested()` echoed by `echoAll`.
fn assert_collections(result: &Value) {
    let outer = items(result);
    assert_eq!(outer[0], Value::from("a"));
    assert_eq!(items(&outer[1]), [Value::from(1), Value::from(2)]);
    let object = outer[2].as_object().expect("an object stays one");
    assert_eq!(
        items(object.get("list").expect("list")),
        [Value::from(true)]
    );
    // An associative array is a map, not a list: it stays an array.
    let assoc = outer[3].as_array().expect("still an array");
    assert_eq!(assoc.assoc[0].1, Value::from("v"));
}

#[tokio::test]
async fn remote_object_results_carry_array_collections() {
    let server = TestServer::start(config(ListEncoding::ArrayCollection)).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let reply = c.send_one(remote("EchoService", "echoAll", nested())).await;
    assert!(reply.is_result(), "{reply:?}");
    assert_collections(reply.message.body());
    server.running.shutdown().await;

    // The default sends arrays as they are.
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let reply = c.send_one(remote("EchoService", "echoAll", nested())).await;
    assert_eq!(reply.message.body(), &Value::array(nested()));
    server.running.shutdown().await;
}

fn legacy_call(version: Version) -> Packet {
    Packet {
        version,
        headers: Vec::new(),
        bodies: vec![Body {
            target: "EchoService.echoAll".into(),
            response: Str::from_static("/1"),
            value: Value::array(vec![Value::array(vec![Value::from(1), Value::from(2)])]),
        }],
    }
}

#[tokio::test]
async fn net_connection_results_carry_array_collections_as_blazeds_writes_them() {
    let server = TestServer::start(config(ListEncoding::ArrayCollection)).await;
    // AMF3 NetConnection: the externalizable class.
    let reply = exchange(&server.url(AMF), &legacy_call(Version::Amf3)).await;
    assert_eq!(reply.bodies[0].target, "/1/onResult");
    let outer = items(&reply.bodies[0].value);
    assert_eq!(items(&outer[0]), [Value::from(1), Value::from(2)]);

    // AMF0 NetConnection: a typed object `flex.messaging.io.ArrayCollection`
    // whose `source` is the strict array (no avmplus switch).
    let reply = exchange(&server.url(AMF), &legacy_call(Version::Amf0)).await;
    assert_eq!(reply.bodies[0].target, "/1/onResult");
    let source = |v: &Value| -> Vec<Value> {
        let bean = v
            .as_object()
            .unwrap_or_else(|| panic!("not a typed object: {v:?}"));
        assert_eq!(bean.class(), alias::ARRAY_COLLECTION);
        bean.get("source")
            .and_then(Value::as_array)
            .expect("a source array")
            .dense
            .clone()
    };
    let outer = source(&reply.bodies[0].value);
    // AMF0 has no integers: numbers come back as doubles.
    assert_eq!(source(&outer[0]), [Value::Number(1.0), Value::Number(2.0)]);
    server.running.shutdown().await;
}
