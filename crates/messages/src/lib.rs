//! Flex message types (filled in by the messages work).
