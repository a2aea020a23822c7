//! Helpers shared by the integration tests.
#![allow(dead_code)]

use bytes::Bytes;
use flexgate_amf::{
    eq_external, DecodeError, EncodeError, ExternalInput, ExternalOutput, Externalizable, Registry,
    Value,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Stands in for any externalizable class whose body is one AMF3 value
/// (ArrayCollection, ObjectProxy); the real ones live in flexgate-messages.
#[derive(Debug, PartialEq)]
pub(crate) struct OneValue(pub String, pub Value);

impl Externalizable for OneValue {
    fn class_name(&self) -> &str {
        &self.0
    }
    fn write_external(&self, out: &mut dyn ExternalOutput) -> Result<(), EncodeError> {
        out.write_amf3(&self.1)
    }
    fn eq_external(&self, other: &dyn Externalizable) -> bool {
        eq_external(self, other)
    }
}

pub(crate) fn registry() -> Registry {
    fn collection(d: &mut dyn ExternalInput) -> Result<Value, DecodeError> {
        let v = d.read_amf3()?;
        Ok(Value::External(Arc::new(OneValue(
            "flex.messaging.io.ArrayCollection".into(),
            v,
        ))))
    }
    fn proxy(d: &mut dyn ExternalInput) -> Result<Value, DecodeError> {
        let v = d.read_amf3()?;
        Ok(Value::External(Arc::new(OneValue(
            "flex.messaging.io.ObjectProxy".into(),
            v,
        ))))
    }
    let mut r = Registry::new();
    r.register("flex.messaging.io.ArrayCollection", collection);
    r.register("flex.messaging.io.ObjectProxy", proxy);
    r
}

pub(crate) fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x != "md"))
        .collect();
    files.sort();
    files
}

pub(crate) fn read(p: &Path) -> Bytes {
    Bytes::from(std::fs::read(p).expect("fixture readable"))
}
