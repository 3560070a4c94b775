//! Logging: tracing to stderr, `RUST_LOG` honoured, and the token scrubbed from everything
//! that reaches stderr: every log line whatever any library decides to log, the command line's
//! final error message (which may quote an API's response body), and panic messages.

use std::io::Write;
use std::sync::OnceLock;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The default when `RUST_LOG` is not set: our own info lines, libraries' warnings.
const DEFAULT_FILTER: &str = "warn,quotebot=info";

/// The secret of this process, once known: every path to stderr, the log writer included,
/// scrubs it through [`scrub`], so there is one copy of it to get right.
static SECRET: OnceLock<Box<str>> = OnceLock::new();

/// Installs the subscriber and a panic hook; `secret` never reaches the output.
pub fn init(secret: Option<&str>) {
    if let Some(secret) = secret.filter(|s| !s.is_empty())
        && SECRET.set(secret.into()).is_ok()
    {
        // The default hook writes the panic message straight to stderr; write it scrubbed.
        std::panic::set_hook(Box::new(|info| {
            let thread = std::thread::current();
            let message = scrub(&info.to_string());
            let name = thread.name().unwrap_or("<unnamed>");
            let mut stderr = std::io::stderr();
            let _ = writeln!(stderr, "thread '{name}' {message}");
            let backtrace = std::backtrace::Backtrace::capture();
            if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
                let _ = writeln!(stderr, "{backtrace}");
            }
        }));
    }
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting)
        .try_init();
}

/// `text` with the process's secret (if any is known) replaced by `[redacted]`. Everything
/// written to stderr goes through this: log lines, the final error, panic messages.
pub fn scrub(text: &str) -> String {
    match SECRET.get() {
        Some(secret) => text.replace(&**secret, "[redacted]"),
        None => text.to_owned(),
    }
}

struct Redacting;

/// Buffers one log event and writes it, scrubbed, when the event is complete.
pub struct RedactingWriter {
    buffer: Vec<u8>,
}

impl<'a> MakeWriter<'a> for Redacting {
    type Writer = RedactingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter { buffer: Vec::new() }
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
        let text = scrub(&String::from_utf8_lossy(&self.buffer));
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}
