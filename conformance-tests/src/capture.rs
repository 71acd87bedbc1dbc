//! Everything the library logs, captured in memory at TRACE level for the whole run, so the
//! redaction scenario can search it. The simulators' own logs are left out: they are the
//! provider's side, not the library's.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// A `tracing` writer that appends to a shared buffer.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far, from byte `from` on.
    pub fn text_from(&self, from: usize) -> String {
        let buffer = self.0.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(buffer.get(from..).unwrap_or_default()).into_owned()
    }

    /// How many bytes were written so far.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Write for Captured {
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

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

static LOG: OnceLock<Option<Captured>> = OnceLock::new();

/// Installs the capture as the process's global subscriber (once) and returns it; `None`
/// when another global subscriber was installed first.
///
/// A global subscriber rather than one scoped to each scenario: scoped subscribers on
/// concurrently running tasks can miss events whose callsite interest was cached while no
/// subscriber wanted them.
pub fn install() -> Option<&'static Captured> {
    LOG.get_or_init(|| {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "trace,odeme_sandbox=off,axum=off,tower=off",
            ))
            .with_ansi(false)
            .with_writer(captured.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .ok()
            .map(|()| captured)
    })
    .as_ref()
}
