//! Encoder state shared by the AMF0 and AMF3 writers.

use crate::error::EncodeError;
use crate::external::ExternalOutput;
use crate::strings::StringTable;
use crate::text::Str;
use crate::value::{Traits, Value};
use foldhash::HashMap;
use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// Hashes addresses: they are not chosen by the peer, so a multiply is
/// enough and far cheaper than SipHash.
#[derive(Default)]
pub(crate) struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A map keyed by addresses.
pub(crate) type AddressMap<K, V> = StdHashMap<K, V, BuildHasherDefault<AddressHasher>>;

/// Encodes AMF0 and AMF3 values into a byte vector.
///
/// One encoder holds the reference tables of one AMF context; composite
/// values that are the same `Arc` are written once and referenced after,
/// repeated strings and traits likewise.
pub struct Encoder<'o> {
    pub(crate) out: &'o mut Vec<u8>,
    pub(crate) strings: StringTable,
    /// Traits by `Arc` address (the common case: one `Arc` per class)...
    pub(crate) traits_by_address: AddressMap<usize, u32>,
    /// The traits last found by address (an array of same-typed objects
    /// looks the same one up each time); only addresses kept alive by
    /// `traits` go here.
    pub(crate) last_traits: Option<(usize, u32)>,
    /// ...and by content, for equal traits built separately (a seeded
    /// fast hash: class and member names can come from a peer).
    pub(crate) traits: HashMap<Arc<Traits>, u32>,
    pub(crate) external_traits: HashMap<Str, u32>,
    pub(crate) traits_count: u32,
    /// Object identity (see [`Identity`]) to its object-table index.
    pub(crate) objects: AddressMap<Identity, u32>,
    /// Every composite value written inline takes a table slot, referenced or not.
    pub(crate) object_count: u32,
    pub(crate) amf0_objects: AddressMap<Identity, u16>,
    pub(crate) amf0_count: u32,
    /// Every value registered by identity, kept alive until the tables are
    /// reset, so that no address can be freed and reused by another value
    /// (e.g. a temporary built inside an externalizable writer).
    pub(crate) keep_alive: Vec<Value>,
}

impl<'o> Encoder<'o> {
    /// An encoder appending to `out`.
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        Encoder {
            out,
            strings: StringTable::default(),
            traits_by_address: AddressMap::default(),
            last_traits: None,
            traits: HashMap::default(),
            external_traits: HashMap::default(),
            traits_count: 0,
            objects: AddressMap::default(),
            object_count: 0,
            amf0_objects: AddressMap::default(),
            amf0_count: 0,
            keep_alive: Vec::new(),
        }
    }

    /// Clears the reference tables, as at the start of each packet header and body.
    pub fn reset_tables(&mut self) {
        self.strings.clear();
        self.traits_by_address.clear();
        self.last_traits = None;
        self.traits.clear();
        self.external_traits.clear();
        self.traits_count = 0;
        self.objects.clear();
        self.object_count = 0;
        self.amf0_objects.clear();
        self.amf0_count = 0;
        self.keep_alive.clear();
    }

    /// The bytes written so far.
    pub fn output(&mut self) -> &mut Vec<u8> {
        self.out
    }

    /// Writes one byte.
    #[inline]
    pub fn write_u8(&mut self, b: u8) {
        self.out.push(b);
    }

    /// Writes a big-endian `u16`.
    #[inline]
    pub fn write_u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    /// Writes a big-endian `u32`.
    #[inline]
    pub fn write_u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    /// Writes a big-endian double.
    #[inline]
    pub fn write_f64(&mut self, v: f64) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    /// Writes raw bytes.
    #[inline]
    pub fn write_bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// Writes a string with a `u16` length prefix (`IDataOutput.writeUTF`).
    pub fn write_utf(&mut self, s: &str) -> Result<(), EncodeError> {
        let len = u16::try_from(s.len()).map_err(|_| EncodeError::TooLong(s.len()))?;
        self.write_u16(len);
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

// The externalizable writers write through the encoder (its reference
// tables); the impl lives here so that `external` needs nothing from the
// encoder.
impl ExternalOutput for Encoder<'_> {
    fn write_u8(&mut self, b: u8) {
        Encoder::write_u8(self, b);
    }
    fn write_amf3(&mut self, v: &Value) -> Result<(), EncodeError> {
        Encoder::write_amf3(self, v)
    }
}

/// What makes two values "the same object": an address and a length.
pub(crate) type Identity = (usize, usize);

/// The identity of a shared composite value: its `Arc` allocation; `None`
/// when this `Arc` is its only holder, so that it cannot occur again in the
/// value being written and needs no table entry (values hold no `Weak`).
pub(crate) fn identity<T: ?Sized>(a: &Arc<T>) -> Option<Identity> {
    (Arc::strong_count(a) > 1).then_some((Arc::as_ptr(a) as *const () as usize, 0))
}

/// The identity of a byte buffer: the same non-empty region of the same
/// buffer is the same ByteArray (or XML text), as a decoded reference yields.
/// Empty buffers share one static address, so they have no identity.
pub(crate) fn buffer_identity(b: &[u8]) -> Option<Identity> {
    (!b.is_empty()).then_some((b.as_ptr() as usize, b.len()))
}
