//! Logging: tracing to stderr, `RUST_LOG` honoured, and the token scrubbed from every line
//! whatever any library decides to log.

use std::io::Write;
use std::sync::Arc;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The default when `RUST_LOG` is not set: our own info lines, libraries' warnings.
const DEFAULT_FILTER: &str = "warn,quotebot=info";

/// Installs the subscriber; `secret` never reaches the output.
pub fn init(secret: Option<&str>) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let writer = Redacting {
        secret: secret.filter(|s| !s.is_empty()).map(Arc::from),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .try_init();
}

struct Redacting {
    secret: Option<Arc<str>>,
}

/// Buffers one log event and writes it, scrubbed, when the event is complete.
pub struct RedactingWriter {
    secret: Option<Arc<str>>,
    buffer: Vec<u8>,
}

impl<'a> MakeWriter<'a> for Redacting {
    type Writer = RedactingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            secret: self.secret.clone(),
            buffer: Vec::new(),
        }
    }
}

impl Write for RedactingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingWriter {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.buffer);
        let text = match &self.secret {
            Some(secret) => text.replace(&**secret, "[redacted]"),
            None => text.into_owned(),
        };
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}
