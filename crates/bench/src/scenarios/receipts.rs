//! Read receipts in a large group, every member online: one message, then members read it at a
//! fixed rate. Reports the `receipts` frames each connection got per second (coalescing keeps
//! it at about one per interval, however many read), how long the sender waited to hear of
//! each read, how many reads it never heard of, and the server's CPU per read.

use super::DRAIN;
use crate::Common;
use crate::population;
use crate::report::{Outcome, cpu_text, histogram, percentile_line, percentiles};
use crate::server::Target;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tern_sdk::ClientEvent;
use tern_sdk::proto::UserId;

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Members of the group, all connected (the first one sends the message they read).
    #[arg(long, default_value_t = 10_000)]
    pub members: usize,
    /// Members who read it per second.
    #[arg(long, default_value_t = 100)]
    pub rate: u64,
    #[arg(long, default_value_t = 10)]
    pub secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            members: 10_000,
            rate: 100,
            secs: 10,
        }
    }
}

/// When each reader's read was acknowledged, by user.
type ReadTimes = Arc<Mutex<HashMap<UserId, Instant>>>;

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let (m, rate, secs) = if common.smoke {
        (10, 20, 1)
    } else {
        (o.members.max(2), o.rate.max(1), o.secs.max(1))
    };
    let members = population::users(&target.url, m).await?;
    let conv = population::group(&members).await?;
    let tokens: Vec<String> = members.iter().map(|u| u.token.clone()).collect();
    let mut clients = population::connect(&target.urls, &tokens, None).await?;
    let (sender, mut sender_events) = clients.remove(0);
    let seq = sender
        .send_text(conv, "seen by?")
        .await
        .map_err(|e| e.to_string())?
        .seq;
    let reads = ((rate * secs) as usize).min(m - 1);
    let wait_until = Instant::now() + Duration::from_secs(secs) + DRAIN;

    // Every other member counts the receipts frames it gets, per second of the run.
    let started = Instant::now();
    let mut counters = Vec::new();
    let mut readers = Vec::new();
    for (client, mut events) in clients {
        readers.push(client);
        counters.push(tokio::spawn(async move {
            let mut per_second: HashMap<u64, u32> = HashMap::new();
            let deadline = tokio::time::Instant::from_std(wait_until);
            while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.recv()).await {
                if let ClientEvent::Receipts { .. } = event {
                    *per_second.entry(started.elapsed().as_secs()).or_default() += 1;
                }
            }
            per_second
        }));
    }

    // The sender notes when it hears of each reader.
    let expected: Vec<UserId> = members[1..=reads].iter().map(|m| m.profile.id).collect();
    let heard_by_sender = tokio::spawn(async move {
        let mut heard: HashMap<UserId, Instant> = HashMap::new();
        let deadline = tokio::time::Instant::from_std(wait_until);
        while heard.len() < reads {
            match tokio::time::timeout_at(deadline, sender_events.recv()).await {
                Ok(Some(ClientEvent::Receipts { receipts, .. })) => {
                    for r in receipts.iter().filter(|r| r.seq >= seq) {
                        heard.entry(r.user).or_insert_with(Instant::now);
                    }
                }
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        heard
    });

    let cpu_before = target.cpu();
    let read_at: ReadTimes = Arc::default();
    let period = Duration::from_secs_f64(1.0 / rate as f64);
    let mut at = Instant::now();
    let mut tasks = Vec::new();
    for (reader, user) in readers.iter().take(reads).zip(&expected) {
        tokio::time::sleep_until(at.into()).await;
        let (reader, user, read_at) = (reader.clone(), *user, read_at.clone());
        tasks.push(tokio::spawn(async move {
            reader
                .mark_read(conv, seq)
                .await
                .map_err(|e| e.to_string())?;
            lock(&read_at).insert(user, Instant::now());
            Ok::<_, String>(())
        }));
        at += period;
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    let heard = heard_by_sender.await.map_err(|e| e.to_string())?;
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = target
        .cpu()
        .zip(cpu_before)
        .map(|(a, b)| a.per(b, reads as u64));

    let mut delay = histogram();
    let read_at = lock(&read_at).clone();
    for (user, at) in &heard {
        if let Some(read) = read_at.get(user) {
            let _ = delay.record(at.saturating_duration_since(*read).as_micros().max(1) as u64);
        }
    }
    let missing = expected.iter().filter(|u| !heard.contains_key(u)).count();
    let (mut frames, mut busiest) = (0u64, 0u32);
    for counter in counters {
        let per_second = counter.await.map_err(|e| e.to_string())?;
        frames += per_second.values().map(|&n| u64::from(n)).sum::<u64>();
        busiest = busiest.max(per_second.values().copied().max().unwrap_or(0));
    }
    let per_connection = frames as f64 / (m as f64 - 1.0) / elapsed;
    Ok(Outcome::new(
        "receipts",
        format!(
            "{m} members, {reads} reads at {rate}/s: receipts frames per connection {per_connection:.2}/s \
             (busiest second {busiest}), read→sender {}, {missing} never heard, {}",
            percentile_line(&delay),
            cpu_text(cpu, "read"),
        ),
        json!({ "members": m, "reads": reads, "rate": rate, "frames": frames,
                "frames_per_connection_per_s": per_connection, "busiest_second": busiest,
                "read_to_sender": percentiles(&delay), "missing": missing,
                "cpu_user_us_per_read": cpu.map(|c| c.0),
                "cpu_system_us_per_read": cpu.map(|c| c.1) }),
    ))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
