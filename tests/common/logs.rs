//! The gateway's log output, captured in memory for tests that assert on
//! what it logs (escaped as the binary writes it).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Everything every test in this binary logs from the first call on, at
/// TRACE. One subscriber per test binary: each test looks for its own
/// marks in the shared text.
pub(crate) fn capture_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .fmt_fields(flexgate_gateway::logging::LogFields)
            .with_writer(flexgate_gateway::logging::Escaping(move || {
                Sink(sink.clone())
            }))
            .init();
        logs
    })
    .clone()
}

/// What was captured so far, as text.
pub(crate) fn captured(logs: &Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(&logs.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
