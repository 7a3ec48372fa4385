//! Followers of the commit log: background work that follows every committed event (push,
//! search indexing, webhooks, bots and desk routing will each be one).
//!
//! A follower has a name, a cursor and a small state, kept in the database (`followers`
//! table). Its runner claims a lease on it (one node at a time in a cluster; a dead node's
//! lease lapses and another takes over), reads the events committed after the cursor in
//! pages, in commit order per conversation, hands each page to the follower, then saves the new
//! cursor and state together, renewing the lease. A crash between handling and saving repeats
//! that page with the state saved before it, so what a follower keeps in its state sees every
//! event exactly once; effects outside the database (a push, a webhook) may repeat after a
//! crash and carry the event id for the receiver to drop repeats.

mod audit;

pub use audit::Audit;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tern_proto::Event;
use tern_store::{Store, now_ms};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a claimed lease lasts; renewed by every save and every poll.
const LEASE: Duration = Duration::from_secs(3);
/// How often a follower looks for work when no commit wakes it (and other nodes' commits).
const POLL: Duration = Duration::from_millis(500);
/// Events handed to a follower at once.
const PAGE: u32 = 256;

/// Background work on committed events. `handle` must not take long: the lease runs out
/// after `LEASE` without a save.
pub trait Follower: Send + 'static {
    /// Stable and unique: the key of its cursor in the database.
    fn name(&self) -> &'static str;
    /// Handles one page of events, in commit order per conversation. `state` is saved with
    /// the cursor when this returns `Ok`; on `Err` the page is handed over again later.
    fn handle(
        &mut self,
        events: &[Event],
        state: &mut String,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// Runs `follower` on this node until `shutdown`, whenever it holds the lease. `commits` ticks
/// after each local commit, so followers react at once rather than at the next poll.
pub fn start(
    store: Arc<dyn Store>,
    mut follower: impl Follower,
    holder: String,
    mut commits: watch::Receiver<u64>,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let name = follower.name();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = commits.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            if let Err(e) = run_once(store.as_ref(), &mut follower, &holder).await {
                tracing::warn!(follower = name, error = %e, "follower paused; retrying");
            }
        }
    })
}

/// Claims the lease and works through everything committed so far.
async fn run_once(
    store: &dyn Store,
    follower: &mut impl Follower,
    holder: &str,
) -> Result<(), String> {
    let name = follower.name();
    let lease_until = || now_ms() + LEASE.as_millis() as i64;
    let claimed = store
        .follower_claim(name, holder, lease_until(), now_ms())
        .await
        .map_err(|e| e.to_string())?;
    let Some((mut position, mut state)) = claimed else {
        return Ok(()); // another node holds it
    };
    loop {
        let (events, next) = store
            .follower_read(&position, PAGE)
            .await
            .map_err(|e| e.to_string())?;
        if events.is_empty() {
            if next != position {
                save(store, name, holder, &next, &state, lease_until()).await?;
            }
            return Ok(());
        }
        let mut new_state = state.clone();
        follower.handle(&events, &mut new_state).await?;
        if !save(store, name, holder, &next, &new_state, lease_until()).await? {
            tracing::info!(follower = name, "lease taken over by another node");
            return Ok(());
        }
        (position, state) = (next, new_state);
    }
}

async fn save(
    store: &dyn Store,
    name: &str,
    holder: &str,
    position: &str,
    state: &str,
    lease_until: i64,
) -> Result<bool, String> {
    store
        .follower_save(name, holder, &position.to_owned(), state, lease_until)
        .await
        .map_err(|e| e.to_string())
}
