//! Who is in each conversation, cached for fan-out. Entries are dropped whenever a membership
//! event passes through the Bus (on any node), and loaded again from the store on demand.
//!
//! The cache is only as good as the Bus that invalidates it: while this node may be missing
//! membership events (its Redis subscription is down), it is bypassed, and once the link is
//! back it is emptied, so a member removed meanwhile never keeps receiving a group's messages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tern_proto::{ConvId, UserId};
use tern_store::Store;

/// The cache is emptied wholesale past this many conversations.
const CAPACITY: usize = 100_000;

pub struct MemberCache {
    store: Arc<dyn Store>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    map: HashMap<ConvId, Arc<[UserId]>>,
    /// Bumped by every invalidation: a list loaded from the store before one is not kept, as
    /// it may predate the change (the load raced with the membership event).
    generation: u64,
    /// False while invalidations may be lost (see the module note).
    trusted: bool,
}

impl MemberCache {
    pub fn new(store: Arc<dyn Store>) -> Self {
        MemberCache {
            store,
            state: Mutex::new(State {
                trusted: true,
                ..State::default()
            }),
        }
    }

    /// Current members; `None` if they cannot be loaded (live delivery of this event is then
    /// skipped, and recipients catch up by seq).
    pub async fn get(&self, conv: ConvId) -> Option<Arc<[UserId]>> {
        let generation = {
            let state = self.lock();
            if let Some(m) = state.map.get(&conv) {
                return Some(m.clone());
            }
            state.generation
        };
        match self.store.members(conv).await {
            Ok(records) => {
                let ids: Arc<[UserId]> = records.iter().map(|m| m.user).collect();
                let mut state = self.lock();
                if state.trusted && state.generation == generation {
                    if state.map.len() >= CAPACITY {
                        state.map.clear();
                    }
                    state.map.insert(conv, ids.clone());
                }
                Some(ids)
            }
            Err(e) => {
                tracing::warn!(%conv, error = %e, "cannot load members; live delivery skipped");
                None
            }
        }
    }

    pub fn invalidate(&self, conv: ConvId) {
        let mut state = self.lock();
        state.generation += 1;
        state.map.remove(&conv);
    }

    /// Forgets everything; with `trusted` false, also stops keeping lists until it is true.
    pub fn reset(&self, trusted: bool) {
        let mut state = self.lock();
        state.generation += 1;
        state.map.clear();
        state.trusted = trusted;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Every critical section is a few plain assignments, so a poisoned state is still whole.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_store::sqlite::{Durability, SqliteStore};
    use tern_store::{AccountStore, EventStore, WriteOp, WriteOutcome};

    #[tokio::test]
    async fn untrusted_or_stale_lists_are_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("t.db"), Durability::Process)
                .await
                .unwrap(),
        );
        let a = store.create_user("a", "a", "h").await.unwrap().id;
        let b = store.create_user("b", "b", "h").await.unwrap().id;
        let conv = match store
            .write(vec![WriteOp::CreateGroup {
                owner: a,
                name: "g".into(),
                members: vec![b],
            }])
            .await
            .unwrap()
            .remove(0)
        {
            Ok(WriteOutcome::MembershipChanged { event, .. }) => event.conv,
            other => panic!("{other:?}"),
        };
        let cache = MemberCache::new(store.clone());
        cache.reset(false);
        assert_eq!(cache.get(conv).await.unwrap().len(), 2);
        let remove = WriteOp::RemoveMember {
            conv,
            by: a,
            user: b,
        };
        store.write(vec![remove]).await.unwrap();
        // No invalidation reached the cache (a lost publication): untrusted, it asks again.
        assert_eq!(&*cache.get(conv).await.unwrap(), &[a]);
        cache.reset(true);
        assert_eq!(&*cache.get(conv).await.unwrap(), &[a]);
        assert!(cache.lock().map.contains_key(&conv), "trusted again: kept");
    }
}
