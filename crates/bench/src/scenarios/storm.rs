//! S2: a connect + token-login storm, then every client dropping and reconnecting at once while
//! messages are sent to them; counts what arrives.

use crate::Common;
use crate::population;
use crate::report::Outcome;
use crate::server::Target;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tern_sdk::ClientEvent;
use tern_sdk::proto::Content;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// HTTP sends in flight during the reconnect storm.
const SEND_CONCURRENCY: usize = 64;

#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Clients (an even number: they are paired into direct conversations).
    #[arg(long, default_value_t = 2000)]
    pub clients: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { clients: 2000 }
    }
}

pub async fn run(common: &Common, o: Options) -> Result<Outcome, String> {
    let target = Target::get(common).await?;
    let n = if common.smoke {
        20
    } else {
        o.clients.max(2) / 2 * 2
    };
    let members = population::users(&target.url, n).await?;
    let convs = population::pairs(&members).await?;
    let tokens: Vec<String> = members.iter().map(|m| m.token.clone()).collect();

    // Everyone at once: the handshake concurrency is the whole population.
    let cpu_before = target.cpu();
    let started = Instant::now();
    let clients = population::connect(&target.urls, &tokens, Some(n)).await?;
    let login_secs = started.elapsed().as_secs_f64();
    let logins_per_s = n as f64 / login_secs;
    let login_cpu = cpu_before
        .zip(target.cpu())
        .map(|(before, after)| after.per(before, n as u64));
    let login_cpu_text = login_cpu.map_or(String::new(), |(u, s)| {
        format!(" (server CPU {:.0} µs/login)", u + s)
    });

    // Catch up first, so that the storm below starts from a known state.
    let mut connected = Vec::with_capacity(n);
    for (client, mut events) in clients {
        population::synced(&mut events).await?;
        connected.push((client, events));
    }
    // The reconnect storm: every client drops at once; one message per pair is sent meanwhile.
    let started = Instant::now();
    for (client, _) in &connected {
        client.drop_connection().await.map_err(|e| e.to_string())?;
    }
    // One message per pair, sent over HTTP while the clients come back: many at a time, since
    // one after the other would make the storm's time that of 5,000 sequential requests.
    let limit = Arc::new(Semaphore::new(SEND_CONCURRENCY));
    let mut sends = JoinSet::new();
    for (pair, conv) in members.chunks_exact(2).zip(&convs) {
        let (api, conv, limit) = (pair[0].api.clone(), *conv, limit.clone());
        sends.spawn(async move {
            let _permit = limit.acquire_owned().await.map_err(|e| e.to_string())?;
            let text = Content::text("storm");
            api.send(conv, &uuid::Uuid::now_v7().to_string(), text)
                .await
                .map_err(|e| e.to_string())
        });
    }
    let mut waits = Vec::with_capacity(n);
    for (client, mut events) in connected {
        waits.push(tokio::spawn(async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            let (mut synced, mut got) = (false, false);
            while !(synced && got) {
                match tokio::time::timeout_at(deadline, events.recv()).await {
                    Ok(Some(ClientEvent::Synced)) => synced = true,
                    Ok(Some(ClientEvent::Event(_))) => got = true,
                    Ok(Some(_)) => {}
                    _ => break,
                }
            }
            drop(client);
            got
        }));
    }
    while let Some(sent) = sends.join_next().await {
        sent.map_err(|e| e.to_string())??;
    }
    let mut delivered = 0;
    for w in waits {
        delivered += usize::from(w.await.map_err(|e| e.to_string())?);
    }
    let reconnect_secs = started.elapsed().as_secs_f64();
    let lost = n - delivered;
    Ok(Outcome::new(
        "storm",
        format!(
            "{n} clients: {logins_per_s:.0} logins/s{login_cpu_text}; reconnect storm done in {reconnect_secs:.2} s, {lost} lost"
        ),
        json!({ "clients": n, "login_secs": login_secs, "logins_per_s": logins_per_s,
                "cpu_user_us_per_login": login_cpu.map(|c| c.0),
                "cpu_system_us_per_login": login_cpu.map(|c| c.1),
                "reconnect_secs": reconnect_secs, "lost": lost }),
    ))
}
