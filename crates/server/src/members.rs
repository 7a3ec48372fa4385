//! Who is in each conversation, cached for fan-out. Entries are dropped whenever a membership
//! event passes through the Bus (on any node), and loaded again from the store on demand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tern_proto::{ConvId, UserId};
use tern_store::Store;

/// The cache is emptied wholesale past this many conversations.
const CAPACITY: usize = 100_000;

pub struct MemberCache {
    store: Arc<dyn Store>,
    map: Mutex<HashMap<ConvId, Arc<[UserId]>>>,
}

impl MemberCache {
    pub fn new(store: Arc<dyn Store>) -> Self {
        MemberCache {
            store,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Current members; `None` if they cannot be loaded (live delivery of this event is then
    /// skipped, and recipients catch up by seq).
    pub async fn get(&self, conv: ConvId) -> Option<Arc<[UserId]>> {
        if let Some(m) = self.lock().get(&conv) {
            return Some(m.clone());
        }
        match self.store.members(conv).await {
            Ok(records) => {
                let ids: Arc<[UserId]> = records.iter().map(|m| m.user).collect();
                let mut map = self.lock();
                if map.len() >= CAPACITY {
                    map.clear();
                }
                map.insert(conv, ids.clone());
                Some(ids)
            }
            Err(e) => {
                tracing::warn!(%conv, error = %e, "cannot load members; live delivery skipped");
                None
            }
        }
    }

    pub fn invalidate(&self, conv: ConvId) {
        self.lock().remove(&conv);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConvId, Arc<[UserId]>>> {
        // Every critical section is a single map operation, so a poisoned map is still whole.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}
