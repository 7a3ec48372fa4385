//! S6: offline catch-up. (a) One client misses many messages and reconnects: time until it
//! holds them all. (b) Many clients each miss some and all reconnect at once.

use crate::Common;
use crate::population::{self, Connected};
use crate::report::Outcome;
use crate::server::Target;
use futures_util::future::join_all;
use serde_json::json;
use std::time::Instant;
use tern_sdk::ClientEvent;
use tern_sdk::proto::{Content, ConvId};

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Messages the single client misses.
    #[arg(long, default_value_t = 10_000)]
    pub missed: u64,
    /// Clients reconnecting at once in part (b).
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Messages each of them misses.
    #[arg(long, default_value_t = 100)]
    pub each: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            missed: 10_000,
            clients: 1000,
            each: 100,
        }
    }
}

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let (missed, clients, each) = if common.smoke {
        (200, 5, 10)
    } else {
        (o.missed, o.clients.max(1), o.each)
    };
    // One sender, `clients` receivers, each in a direct conversation with the sender.
    let members = population::users(&target.url, clients + 1).await?;
    let mut convs = Vec::new();
    for m in &members[1..] {
        let detail = members[0]
            .api
            .open_direct(m.profile.id)
            .await
            .map_err(|e| e.to_string())?;
        convs.push(detail.summary.id);
    }
    let tokens: Vec<String> = members.iter().map(|m| m.token.clone()).collect();
    let mut connected = population::connect(&target.urls, &tokens, None)
        .await?
        .into_iter();
    let (sender, sender_events) = connected.next().ok_or("no sender")?;
    let _acks = population::drain(sender_events);
    let mut receivers: Vec<Connected> = connected.collect();
    for (client, events) in &mut receivers {
        population::synced(events).await?;
        client.go_offline().await.map_err(|e| e.to_string())?;
    }

    // (a) the first receiver misses `missed` messages.
    send_many(&sender, convs[0], missed).await?;
    let started = Instant::now();
    let (client, events) = &mut receivers[0];
    client.go_online().await.map_err(|e| e.to_string())?;
    caught_up(events, missed).await?;
    let single_ms = started.elapsed().as_secs_f64() * 1000.0;
    client.go_offline().await.map_err(|e| e.to_string())?;

    // (b) every receiver misses `each` more (the first one: on top of part a).
    join_all(convs.iter().map(|&c| send_many(&sender, c, each)))
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    for (client, _) in &receivers {
        client.go_online().await.map_err(|e| e.to_string())?;
    }
    let waits = receivers
        .iter_mut()
        .enumerate()
        .map(|(i, (_, events))| caught_up(events, if i == 0 { missed + each } else { each }));
    join_all(waits)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let many_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(Outcome::new(
        "catchup",
        format!(
            "{missed} missed messages caught up in {single_ms:.0} ms; \
             {clients} clients x {each} missed, reconnecting at once, done in {many_ms:.0} ms"
        ),
        json!({ "missed": missed, "single_ms": single_ms, "clients": clients, "each": each,
                "many_ms": many_ms }),
    ))
}

/// Sends `n` messages, pipelined, and waits for all acks.
async fn send_many(sender: &tern_sdk::Client, conv: ConvId, n: u64) -> Result<(), String> {
    let sends = (0..n).map(|i| sender.send(conv, Content::text(format!("{i}"))));
    for result in join_all(sends).await {
        result.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Waits until the client delivered the message with seq `last` (direct conversations start
/// at seq 1 with the first message).
async fn caught_up(
    events: &mut tokio::sync::mpsc::Receiver<ClientEvent>,
    last: u64,
) -> Result<(), String> {
    while let Some(event) = events.recv().await {
        if let ClientEvent::Event(e) = event
            && e.seq >= last
        {
            return Ok(());
        }
    }
    Err("client stopped before catching up".into())
}
