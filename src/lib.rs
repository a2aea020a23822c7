//! Facade package: hosts the cross-crate tests in `tests/`.
