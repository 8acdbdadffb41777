//! Where the app's log goes. The window writes daily files in the platform's log folder, fourteen kept (a support
//! call reaches back two weeks); a headless command writes to stderr for its script. The lines' times are UTC with
//! their `Z`, as the files' dates are: a log is for IT, not a date shown to an officer. Nothing logged names a
//! citizen (the window tests read every line for the demo people's identifiers).

use bhxh_desk_core::deployment::{LogLevel, log_dir};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Daily files kept.
pub const KEEP_FILES: usize = 14;

/// The app's own crates log at IT's level; the libraries under them (HTTP, D-Bus, WebKit's glue) only warnings:
/// at `debug` they would write requests and answers.
const OURS: [&str; 7] =
    ["bhxh_desk", "bhxh_desk_core", "bhxh_sync", "bhxh_cache", "bhxh_documents", "bhxh_domain", "bhxh_protocol"];

/// Starts logging at `level` (a development build honours `RUST_LOG` over it). For the window, to files as well;
/// the guard flushes them when dropped at exit.
pub fn init(level: LogLevel, window: bool) -> Option<WorkerGuard> {
    let filter = || {
        let from_env = if cfg!(debug_assertions) { EnvFilter::try_from_default_env().ok() } else { None };
        from_env.unwrap_or_else(|| {
            let ours: Vec<String> = OURS.iter().map(|c| format!("{c}={}", level.as_str())).collect();
            EnvFilter::new(format!("warn,{}", ours.join(",")))
        })
    };
    let files = if window { log_dir().and_then(|dir| open_files(&dir)) } else { None };
    match files {
        Some((writer, guard)) => {
            let file_layer = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(writer);
            // A release window has no console: its stderr goes nowhere, the files are the log.
            tracing_subscriber::registry().with(filter()).with(file_layer).with(stderr()).init();
            Some(guard)
        }
        None => {
            tracing_subscriber::registry().with(filter()).with(stderr()).init();
            if window {
                tracing::warn!("no log folder could be opened: logging to stderr only");
            }
            None
        }
    }
}

fn stderr<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer().with_writer(std::io::stderr)
}

fn open_files(dir: &std::path::Path) -> Option<(tracing_appender::non_blocking::NonBlocking, WorkerGuard)> {
    if let Err(e) = create_private_dir(dir) {
        eprintln!("bhxh-desk: log folder {} cannot be made: {e}", dir.display());
        return None;
    }
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix(bhxh_desk_core::ipc::LOG_PREFIX)
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(dir);
    match appender {
        Ok(a) => Some(tracing_appender::non_blocking(a)),
        Err(e) => {
            eprintln!("bhxh-desk: log files in {} cannot be written: {e}", dir.display());
            None
        }
    }
}

/// The log folder, readable by this user only (staff names and times are in it), also when it was there before.
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}
