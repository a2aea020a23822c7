//! The flexgate gateway.
