//! Messaging broker (filled in by the broker work).
