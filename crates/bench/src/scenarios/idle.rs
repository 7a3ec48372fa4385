//! S1: memory per idle, authenticated connection, each user a member of a few conversations.

use crate::Common;
use crate::population;
use crate::report::Outcome;
use crate::server::Target;
use serde_json::json;
use std::time::Duration;

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Idle connections to open (one per user; at most ~19,000 per process here).
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Seconds to let the server settle before reading its memory.
    #[arg(long, default_value_t = 8)]
    pub settle_secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clients: 1000,
            settle_secs: 8,
        }
    }
}

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let (n, settle) = if common.smoke {
        (20, Duration::from_millis(300))
    } else {
        (o.clients, Duration::from_secs(o.settle_secs))
    };
    let members = population::users(&target.url, n).await?;
    population::pairs(&members).await?;
    for ten in members.chunks(10).filter(|c| c.len() > 1) {
        population::group(ten).await?;
    }
    tokio::time::sleep(settle).await;
    let before = target.rss_kib();
    let tokens: Vec<String> = members.iter().map(|m| m.token.clone()).collect();
    let clients = population::connect(&target.url, &tokens, None).await?;
    let mut keep = Vec::with_capacity(clients.len());
    for (client, mut events) in clients {
        population::synced(&mut events).await?;
        keep.push((client, population::drain(events)));
    }
    tokio::time::sleep(settle).await;
    let after = target.rss_kib();
    let per_conn = match (before, after) {
        (Some(b), Some(a)) => Some(a.saturating_sub(b) as f64 / n as f64),
        _ => None,
    };
    let summary = match per_conn {
        Some(kib) => format!(
            "{n} idle connections: server RSS {} → {} KiB, {kib:.2} KiB per connection",
            before.unwrap_or(0),
            after.unwrap_or(0)
        ),
        None => format!("{n} idle connections (server memory unknown: pass --server-pid)"),
    };
    Ok(Outcome::new(
        "idle",
        summary,
        json!({ "clients": n, "rss_before_kib": before, "rss_after_kib": after, "kib_per_connection": per_conn }),
    ))
}
