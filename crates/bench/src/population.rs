//! Setting the stage: users with tokens, conversations between them, connected clients.

use crate::report::Progress;
use std::net::IpAddr;
use std::sync::Arc;
use tern_sdk::proto::{ConvId, UserProfile};
use tern_sdk::{Api, Client, ClientEvent, ClientOptions};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

/// Requests in flight while populating (registration hashes passwords on the server).
const SETUP_CONCURRENCY: usize = 16;
/// WebSocket handshakes in flight while connecting clients, unless a storm wants them all.
const CONNECT_CONCURRENCY: usize = 128;

pub struct Member {
    pub profile: UserProfile,
    pub token: String,
    pub api: Api,
}

/// Registers and logs in `n` users with a run-unique prefix.
pub async fn users(url: &str, n: usize) -> Result<Vec<Member>, String> {
    let run = &uuid::Uuid::now_v7().simple().to_string()[20..];
    let limit = Arc::new(Semaphore::new(SETUP_CONCURRENCY));
    // One HTTP client (one connection pool) for everybody: a pool per user would hold a socket
    // per user and run into the open-files limit long before the WebSockets do.
    let base = Api::new(url);
    let mut tasks = JoinSet::new();
    for i in 0..n {
        let (api, limit) = (base.clone(), limit.clone());
        let username = format!("b{run}x{i}");
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.map_err(|e| e.to_string())?;
            let password = "bench-password";
            api.register(&username, password, None)
                .await
                .map_err(|e| e.to_string())?;
            let login = api
                .login(&username, password, Some("tern-bench"))
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((
                i,
                Member {
                    profile: login.user,
                    api: api.with_token(login.token.clone()),
                    token: login.token,
                },
            ))
        });
    }
    let mut out: Vec<Option<Member>> = (0..n).map(|_| None).collect();
    let mut progress = Progress::new("users registered", n);
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let (i, member) = joined.map_err(|e| e.to_string())??;
        out[i] = Some(member);
        done += 1;
        progress.tick(done);
    }
    Ok(out.into_iter().flatten().collect())
}

/// Direct conversations between consecutive pairs: (0,1), (2,3), ...
pub async fn pairs(members: &[Member]) -> Result<Vec<ConvId>, String> {
    let mut convs = Vec::new();
    for pair in members.chunks_exact(2) {
        let conv = pair[0]
            .api
            .open_direct(pair[1].profile.id)
            .await
            .map_err(|e| e.to_string())?;
        convs.push(conv.summary.id);
    }
    Ok(convs)
}

/// One group of all `members`, created by the first (and filled a request's worth of users at
/// a time).
pub async fn group(members: &[Member]) -> Result<ConvId, String> {
    let ids: Vec<_> = members[1..].iter().map(|m| m.profile.id).collect();
    // The server's limit (`max_users_per_request` in `hello`).
    let per_request = 1000;
    let mut chunks = ids.chunks(per_request);
    let owner = &members[0].api;
    let detail = owner
        .create_group("bench group", chunks.next().unwrap_or_default())
        .await
        .map_err(|e| e.to_string())?;
    for chunk in chunks {
        owner
            .add_members(detail.summary.id, chunk)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(detail.summary.id)
}

pub type Connected = (Client, mpsc::Receiver<ClientEvent>);

/// Connects one client per token (each waits for `hello`), spread over the nodes at `urls`,
/// `concurrency` handshakes at a time.
pub async fn connect(
    urls: &[String],
    tokens: &[String],
    concurrency: Option<usize>,
) -> Result<Vec<Connected>, String> {
    connect_from(urls, tokens, concurrency, None).await
}

/// `connect`, with every socket bound to the `local` address if one is given.
pub async fn connect_from(
    urls: &[String],
    tokens: &[String],
    concurrency: Option<usize>,
    local: Option<IpAddr>,
) -> Result<Vec<Connected>, String> {
    let limit = Arc::new(Semaphore::new(concurrency.unwrap_or(CONNECT_CONCURRENCY)));
    let mut tasks = JoinSet::new();
    for (i, token) in tokens.iter().enumerate() {
        let mut options = ClientOptions::new(urls[i % urls.len()].clone(), token.clone());
        options.local_addr = local;
        let limit = limit.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.map_err(|e| e.to_string())?;
            let client = Client::connect(options).await.map_err(|e| e.to_string())?;
            Ok::<_, String>((i, client))
        });
    }
    let mut out: Vec<Option<Connected>> = (0..tokens.len()).map(|_| None).collect();
    let mut progress = Progress::new("clients connected", tokens.len());
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let (i, client) = joined.map_err(|e| e.to_string())??;
        out[i] = Some(client);
        done += 1;
        progress.tick(done);
    }
    Ok(out.into_iter().flatten().collect())
}

/// Waits until the client reports a completed catch-up.
pub async fn synced(events: &mut mpsc::Receiver<ClientEvent>) -> Result<(), String> {
    while let Some(event) = events.recv().await {
        if event == ClientEvent::Synced {
            return Ok(());
        }
    }
    Err("client stopped before catching up".into())
}

/// Reads and discards a client's events, counting messages, so it never backs up.
pub fn drain(mut events: mpsc::Receiver<ClientEvent>) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut messages = 0;
        while let Some(event) = events.recv().await {
            if matches!(event, ClientEvent::Event(_)) {
                messages += 1;
            }
        }
        messages
    })
}
