//! What a selector may cost: the parser's bounds and the broker's
//! defaults for the source and header sizes.

/// Deepest nesting of parentheses, `NOT` and unary signs. Hand-written
/// selectors nest a handful of levels. Each level of parentheses is eight
/// parser frames (one per precedence level); in a debug build 32 levels
/// take about 400 KiB of stack (64 took 768 KiB), a fifth of the 2 MiB a
/// runtime worker has, and far less in a release build.
pub const MAX_NESTING: usize = 32;

/// Most expression nodes (operators, identifiers and literals; an `IN`
/// test with its list is one node, its list being bounded by the source
/// length and walked without recursion). A tree of n nodes is at most n deep, so this
/// bounds the recursion of evaluation and drop, and the work done per
/// message. 256 nodes is about 60 comparisons joined by `AND`/`OR`, far beyond
/// what a Flex consumer writes, and a long `a = 1 OR a = 2 OR …` is better
/// written `a IN (1, 2, …)`.
pub const MAX_NODES: usize = 256;

/// Default bound on a selector's source, in bytes (the broker's
/// `max_selector_bytes`).
pub const DEFAULT_MAX_SELECTOR_BYTES: usize = 4096;

/// Default bound on the string header bytes a selector inspects (the
/// broker's `max_selector_header_bytes`); a longer string header is present
/// but not comparable, like a header of a type selectors cannot compare.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 64 * 1024;

/// Longest `LIKE` segment (between `%`s) that holds a `_`, in characters.
/// Such a segment is searched bit-parallel, one machine word per text
/// character up to this length; longer ones would cost a word more per 64
/// characters for every character of the header (a 4 KiB one took 5.8 ms
/// against a 64 KiB header), and real patterns are far shorter.
pub const MAX_WILD_LIKE_SEGMENT: usize = 64;
