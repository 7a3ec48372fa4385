//! S4: 1:1 messages at a fixed total rate, open loop. Each message carries its intended send
//! time; latency is measured at the recipient from that time, so a stalled sender cannot hide
//! its delay (no coordinated omission).

use super::{DRAIN, latency_us, micros_since_origin, origin};
use crate::Common;
use crate::population::{self, Connected};
use crate::report::{Outcome, cpu_text, histogram, percentile_line, percentiles};
use crate::server::Target;
use hdrhistogram::Histogram;
use serde_json::json;
use std::time::{Duration, Instant};
use tern_sdk::proto::{Content, ConvId};
use tern_sdk::{Client, ClientEvent};
use tokio::sync::{mpsc, watch};

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Clients, paired into direct conversations (half send, half receive).
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Messages per second, all senders together.
    #[arg(long, default_value_t = 1000)]
    pub rate: u64,
    #[arg(long, default_value_t = 10)]
    pub secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clients: 1000,
            rate: 1000,
            secs: 10,
        }
    }
}

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let (n, rate, secs) = if common.smoke {
        (10, 50, 1)
    } else {
        (o.clients.max(2) / 2 * 2, o.rate.max(1), o.secs)
    };
    let members = population::users(&target.url, n).await?;
    let convs = population::pairs(&members).await?;
    let tokens: Vec<String> = members.iter().map(|m| m.token.clone()).collect();
    let clients = population::connect(&target.urls, &tokens, None).await?;
    let _ = origin();

    let pairs = n / 2;
    let start = Instant::now() + Duration::from_millis(300);
    let end = start + Duration::from_secs(secs);
    let ticks = pace(start, end, rate, pairs)?;
    let mut tasks = Vec::with_capacity(pairs);
    let mut clients = clients.into_iter();
    let cpu_before = target.cpu();
    // A mark for a profiler attached to the server: the measured phase starts now.
    eprintln!("  measuring for {secs} s");
    for (conv, ticks) in convs.into_iter().zip(ticks) {
        let (Some(sender), Some(receiver)) = (clients.next(), clients.next()) else {
            break;
        };
        tasks.push(tokio::spawn(pair(sender, receiver, conv, ticks, end)));
    }
    let mut latencies = histogram();
    let (mut sent, mut received) = (0, 0);
    for t in tasks {
        let (s, r, h) = t.await.map_err(|e| e.to_string())?;
        sent += s;
        received += r;
        latencies.add(h).map_err(|e| e.to_string())?;
    }
    // Everything the server did for the run's messages, at this rate: what a server costs
    // at everyday load, where a batch often holds a single message.
    let cpu = cpu_before.zip(target.cpu()).map(|(b, a)| a.per(b, sent));
    // Not lost from the system (every send is retried until acked), but not received within
    // the drain window after the run: an overloaded server shows up here.
    let late = sent - received;
    Ok(Outcome::new(
        "rate",
        format!(
            "{pairs} pairs at {rate} msg/s for {secs} s: {} ({sent} sent, {late} not received {}s after the end), {}",
            percentile_line(&latencies),
            DRAIN.as_secs(),
            cpu_text(cpu, "msg"),
        ),
        json!({ "pairs": pairs, "rate": rate, "secs": secs, "sent": sent, "late": late,
                "latency": percentiles(&latencies), "cpu_user_us_per_msg": cpu.map(|c| c.0),
                "cpu_system_us_per_msg": cpu.map(|c| c.1) }),
    ))
}

/// One sender on its schedule and one receiver measuring; returns (sent, received, latencies).
async fn pair(
    (sender, sender_events): Connected,
    (_receiver, mut events): Connected,
    conv: ConvId,
    ticks: mpsc::UnboundedReceiver<Instant>,
    end: Instant,
) -> (u64, u64, Histogram<u64>) {
    let _acks = population::drain(sender_events);
    let (total_tx, mut total) = watch::channel(None::<u64>);
    let schedule = tokio::spawn(send_on_schedule(sender, conv, ticks, total_tx));
    let mut latencies = histogram();
    let mut received = 0;
    let deadline = tokio::time::Instant::from_std(end + DRAIN);
    loop {
        if total.borrow().is_some_and(|t| received >= t) {
            break;
        }
        tokio::select! {
            event = tokio::time::timeout_at(deadline, events.recv()) => match event {
                Ok(Some(ClientEvent::Event(e))) => {
                    if let Content::Text { text, .. } = &e.content
                        && let Some(us) = latency_us(text)
                    {
                        let _ = latencies.record(us);
                        received += 1;
                    }
                }
                Ok(Some(_)) => {}
                _ => break,
            },
            _ = total.changed() => {}
        }
    }
    let sent = schedule.await.unwrap_or(0);
    (sent, received, latencies)
}

/// The send schedule: slot k of the whole run is at `start + k / rate` and belongs to pair
/// `k % pairs`. One OS thread keeps it, because tokio's timer rounds every sleep up to the
/// next millisecond, which would add up to 1 ms of the load generator's own lateness to every
/// latency measured from the intended time.
fn pace(
    start: Instant,
    end: Instant,
    rate: u64,
    pairs: usize,
) -> Result<Vec<mpsc::UnboundedReceiver<Instant>>, String> {
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..pairs).map(|_| mpsc::unbounded_channel()).unzip();
    std::thread::Builder::new()
        .name("pacer".into())
        .spawn(move || {
            let step = Duration::from_secs_f64(1.0 / rate as f64);
            for k in 0u32.. {
                let at = start + step * k;
                if at >= end {
                    break;
                }
                if let Some(wait) = at.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                // Pair tasks outlive the schedule; a send error means the run was abandoned.
                if senders[k as usize % pairs].send(at).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| format!("starting the pacer thread: {e}"))?;
    Ok(receivers)
}

/// Sends one message per tick, each stamped with its intended time; ends with the schedule.
async fn send_on_schedule(
    client: Client,
    conv: ConvId,
    mut ticks: mpsc::UnboundedReceiver<Instant>,
    total: watch::Sender<Option<u64>>,
) -> u64 {
    let mut sent = 0;
    while let Some(at) = ticks.recv().await {
        let client = client.clone();
        let text = micros_since_origin(at).to_string();
        // Open loop: the next send does not wait for this one's ack; the receiver measures.
        tokio::spawn(async move { client.send(conv, Content::text(text)).await });
        sent += 1;
    }
    let _ = total.send(Some(sent));
    sent
}
