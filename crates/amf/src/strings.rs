//! The AMF3 string reference table of an encoder.
//!
//! A string written inline stays in the output, so the table keeps only
//! where its bytes are (offset, length), its slot and its hash: no copy of
//! the string, no reference count taken, one hash per lookup. Lookups
//! compare against the output's bytes, so a hit is always a string of equal
//! content whatever the caller did to the output meanwhile.

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// One string written inline.
struct Written {
    hash: u64,
    at: usize,
    // AMF3 lengths and slots are 29-bit.
    len: u32,
    index: u32,
}

/// Slots reserved at the first string: most messages have a few dozen
/// distinct strings, and each growth re-inserts every entry.
const FIRST_CAPACITY: usize = 64;

/// Strings by content to their slot in the AMF3 string table.
pub(crate) struct StringTable {
    table: HashTable<Written>,
    /// Keyed per table: string content can come from a peer, and a
    /// seeded hash keeps it from choosing collisions.
    hasher: RandomState,
}

impl Default for StringTable {
    fn default() -> Self {
        StringTable {
            table: HashTable::new(),
            hasher: RandomState::default(),
        }
    }
}

impl StringTable {
    /// The slot of a string equal to `s` written in `out` before, or the
    /// hash to [`StringTable::insert`] it under.
    #[inline]
    pub(crate) fn find(&self, s: &[u8], out: &[u8]) -> Result<u32, u64> {
        let hash = self.hasher.hash_one(s);
        let same = |w: &Written| w.hash == hash && out.get(w.at..w.at + w.len as usize) == Some(s);
        self.table.find(hash, same).map(|w| w.index).ok_or(hash)
    }

    /// Records that a string (hash from [`StringTable::find`]) of `len`
    /// bytes was written at `out[at..]`; it takes the next slot.
    // Measured: hashbrown's entry API (one probe for both) cost more
    // instructions than this second probe.
    #[inline]
    pub(crate) fn insert(&mut self, hash: u64, at: usize, len: u32) {
        let index = self.table.len() as u32;
        if self.table.capacity() == 0 {
            self.table.reserve(FIRST_CAPACITY, |w| w.hash);
        }
        let written = Written {
            hash,
            at,
            len,
            index,
        };
        self.table.insert_unique(hash, written, |w| w.hash);
    }

    /// Forgets every string (a new header or body value).
    pub(crate) fn clear(&mut self) {
        self.table.clear();
    }
}
