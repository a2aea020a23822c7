//! The decoder's trace reports each decision with its byte range, and the
//! `Writer` reproduces the same bytes from those decisions.

use bytes::Bytes;
use flexgate_amf::trace::{Composite, Event, RefKind, Span, Trace};
use flexgate_amf::{DecodeLimits, Decoder, Registry, Table, TraitsChoice, Writer};

/// Records events as text, with their spans.
#[derive(Default)]
struct Log(Vec<String>);

impl Trace for Log {
    fn event(&mut self, span: Span, event: Event<'_>) {
        let what = match event {
            Event::Begin(Composite::Array { dense, slot }) => format!("array {dense} slot {slot}"),
            Event::Begin(Composite::Object { traits, by, slot }) => {
                format!("object {:?} {by:?} slot {slot}", traits.class)
            }
            Event::Reference { table, index, kind } => format!("ref {table} {index} {kind:?}"),
            Event::MemberName(n) => format!("member {n}"),
            other => format!("{other:?}"),
        };
        self.0.push(format!("{}..{} {what}", span.start, span.end));
    }
}

/// `[{a: 1}, ref 1, "a"]`: an array, an anonymous object, an object
/// reference and a string reference.
const INPUT: &[u8] = &[
    0x09, 0x07, 0x01, // array of 3, no associative members
    0x0A, 0x0B, 0x01, 0x03, b'a', 0x04, 0x01, 0x01, // {a: 1}
    0x0A, 0x02, // reference to object slot 1
    0x06, 0x00, // string reference 0 ("a")
];

#[test]
fn every_decision_is_reported_with_its_bytes() {
    let mut log = Log::default();
    let mut d = Decoder::traced(
        Bytes::from_static(INPUT),
        Registry::empty(),
        DecodeLimits::default(),
        &mut log,
    );
    d.read_amf3().expect("decodes");
    d.finish().expect("all read");
    assert_eq!(
        log.0,
        [
            "0..2 array 3 slot 0",
            "2..3 MembersEnd",
            "3..6 object \"\" Inline(0) slot 1",
            "6..8 member a",
            "8..10 Integer(1)",
            "10..11 MembersEnd",
            "11..11 End",
            "11..13 ref object 1 Some(Object)",
            "13..15 String(\"a\")",
            "15..15 End",
        ]
    );
}

#[test]
fn the_writer_reproduces_the_bytes_from_the_decisions() {
    let mut out = Vec::new();
    let mut w = Writer::new(&mut out);
    w.amf3_array(3).expect("array");
    w.amf3_members_end();
    w.amf3_object("", &[], true, TraitsChoice::Rule)
        .expect("object");
    w.amf3_name("a").expect("name");
    w.amf3_integer(1);
    w.amf3_members_end();
    w.amf3_reference(1, None).expect("slot 1 exists");
    w.amf3_string("a").expect("string");
    assert_eq!(out, INPUT);
}

#[test]
fn the_writer_refuses_references_to_slots_not_written() {
    let mut out = Vec::new();
    let mut w = Writer::new(&mut out);
    let err = w
        .amf3_reference(0, Some(RefKind::Array))
        .expect_err("no slot 0");
    assert_eq!(
        err,
        flexgate_amf::EncodeError::BadReference {
            table: Table::Object,
            index: 0,
            available: 0
        }
    );
    let err = w
        .amf3_object("P", &[], false, TraitsChoice::Reference(0))
        .expect_err("no traits yet");
    assert!(matches!(
        err,
        flexgate_amf::EncodeError::BadReference {
            table: Table::Traits,
            ..
        }
    ));
}
