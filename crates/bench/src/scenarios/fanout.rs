//! S5: group fan-out with every member online: one sender at a fixed rate; reports
//! deliveries/s, server CPU per delivery, and per message the spread between the first and the
//! last recipient to get it. With `--reactions`, a reaction storm instead: members take turns
//! adding and taking off reactions on one message at the rate, each change fanned out.

use super::{DRAIN, micros_since_origin, origin};
use crate::Common;
use crate::population;
use crate::report::{Outcome, histogram, percentile_line, percentiles};
use crate::server::Target;
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tern_sdk::ClientEvent;
use tern_sdk::proto::Content;

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Members of the group, all connected (the first one sends).
    #[arg(long, default_value_t = 1000)]
    pub members: usize,
    /// Messages per second from the sender.
    #[arg(long, default_value_t = 200)]
    pub rate: u64,
    #[arg(long, default_value_t = 10)]
    pub secs: u64,
    /// Members react to one message (a reaction storm) instead of sending messages.
    #[arg(long)]
    pub reactions: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            members: 1000,
            rate: 200,
            secs: 10,
            reactions: false,
        }
    }
}

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let (m, rate, secs) = if common.smoke {
        (10, 20, 1)
    } else {
        (o.members.max(2), o.rate.max(1), o.secs)
    };
    let members = population::users(&target.url, m).await?;
    let conv = population::group(&members).await?;
    let tokens: Vec<String> = members.iter().map(|u| u.token.clone()).collect();
    let mut clients = population::connect(&target.urls, &tokens, None)
        .await?
        .into_iter();
    let (sender, sender_events) = clients.next().ok_or("no sender")?;
    let _acks = population::drain(sender_events);
    let _ = origin();
    let storm = o.reactions;
    // The reaction storm's target, and the members who react (the sender and a few others).
    let reacted = match storm {
        true => {
            sender
                .send_text(conv, "react to me")
                .await
                .map_err(|e| e.to_string())?
                .seq
        }
        false => 0,
    };
    let mut clients: Vec<_> = clients.collect();
    let reactors: Vec<_> = std::iter::once(sender.clone())
        .chain(clients.iter().take(REACTORS).map(|(c, _)| c.clone()))
        .collect();

    // Each recipient records when each seq arrived (µs since the origin).
    let mut recipients = Vec::new();
    let end_of_wait = Instant::now() + Duration::from_secs(secs) + DRAIN;
    for (client, mut events) in clients.drain(..) {
        recipients.push(tokio::spawn(async move {
            let _keep = client;
            let mut arrivals = Vec::new();
            let deadline = tokio::time::Instant::from_std(end_of_wait);
            while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.recv()).await {
                let counted = |c: &Content| match storm {
                    true => matches!(c, Content::Reaction { .. }),
                    false => matches!(c, Content::Text { .. }),
                };
                if let ClientEvent::Event(e) = event
                    && (counted(&e.content) || e.content == Content::text("last"))
                {
                    arrivals.push((e.seq, micros_since_origin(Instant::now())));
                    if e.content == (Content::text("last")) {
                        break;
                    }
                }
            }
            arrivals
        }));
    }
    let cpu_before = target.cpu();
    let period = Duration::from_secs_f64(1.0 / rate as f64);
    let started = Instant::now();
    let mut at = started;
    let mut sends = Vec::new();
    let mut turn = 0usize;
    while at < started + Duration::from_secs(secs) {
        tokio::time::sleep_until(at.into()).await;
        if storm {
            // Each reactor alternates adding and taking off its emoji: every turn is a change.
            let reactor = reactors[turn % reactors.len()].clone();
            let added = (turn / reactors.len()).is_multiple_of(2);
            sends.push(tokio::spawn(async move {
                reactor.react(conv, reacted, "👍", added).await.map(drop)
            }));
        } else {
            let client = sender.clone();
            sends.push(tokio::spawn(async move {
                client.send(conv, Content::text("fan")).await.map(drop)
            }));
        }
        turn += 1;
        at += period;
    }
    for s in sends {
        s.await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    sender
        .send(conv, Content::text("last"))
        .await
        .map_err(|e| e.to_string())?;
    let mut first_last: HashMap<u64, (u64, u64)> = HashMap::new();
    let mut deliveries = 0u64;
    for r in recipients {
        for (seq, t) in r.await.map_err(|e| e.to_string())? {
            deliveries += 1;
            let e = first_last.entry(seq).or_insert((t, t));
            e.0 = e.0.min(t);
            e.1 = e.1.max(t);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = target.cpu();
    let mut spread = histogram();
    for (first, last) in first_last.values() {
        let _ = spread.record((last - first).max(1));
    }
    let expected = (first_last.len() as u64) * (m as u64 - 1);
    let per_s = deliveries as f64 / elapsed;
    let cpu = cpu_before.zip(cpu_after).map(|(b, a)| a.per(b, deliveries));
    let cpu_text = cpu.map_or("server CPU unknown".into(), |(u, s)| {
        format!("{:.2} µs/delivery ({u:.2} user + {s:.2} system)", u + s)
    });
    let what = if storm { "reactions" } else { "msg" };
    Ok(Outcome::new(
        if storm { "reactions" } else { "fanout" },
        format!(
            "{m} members at {rate} {what}/s: {per_s:.0} deliveries/s, {cpu_text}, first→last {}, {} missing",
            percentile_line(&spread),
            expected - deliveries
        ),
        json!({ "members": m, "rate": rate, "reactions": storm, "deliveries": deliveries, "deliveries_per_s": per_s,
                "cpu_user_us_per_delivery": cpu.map(|c| c.0),
                "cpu_system_us_per_delivery": cpu.map(|c| c.1),
                "first_to_last": percentiles(&spread), "missing": expected - deliveries }),
    ))
}

/// How many members besides the sender take part in a reaction storm.
const REACTORS: usize = 20;
