//! S3: 1:1 saturation, closed loop: every sender keeps a window of sends in flight for the
//! duration; reports messages/s and the server's CPU per message (user and system apart).

use crate::Common;
use crate::population;
use crate::report::{Outcome, cpu_text};
use crate::server::Target;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tern_sdk::proto::Content;

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Sender/receiver pairs.
    #[arg(long, default_value_t = 50)]
    pub pairs: usize,
    /// Sends in flight per sender.
    #[arg(long, default_value_t = 32)]
    pub window: usize,
    #[arg(long, default_value_t = 10)]
    pub secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            pairs: 50,
            window: 32,
            secs: 10,
        }
    }
}

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let (pairs, window, secs) = if common.smoke {
        (3, 4, 1)
    } else {
        (o.pairs.max(1), o.window.max(1), o.secs)
    };
    let members = population::users(&target.url, pairs * 2).await?;
    let convs = population::pairs(&members).await?;
    let tokens: Vec<String> = members.iter().map(|m| m.token.clone()).collect();
    let clients = population::connect(&target.urls, &tokens, None).await?;
    let acked = Arc::new(AtomicU64::new(0));
    let mut drains = Vec::new();
    let mut senders = Vec::new();
    // Dropping a client's last handle closes it: receivers are kept here.
    let mut keep = Vec::new();
    let cpu_before = target.cpu();
    let started = Instant::now();
    let end = started + Duration::from_secs(secs);
    for ((client, events), i) in clients.into_iter().zip(0..) {
        drains.push(population::drain(events));
        if i % 2 == 1 {
            keep.push(client);
            continue;
        }
        let conv = convs[i / 2];
        for _ in 0..window {
            let (client, acked) = (client.clone(), acked.clone());
            senders.push(tokio::spawn(async move {
                while Instant::now() < end {
                    let text = Content::text("saturate");
                    if client.send(conv, text).await.is_err() {
                        return;
                    }
                    acked.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
    }
    for s in senders {
        s.await.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = target.cpu();
    let messages = acked.load(Ordering::Relaxed);
    let per_s = messages as f64 / elapsed;
    let cpu = cpu_before.zip(cpu_after).map(|(b, a)| a.per(b, messages));
    Ok(Outcome::new(
        "saturate",
        format!(
            "{pairs} pairs x {window} in flight: {per_s:.0} msg/s, {}",
            cpu_text(cpu, "msg")
        ),
        json!({ "pairs": pairs, "window": window, "secs": elapsed, "messages": messages,
                "msg_per_s": per_s, "cpu_user_us_per_msg": cpu.map(|c| c.0),
                "cpu_system_us_per_msg": cpu.map(|c| c.1) }),
    ))
}
