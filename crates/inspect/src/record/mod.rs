//! AMF bytes to the JSON description: a [`Trace`] on `flexgate_amf`'s
//! decoder that builds the JSON from what the decoder reports, recording
//! what the encoder decided (references, lengths, counts, traits choices).

mod begin;
mod envelope;
mod frame;
mod output;
mod packet;
mod recorder;
mod traits_key;

pub use output::InspectError;
pub(crate) use output::Line;

use crate::input::{Format, Input};
use bytes::Bytes;
use flexgate_amf::{DecodeLimits, Decoder, Packet};
use recorder::Recorder;
use serde_json::Value as Json;

/// Decodes `input` as `what` into JSON; with `lines`, also the hex dump lines.
pub(crate) fn record(
    input: Bytes,
    what: Input,
    lines: bool,
) -> (Result<Json, InspectError>, Vec<Line>) {
    let mut rec = Recorder::new(input.len(), lines);
    let registry = flexgate_messages::registry();
    let limits = DecodeLimits::default();
    let outcome = match what {
        Input::Packet => Packet::decode_traced(input, registry, limits, &mut rec).map(drop),
        Input::Value(format) => {
            let mut d = Decoder::traced(input, registry, limits, &mut rec);
            let value = match format {
                Format::Amf0 => d.read_amf0(),
                Format::Amf3 => d.read_amf3(),
            };
            value.and_then(|_| d.finish())
        }
    };
    let lines = rec.lines.take().unwrap_or_default();
    match outcome {
        Ok(()) => (Ok(rec.result()), lines),
        Err(e) => (Err(rec.error(e)), lines),
    }
}
