//! bhxh-desk: the Tauri shell. Without a subcommand it opens the window; `sync`, `queue`, `decide`, `outbox`,
//! `retention`, `import-paper` and `audit verify` run headless on the same core (for scripts and tests).
//!
//! The shell only converts and delegates to `bhxh-desk-core`, where the behaviour can be tested without a window.
//! Everything command-shaped is generated from the core's command table (`crates/desk/src/command_table.rs`): the Tauri
//! commands (`commands.rs`), a few lines each, all off the GTK main thread (which paints the window); their handler
//! (`command_table!(handler)`); and, in `build.rs`, one permission per command and the window's capability
//! `capabilities/main.json`, generated on each build and not committed: the window may call the app's own commands and
//! nothing else. `docproto.rs` serves the `bhxhdoc://` protocol: document images from the cache's store after the role
//! check, `no-store`, CORS only for the app's own page.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[macro_use]
mod commands;
mod docproto;
mod folder;
mod instance;
mod logs;
mod opener;
mod title;
mod webview;

use bhxh_desk_core::deployment::{Deployment, LogLevel, Overrides, WebRendering};
use bhxh_desk_core::{Desk, DeskConfig, headless};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tauri::Manager;

#[derive(Parser)]
#[command(name = "bhxh-desk", version, about = "Duyệt tờ khai đăng ký giao dịch điện tử BHXH")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Data directory of the local cache (default: the platform's app data folder).
    #[arg(long, env = "BHXH_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// The office's central service: shown on the login screen, the only one logged in to. IT sets it in the
    /// machine's configuration file; in a release build that file wins over this flag.
    #[arg(long, env = "BHXH_CENTRAL_URL")]
    central_url: Option<String>,
    /// User name to prefill.
    #[arg(long, env = "BHXH_USER")]
    user_name: Option<String>,
    /// Days a decided declaration's documents stay on this PC once the decision is on record (default 7).
    #[arg(long, env = "BHXH_RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(0..=365))]
    retention_days: Option<u32>,
    /// Days the data may be unlocked offline after the last online login.
    #[arg(long, env = "BHXH_MAX_OFFLINE_DAYS", value_parser = clap::value_parser!(u32).range(0..=90))]
    max_offline_days: Option<u32>,
    /// Declarations of the queue whose documents are downloaded ahead (default 30); the others download when opened.
    #[arg(long, env = "BHXH_DOCUMENTS_AHEAD", value_parser = clap::value_parser!(u32).range(0..=1000))]
    documents_ahead: Option<u32>,
    /// The document store's budget in MB (default 2048): past it, the least recently used documents of undecided
    /// declarations leave this PC.
    #[arg(long, env = "BHXH_DOCUMENT_BUDGET_MB", value_parser = clap::value_parser!(u32).range(100..=1_000_000))]
    document_budget_mb: Option<u32>,
    /// The folder for exports and letters (outside the data folder); a supervisor
    /// may choose another in the window.
    #[arg(long, env = "BHXH_EXPORT_DIR")]
    export_dir: Option<PathBuf>,
    /// SHA-256 of the central service's TLS certificate (64 hex digits, colons
    /// allowed): with it, the app talks only to the server presenting that certificate.
    #[arg(long, env = "BHXH_CENTRAL_CERT_SHA256", global = true)]
    central_cert_sha256: Option<bhxh_desk_core::CertPin>,
    /// The BHXH office this PC serves: accounts of other offices are not logged in.
    #[arg(long, env = "BHXH_OFFICE_CODE")]
    office_code: Option<String>,
    /// Minutes without activity before the screen locks (default 15).
    #[arg(long, env = "BHXH_IDLE_LOCK_MINUTES", value_parser = clap::value_parser!(u32).range(1..=240))]
    idle_lock_minutes: Option<u32>,
    /// error, warn, info (default), debug or trace.
    #[arg(long, env = "BHXH_LOG_LEVEL", value_enum)]
    log_level: Option<LogLevelArg>,
    /// How the window is drawn: gpu (default) or software.
    #[arg(long, env = "BHXH_WEB_RENDERING", value_enum)]
    web_rendering: Option<WebRenderingArg>,
    /// Password to prefill (demo only).
    #[arg(long, env = "BHXH_DEMO_PASSWORD", hide = true)]
    demo_password: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogLevelArg {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum WebRenderingArg {
    Software,
    Gpu,
}

impl From<WebRenderingArg> for WebRendering {
    fn from(r: WebRenderingArg) -> Self {
        match r {
            WebRenderingArg::Software => WebRendering::Software,
            WebRenderingArg::Gpu => WebRendering::Gpu,
        }
    }
}

impl From<LogLevelArg> for LogLevel {
    fn from(l: LogLevelArg) -> Self {
        match l {
            LogLevelArg::Error => LogLevel::Error,
            LogLevelArg::Warn => LogLevel::Warn,
            LogLevelArg::Info => LogLevel::Info,
            LogLevelArg::Debug => LogLevel::Debug,
            LogLevelArg::Trace => LogLevel::Trace,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OutcomeArg {
    Approve,
    Resubmit,
    Reject,
    Escalate,
    /// On hold for the signed paper form (where the office's rule wants one).
    Hold,
}

impl From<OutcomeArg> for bhxh_domain::Outcome {
    fn from(o: OutcomeArg) -> Self {
        match o {
            OutcomeArg::Approve => bhxh_domain::Outcome::Approve,
            OutcomeArg::Resubmit => bhxh_domain::Outcome::Resubmit,
            OutcomeArg::Reject => bhxh_domain::Outcome::Reject,
            OutcomeArg::Escalate => bhxh_domain::Outcome::Escalate,
            OutcomeArg::Hold => bhxh_domain::Outcome::Hold,
        }
    }
}

/// Whose cache a headless command opens: it is sealed under that officer's password.
#[derive(clap::Args)]
struct Officer {
    #[arg(long, env = "BHXH_USER")]
    user: String,
    #[arg(long, env = "BHXH_PASSWORD")]
    password: String,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the keyed chain of an officer's audit log; report the first broken link.
    Verify {
        #[command(flatten)]
        officer: Officer,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Log in, pull the office's queue and documents into the cache, print what was pulled.
    Sync {
        #[arg(long)]
        central: String,
        #[command(flatten)]
        officer: Officer,
    },
    /// Record a decision in the officer's cache, offline; the next `sync` delivers it.
    Decide {
        #[arg(long)]
        id: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// Reason code from assets/reasons.tsv (repeatable).
        #[arg(long = "reason")]
        reasons: Vec<String>,
        #[arg(long)]
        note: Option<String>,
        /// The signed paper Mẫu 01 was seen.
        #[arg(long)]
        paper_seen: bool,
        #[command(flatten)]
        officer: Officer,
    },
    /// Print the decisions recorded on this PC and how their delivery stands.
    Outbox {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        officer: Officer,
    },
    /// Which declarations' documents this PC holds and until when; `--purge` deletes
    /// those past their time (decision on record for more than --keep-days).
    Retention {
        #[arg(long, default_value_t = 7)]
        keep_days: u32,
        #[arg(long)]
        purge: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        officer: Officer,
    },
    /// Import a PDF of paper Mẫu 01 forms (one form or a unit's stack) into the
    /// officer's cache and print how each page was matched (qr, text, none).
    ImportPaper {
        /// The PDF file.
        file: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        officer: Officer,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the declarations in an officer's cache (unlocked with their password).
    Queue {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        officer: Officer,
    },
}

/// What the process holds (a citizen's ID photo, the data key) stays in it: a
/// crash leaves no core file, and no other program of the same user may attach to
/// it or read its memory (`/proc/<pid>/mem` goes with it).
fn harden_process() {
    #[cfg(unix)]
    if let Err(e) = rlimit::Resource::CORE.set(0, 0) {
        tracing::warn!(error = %e, "core files could not be turned off");
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes integers only and changes a flag of this process.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            tracing::warn!(error = %std::io::Error::last_os_error(), "the process could not be made undumpable");
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = Overrides {
        central_url: cli.central_url.clone(),
        central_cert_sha256: cli.central_cert_sha256,
        office_code: cli.office_code.clone(),
        idle_lock_minutes: cli.idle_lock_minutes,
        retention_days: cli.retention_days,
        max_offline_days: cli.max_offline_days,
        documents_ahead: cli.documents_ahead,
        document_budget_mb: cli.document_budget_mb,
        export_dir: cli.export_dir.clone(),
        log_level: cli.log_level.map(LogLevel::from),
        web_rendering: cli.web_rendering.map(WebRendering::from),
    };
    // Tauri's context: the window's configuration and the package's name, which names the resource folder. Known
    // first: an installed app then ignores the development variables (log folder, PDFium, assets).
    let context = tauri::generate_context!();
    let installed = use_installed_resources(context.package_info());
    // A refused file is said on the login screen and in the log; the defaults stand meanwhile, and no one logs in.
    let loaded = Deployment::load(overrides);
    let level = loaded.as_ref().map_or(LogLevel::Info, |d| d.log_level.value);
    webview::choose_rendering(loaded.as_ref().map_or(WebRendering::Gpu, |d| d.web_rendering.value));
    let _log = logs::init(level, cli.command.is_none());
    harden_process();
    let deployment = match loaded {
        Ok(d) => {
            for flag in &d.ignored_flags {
                tracing::warn!(flag, "flag ignored: the machine's configuration file sets it");
            }
            DeskConfig::deployed(&d, PathBuf::new())
        }
        Err(e) => {
            tracing::error!(error = %e, "configuration file refused");
            DeskConfig {
                deployment: bhxh_desk_core::deployment::Report::refused(&e),
                ..DeskConfig::deployed(&Deployment::default(), PathBuf::new())
            }
        }
    };
    if let Some(dir) = &installed {
        tracing::info!(resources = %dir.display(), "installed: the package's files");
    }
    let Some(command) = cli.command else {
        // The data folder is the platform's app data folder when not given.
        let config = DeskConfig { default_username: cli.user_name, default_password: cli.demo_password, ..deployment };
        return run_window(cli.data_dir, config, context);
    };
    // A script gets no further than the window with a refused configuration file.
    if let Some(problem) = &deployment.deployment.problem {
        return fail(&problem.vi);
    }
    // Every headless command works on a cache in a named place.
    let Some(dir) = cli.data_dir else { return usage("--data-dir is required") };
    match command {
        Command::Sync { central, officer: Officer { user, password } } => {
            let rt = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(e) => return fail(&e.to_string()),
            };
            // IT's server, where one is configured: a script sends the password nowhere else.
            if let Some(configured) = &deployment.central_url
                && !bhxh_desk_core::same_server(configured, &central)
            {
                return fail(&format!(
                    "máy chủ {central} không phải máy chủ trung tâm đã cấu hình cho máy này ({configured}); chưa gửi mật khẩu."
                ));
            }
            let pin = deployment.central_cert_pin;
            let synced = rt.block_on(headless::sync(&central, &user, &password, &dir, pin, deployment.document_policy));
            answer(synced, false, |line| println!("{line}"))
        }
        Command::Queue { json, officer: Officer { user, password } } => {
            answer(headless::queue_rows(&dir, &user, &password), json, |rows| {
                for r in rows {
                    println!("{}\t{}\t{}\t{:?}\t{}", r.id, r.ma_so_bhxh, r.full_name, r.kind, r.submitted_at);
                }
            })
        }
        Command::Decide { id, outcome, reasons, note, paper_seen, officer: Officer { user, password } } => {
            let draft = bhxh_domain::DecisionDraft { outcome: outcome.into(), reasons, note, paper_seen };
            let input = bhxh_desk_core::ipc::DecideInput { id, draft };
            answer(headless::decide(&dir, &user, &password, input), false, |r| {
                println!("{}\t{}\t{}", r.key, r.declaration_id, r.outcome.code());
            })
        }
        Command::Outbox { json, officer: Officer { user, password } } => {
            answer(headless::outbox(&dir, &user, &password), json, |rows| {
                for r in rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        r.key,
                        r.declaration_id,
                        r.outcome.code(),
                        r.state.code(),
                        r.attempts
                    );
                }
            })
        }
        Command::Retention { keep_days, purge, json, officer: Officer { user, password } } => {
            let held =
                headless::retention(&dir, &user, &password, keep_days, purge).map(|(held, (declarations, files))| {
                    if purge {
                        eprintln!("deleted {files} files of {declarations} decided declarations");
                    }
                    held
                });
            answer(held, json, |held| {
                for h in held {
                    let until = h.purge_after.map_or("while pending".to_owned(), |t| t.to_rfc3339());
                    println!("{}\t{} documents\t{} bytes\tkept until {until}", h.declaration_id, h.documents, h.bytes);
                }
            })
        }
        Command::ImportPaper { file, json, officer: Officer { user, password } } => {
            answer(headless::import_paper(&dir, &user, &password, &file), json, |s| {
                for r in &s.rows {
                    let candidates: Vec<&str> = r.candidates.iter().map(|c| c.id.as_str()).collect();
                    println!(
                        "page {}\t{}\t{}\t{}",
                        r.page_index + 1,
                        r.matched_by.code(),
                        r.declaration_id.as_deref().unwrap_or("-"),
                        if r.declaration_id.is_some() {
                            r.findings.iter().map(|f| f.vi.as_str()).collect::<Vec<_>>().join("; ")
                        } else {
                            candidates.join(",")
                        }
                    );
                }
                println!(
                    "{} pages: {} by QR, {} by text, {} to match by hand; unit {}: {} forms missing",
                    s.pages,
                    s.matched_qr,
                    s.matched_text,
                    s.need_hand,
                    s.unit_code.as_deref().unwrap_or("?"),
                    s.unit_missing_forms
                );
            })
        }
        Command::Audit { command: AuditCommand::Verify { officer } } => {
            match headless::audit_verify(&dir, &officer.user, &officer.password) {
                Ok(report) => match report.first_broken {
                    None => {
                        println!("audit chain intact: {} rows", report.rows);
                        ExitCode::SUCCESS
                    }
                    Some((seq, why)) => {
                        println!("audit chain broken at row {seq}: {why}");
                        ExitCode::from(3)
                    }
                },
                Err(e) => fail(&e.message.vi),
            }
        }
    }
}

/// A headless command's answer on stdout: JSON when asked, else its text lines;
/// an error on stderr, in Vietnamese, with a failing exit code.
fn answer<T: serde::Serialize>(
    result: Result<T, bhxh_desk_core::AppError>,
    json: bool,
    text: impl FnOnce(T),
) -> ExitCode {
    match result {
        Ok(value) if json => print_json(&value),
        Ok(value) => {
            text(value);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.message.vi),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("bhxh-desk: {msg}");
    ExitCode::from(2)
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("bhxh-desk: lỗi: {msg}");
    ExitCode::FAILURE
}

/// An installed app takes its files from the package's resource folder (where the `.deb` put `assets/` and
/// PDFium) and from nowhere else; run from a checkout, there is no such folder and the development places apply.
fn use_installed_resources(package: &tauri::PackageInfo) -> Option<PathBuf> {
    match tauri::utils::platform::resource_dir(package, &tauri::Env::default()) {
        Ok(dir) if dir.join("assets").is_dir() => {
            bhxh_desk_core::use_installed_resources(dir.clone());
            Some(dir)
        }
        Ok(_) | Err(_) => None,
    }
}

fn run_window(data_dir: Option<PathBuf>, config: DeskConfig, context: tauri::Context) -> ExitCode {
    // First: a second launch must hand over before anything of its own opens the cache.
    let result = tauri::Builder::default()
        .plugin(instance::plugin(data_dir.as_deref()))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::SIZE
                        | tauri_plugin_window_state::StateFlags::POSITION
                        | tauri_plugin_window_state::StateFlags::MAXIMIZED,
                )
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol(docproto::SCHEME, docproto::handle)
        .setup(move |app| {
            let dir = match data_dir {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            let desk =
                Desk::open(DeskConfig { data_dir: dir, ..config.clone() }).map_err(|e| anyhow::anyhow!(e.message))?;
            let desk = Arc::new(desk);
            desk.set_folder_picker(Arc::new(folder::NativePicker(app.handle().clone())));
            desk.set_file_opener(Arc::new(opener::SystemOpener));
            desk.set_title_sink(Arc::new(title::WindowTitle(app.handle().clone())));
            app.manage(desk.clone());
            // Two threads decode document images for the window; 64 requests may wait.
            app.manage(Arc::new(bhxh_desk_core::images::ImagePool::new(2, 64)));
            tauri::async_runtime::spawn(desk.run_background(Duration::from_secs(3), Duration::from_secs(60)));
            Ok(())
        })
        .invoke_handler(bhxh_desk_core::command_table!(handler))
        .run(context);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use bhxh_desk_core::api::COMMANDS;
    use std::collections::BTreeSet;

    /// The window may call exactly the app's commands: one permission per command
    /// in the capability, and Tauri's generated permission files agree.
    #[test]
    fn capability_grants_exactly_the_app_commands() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("capability JSON");
        let granted: BTreeSet<String> = cap["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("string permission").to_owned())
            .collect();
        let wanted: BTreeSet<String> = COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
        assert_eq!(granted, wanted);
        let generated: BTreeSet<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/permissions/autogenerated"))
                .expect("generated permissions")
                .map(|e| e.expect("entry").file_name().to_string_lossy().trim_end_matches(".toml").to_owned())
                .collect();
        assert_eq!(generated, COMMANDS.iter().map(|c| c.to_string()).collect::<BTreeSet<_>>());
    }

    /// Run in a child process: the limits it sets hold for the whole process.
    #[cfg(unix)]
    #[test]
    fn a_crash_leaves_no_core_file_and_no_program_reads_the_process() {
        const CHILD: &str = "BHXH_HARDEN_TEST_CHILD";
        if std::env::var_os(CHILD).is_some() {
            super::harden_process();
            assert_eq!(rlimit::Resource::CORE.get().expect("core limit"), (0, 0), "core files are off");
            #[cfg(target_os = "linux")]
            {
                // SAFETY: PR_GET_DUMPABLE takes integers only and reads a flag of this process.
                let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
                assert_eq!(dumpable, 0, "the process is not dumpable");
            }
            return;
        }
        let status = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args([
                "--exact",
                "tests::a_crash_leaves_no_core_file_and_no_program_reads_the_process",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .status()
            .expect("child");
        assert!(status.success(), "the child's checks failed");
    }
}
