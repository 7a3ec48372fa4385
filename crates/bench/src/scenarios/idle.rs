//! S1: memory per idle, authenticated connection, each user a member of a few conversations.

use crate::Common;
use crate::fleet::{Fleet, PER_PROCESS};
use crate::population;
use crate::report::Outcome;
use crate::server::Target;
use serde_json::json;
use std::time::Duration;

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Idle connections to open (one per user).
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Hold the connections in this many child processes, each connecting from its own
    /// 127.0.0.x, instead of in this one. [default: 0 up to 15,000 clients, then enough
    /// processes for 15,000 each]
    #[arg(long)]
    pub processes: Option<usize>,
    /// Seconds to let the server settle before reading its memory.
    #[arg(long, default_value_t = 8)]
    pub settle_secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clients: 1000,
            processes: None,
            settle_secs: 8,
        }
    }
}

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let (n, settle, processes) = if common.smoke {
        // Two holder processes, so that the smoke run covers them too.
        (20, Duration::from_millis(300), 2)
    } else {
        let processes = o.processes.unwrap_or(if o.clients <= PER_PROCESS {
            0
        } else {
            o.clients.div_ceil(PER_PROCESS)
        });
        (o.clients, Duration::from_secs(o.settle_secs), processes)
    };
    let members = population::users(&target.url, n).await?;
    population::pairs(&members).await?;
    for ten in members.chunks(10).filter(|c| c.len() > 1) {
        population::group(ten).await?;
    }
    // Memory is read after a first half and after the second half of the connections: the
    // slope between the two is the cost of a connection, free of the fixed costs (allocator
    // arenas grown while registering users, the first connection's buffers).
    let tokens: Vec<String> = members.iter().map(|m| m.token.clone()).collect();
    let (first, second) = tokens.split_at(n / 2);
    let mut holders = Holders {
        here: Vec::new(),
        fleet: Fleet::new(),
        processes,
    };
    holders.connect(&target.urls, first).await?;
    tokio::time::sleep(settle).await;
    let before = target.rss_kib();
    holders.connect(&target.urls, second).await?;
    tokio::time::sleep(settle).await;
    let after = target.rss_kib();
    let added = second.len().max(1);
    let per_conn = match (before, after) {
        (Some(b), Some(a)) => Some((a as f64 - b as f64) / added as f64),
        _ => None,
    };
    let summary = match per_conn {
        Some(kib) => format!(
            "{n} idle connections{}: server RSS {} KiB at {}, {} KiB at {n}: {kib:.2} KiB per connection",
            holders.describe(),
            before.unwrap_or(0),
            first.len(),
            after.unwrap_or(0)
        ),
        None => format!("{n} idle connections (server memory unknown: pass --server-pid)"),
    };
    Ok(Outcome::new(
        "idle",
        summary,
        json!({ "clients": n, "holder_processes": holders.fleet.processes(), "rss_at_half_kib": before, "rss_at_all_kib": after, "kib_per_connection": per_conn }),
    ))
}

/// Where the idle clients live: in this process, or in child processes.
struct Holders {
    here: Vec<(tern_sdk::Client, tokio::task::JoinHandle<u64>)>,
    fleet: Fleet,
    processes: usize,
}

impl Holders {
    /// Connects clients, waits for their catch-up, and keeps them (draining their events).
    async fn connect(&mut self, urls: &[String], tokens: &[String]) -> Result<(), String> {
        if self.processes > 0 {
            return self.fleet.hold(urls, tokens, self.processes).await;
        }
        for (client, mut events) in population::connect(urls, tokens, None).await? {
            population::synced(&mut events).await?;
            self.here.push((client, population::drain(events)));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        match self.fleet.processes() {
            0 => String::new(),
            p => format!(" (held by {p} processes)"),
        }
    }
}
