//! `tern-bench`: the load generator. One subcommand per scenario of ../shared/performance.md
//! (S1–S7); each run is bounded in clients and time, targets loopback only, prints one summary
//! line and can write JSON. See docs/benchmarks.md for the commands behind every figure.

mod fleet;
mod population;
mod report;
mod scenarios;
mod server;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "tern-bench",
    version,
    about = "Load generator and benchmarks for tern"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    scenario: Scenario,
}

/// Settings shared by every scenario.
#[derive(Args, Clone, Debug)]
pub struct Common {
    /// Benchmark running servers at these URLs (comma-separated, one per node) instead of
    /// starting them; clients are spread over them.
    #[arg(long, global = true, value_delimiter = ',')]
    pub server: Vec<String>,
    /// With --server: their process ids (comma-separated), to read CPU time and memory.
    #[arg(long, global = true, value_delimiter = ',')]
    pub server_pid: Vec<u32>,
    /// Nodes to start (more than one needs --database-url postgres://… and --redis-url).
    #[arg(long, global = true, default_value_t = 1)]
    pub nodes: usize,
    /// Database for the started nodes (default: SQLite in a fresh directory).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Redis for the started nodes.
    #[arg(long, global = true)]
    pub redis_url: Option<String>,
    /// The tern binary to start [default: `tern` next to this program].
    #[arg(long, global = true)]
    pub tern: Option<PathBuf>,
    /// Extra TERN_* settings for the started server, as KEY=VALUE (repeatable).
    #[arg(long = "server-env", global = true)]
    pub server_env: Vec<String>,
    /// Tiny sizes and seconds: checks that the scenario works, measures nothing meaningful.
    #[arg(long, global = true)]
    pub smoke: bool,
    /// Also write the results as JSON to this file.
    #[arg(long, global = true)]
    pub json: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Scenario {
    /// S1: server memory per idle, authenticated connection.
    Idle(scenarios::idle::Options),
    /// S2: connect + token login storm, then a reconnect storm with messages in flight.
    Storm(scenarios::storm::Options),
    /// S4: 1:1 messages at a fixed rate (open loop): latency from the intended send time.
    Rate(scenarios::rate::Options),
    /// S3: 1:1 saturation (closed loop): messages/s and server CPU per message.
    Saturate(scenarios::saturate::Options),
    /// S5: group fan-out: deliveries/s, CPU per delivery, first→last recipient spread.
    Fanout(scenarios::fanout::Options),
    /// Read receipts in a large group: frames per connection, read→sender delay, CPU per read.
    Receipts(scenarios::receipts::Options),
    /// S10: files: upload/download throughput against dd, memory during a large upload, small
    /// pictures per request, the processing of a 12-megapixel photo.
    Files(scenarios::files::Options),
    /// S6: offline catch-up: one client missing many messages, and many clients at once.
    Catchup(scenarios::catchup::Options),
    /// S7: cold start (exec → first accepted WebSocket), idle memory, binary size.
    Cold(scenarios::cold::Options),
    /// Every scenario in turn with its defaults (with --smoke: the CI check).
    All,
    /// Holds connections for another tern-bench run: a token count, then the tokens, on stdin.
    #[command(hide = true)]
    Hold {
        /// Local address to connect from.
        #[arg(long)]
        source: std::net::IpAddr,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tern-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tern-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let c = &cli.common;
    let mut results = Vec::new();
    match cli.scenario {
        Scenario::Idle(o) => results.push(scenarios::idle::run(c, o).await?),
        Scenario::Storm(o) => results.push(scenarios::storm::run(c, o).await?),
        Scenario::Rate(o) => results.push(scenarios::rate::run(c, o).await?),
        Scenario::Saturate(o) => results.push(scenarios::saturate::run(c, o).await?),
        Scenario::Fanout(o) => results.push(scenarios::fanout::run(c, o).await?),
        Scenario::Receipts(o) => results.push(scenarios::receipts::run(c, o).await?),
        Scenario::Catchup(o) => results.push(scenarios::catchup::run(c, o).await?),
        Scenario::Files(o) => results.push(scenarios::files::run(c, o).await?),
        Scenario::Cold(o) => results.push(scenarios::cold::run(c, o).await?),
        Scenario::Hold { source } => return fleet::run_holder(&c.server, source).await,
        Scenario::All => {
            results.push(scenarios::cold::run(c, Default::default()).await?);
            results.push(scenarios::idle::run(c, Default::default()).await?);
            results.push(scenarios::storm::run(c, Default::default()).await?);
            results.push(scenarios::rate::run(c, Default::default()).await?);
            results.push(scenarios::saturate::run(c, Default::default()).await?);
            results.push(scenarios::fanout::run(c, Default::default()).await?);
            let storm = scenarios::fanout::Options {
                reactions: true,
                ..Default::default()
            };
            results.push(scenarios::fanout::run(c, storm).await?);
            results.push(scenarios::receipts::run(c, Default::default()).await?);
            results.push(scenarios::catchup::run(c, Default::default()).await?);
            results.push(scenarios::files::run(c, Default::default()).await?);
        }
    }
    report::write_json(c, &results)
}
