//! `bhxh-central`: the reference central server.

use anyhow::Context;
use bhxh_central::{AppState, ServerConfig, seed_demo, start};
use bhxh_protocol::FaultSettings;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "bhxh-central", version, about = "Reference central server of the BHXH electronic-transaction registrations")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Fault {
    MalformedPages,
    CorruptDocuments,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API. Prints `listening on http://ADDR` as the first line of stdout.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8716")]
        listen: SocketAddr,
        #[arg(long)]
        data: PathBuf,
        /// Create the demo accounts and make sure at least N demo declarations exist.
        #[arg(long)]
        demo: Option<u64>,
        #[arg(long, default_value_t = 2021)]
        seed: u64,
        /// Enable `/admin/*` (fault injection at run time).
        #[arg(long)]
        admin: bool,
        /// Inject a fault from the start (repeatable).
        #[arg(long, value_enum)]
        fault: Vec<Fault>,
    },
    /// Generate declarations and submit them to a running server through its
    /// submission endpoint, as the VssID app and the portal do.
    Submit {
        #[arg(long)]
        central: String,
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
        Command::Serve { listen, data, demo, seed, admin, fault } => {
            let mut faults = FaultSettings::default();
            for f in fault {
                match f {
                    Fault::MalformedPages => faults.malformed_pages = true,
                    Fault::CorruptDocuments => faults.corrupt_documents = true,
                }
            }
            let state = AppState::open(&ServerConfig { data_dir: data.clone(), admin, faults })
                .with_context(|| format!("opening data directory {}", data.display()))?;
            if let Some(n) = demo {
                let started = std::time::Instant::now();
                let made = seed_demo(&state, n, seed)?;
                tracing::info!(made, elapsed_ms = started.elapsed().as_millis() as u64, "demo data ready");
            }
            rt.block_on(async move {
                let server = start(listen, state).await?;
                println!("listening on {}", server.url());
                std::io::stdout().flush()?;
                tokio::signal::ctrl_c().await?;
                server.stop().await;
                Ok(())
            })
        }
        Command::Submit { central, count, seed, start_index } => rt.block_on(async move {
            let generator = bhxh_fixtures::Generator::new(seed)?;
            let client = reqwest::Client::new();
            let url = format!("{}/v1/submissions", central.trim_end_matches('/'));
            for i in start_index..start_index + count {
                let d = generator.declaration(i, chrono::Utc::now())?;
                let resp = client.post(&url).json(&d.submission).send().await?;
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
