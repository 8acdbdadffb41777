//! `bhxh-central`: the reference central server.

use anyhow::Context;
use bhxh_central::{AppState, ServerConfig, seed_demo};
use bhxh_protocol::FaultSettings;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "bhxh-central",
    version,
    about = "Reference central server of the BHXH electronic-transaction registrations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Fault {
    MalformedPages,
    CorruptDocuments,
    /// Half of each document, then the connection breaks.
    CutDocuments,
}

/// `--fault-percent KIND=N`: a share of requests failing one way.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FaultKind {
    /// 503 before doing anything.
    Error,
    /// Connection dropped before doing anything.
    Drop,
    /// Decision committed, then the connection dropped before the answer.
    CommitDrop,
    /// 429 with Retry-After: 1.
    Throttle,
    /// The bearer token expires on the spot (401).
    ExpireToken,
}

fn parse_fault_percent(s: &str) -> Result<(FaultKind, u8), String> {
    let (kind, n) = s.split_once('=').ok_or("expected KIND=PERCENT")?;
    let kind = FaultKind::from_str(kind, true)?;
    let n: u8 = n.parse().map_err(|_| format!("{n:?} is not a percentage"))?;
    if n > 100 {
        return Err("a percentage is at most 100".into());
    }
    Ok((kind, n))
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API. Prints `listening on http://ADDR` (or https) as the first line of stdout.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8716")]
        listen: SocketAddr,
        #[arg(long)]
        data: PathBuf,
        /// Create the demo accounts and make sure at least N demo declarations exist.
        #[arg(long)]
        demo: Option<u64>,
        /// Also make sure at least N declarations without documents exist (load and crash tests).
        #[arg(long)]
        bulk: Option<u64>,
        #[arg(long, default_value_t = 2021)]
        seed: u64,
        /// Enable `/admin/*` (fault injection at run time).
        #[arg(long)]
        admin: bool,
        /// Inject a fault from the start (repeatable).
        #[arg(long, value_enum)]
        fault: Vec<Fault>,
        /// A share of requests failing one way, e.g. `--fault-percent drop=30` (repeatable).
        #[arg(long, value_parser = parse_fault_percent)]
        fault_percent: Vec<(FaultKind, u8)>,
        /// Added latency in milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Serve HTTPS with a self-signed certificate made once and kept in the data
        /// directory; its SHA-256 (the desk's pin) is printed on the second line.
        #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
        tls: bool,
        /// Serve HTTPS with this certificate chain (PEM) and `--tls-key`.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Print every recorded decision (for tests comparing client and server).
    Decisions {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Generate declarations and submit them to a running server through its
    /// submission endpoint, as the VssID app and the portal do.
    Submit {
        #[arg(long)]
        central: String,
        /// The channel key the server keeps (`channel.key` in its data directory).
        #[arg(long)]
        channel_key_file: std::path::PathBuf,
        /// The channel's name in the signature.
        #[arg(long, default_value = "demo")]
        channel: String,
        #[arg(long, default_value_t = 1)]
        count: u64,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// First generator index (use different ranges to get different people).
        #[arg(long, default_value_t = 100_000)]
        start_index: u64,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new()?;
    match cli.command {
        Command::Decisions { data, json } => {
            let state = AppState::open(&ServerConfig {
                data_dir: data.clone(),
                admin: false,
                faults: FaultSettings::default(),
            })
            .with_context(|| format!("opening data directory {}", data.display()))?;
            let all = state.with_store(|s| s.all_decisions())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for d in all {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        d.declaration_id,
                        d.outcome.code(),
                        d.officer,
                        d.reasons.join(","),
                        d.idempotency_key
                    );
                }
            }
            Ok(())
        }
        Command::Serve {
            listen,
            data,
            demo,
            bulk,
            seed,
            admin,
            fault,
            fault_percent,
            latency_ms,
            tls,
            tls_cert,
            tls_key,
        } => {
            // The admin routes change passwords and inject faults: never reachable from
            // another machine, and only with the token the server writes beside its data.
            anyhow::ensure!(
                !admin || listen.ip().is_loopback(),
                "--admin needs a loopback --listen address (127.0.0.1 or ::1), not {listen}"
            );
            let tls = match (tls, tls_cert, tls_key) {
                (true, ..) => Some(bhxh_central::ServerTls::self_signed(&data.join("tls"))?),
                (false, Some(cert), Some(key)) => Some(bhxh_central::ServerTls::from_pem_files(&cert, &key)?),
                _ => None,
            };
            let mut faults = FaultSettings { latency_ms, ..FaultSettings::default() };
            for f in fault {
                match f {
                    Fault::MalformedPages => faults.malformed_pages = true,
                    Fault::CorruptDocuments => faults.corrupt_documents = true,
                    Fault::CutDocuments => faults.cut_documents = true,
                }
            }
            for (kind, n) in fault_percent {
                match kind {
                    FaultKind::Error => faults.error_percent = n,
                    FaultKind::Drop => faults.drop_percent = n,
                    FaultKind::CommitDrop => faults.commit_drop_percent = n,
                    FaultKind::Throttle => faults.throttle_percent = n,
                    FaultKind::ExpireToken => faults.expire_token_percent = n,
                }
            }
            let state = AppState::open(&ServerConfig { data_dir: data.clone(), admin, faults })
                .with_context(|| format!("opening data directory {}", data.display()))?
                .with_clock(server_clock()?);
            if let Some(n) = demo {
                let started = std::time::Instant::now();
                let made = seed_demo(&state, n, seed)?;
                tracing::info!(made, elapsed_ms = started.elapsed().as_millis() as u64, "demo data ready");
            }
            if let Some(n) = bulk {
                if demo.is_none() {
                    seed_demo(&state, 0, seed)?;
                }
                let have = state.with_store(|s| s.count_declarations())?;
                if have < n {
                    bhxh_central::seed_bulk(&state, n - have, seed, 1_000_000 + have)?;
                }
            }
            rt.block_on(async move {
                let server = bhxh_central::start_with(listen, state, tls).await?;
                println!("listening on {}", server.url());
                if let Some(f) = &server.tls_fingerprint {
                    println!("certificate sha256 {f}");
                }
                std::io::stdout().flush()?;
                tokio::signal::ctrl_c().await?;
                server.stop().await;
                Ok(())
            })
        }
        Command::Submit { central, channel_key_file, channel, count, seed, start_index } => rt.block_on(async move {
            let clock = server_clock()?;
            let key_text = std::fs::read_to_string(&channel_key_file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", channel_key_file.display()))?;
            let key = hex::decode(key_text.trim())
                .map_err(|e| anyhow::anyhow!("{}: not a hex key: {e}", channel_key_file.display()))?;
            let generator = bhxh_fixtures::Generator::new(seed)?;
            let client = reqwest::Client::new();
            let url = format!("{}/v1/submissions", central.trim_end_matches('/'));
            for i in start_index..start_index + count {
                let d = generator.declaration(i, clock.now())?;
                let body = serde_json::to_vec(&d.submission)?;
                let resp =
                    bhxh_central::channel::signed_submission(&client, &central, &key, &channel, clock.now(), body)
                        .send()
                        .await?;
                let status = resp.status();
                let body = resp.text().await?;
                if !status.is_success() {
                    anyhow::bail!("POST {url} answered {status}: {body}");
                }
                println!("{body}");
            }
            Ok(())
        }),
    }
}

/// The reference server's clock: the machine's, or from `BHXH_CLOCK_START` (an RFC 3339
/// instant) so the tests and the demo can run the office at 00:01 on New Year's Day.
fn server_clock() -> anyhow::Result<bhxh_domain::Clock> {
    let raw = std::env::var(bhxh_domain::clock::CLOCK_START_VAR).ok();
    Ok(bhxh_domain::Clock::from_start_var(raw.as_deref())?)
}
