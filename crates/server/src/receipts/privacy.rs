//! Which users do not share their read positions, known to every node: the coalescer leaves
//! their moves out, and the Bus hands them no `receipts` frames.
//!
//! Loaded from the store at start and again after the link to the other nodes was down (a
//! change may have been missed); kept current by the Bus's `Settings` publications.

use std::collections::HashSet;
use std::sync::RwLock;
use tern_proto::UserId;
use tern_store::{Store, StoreResult};

#[derive(Default)]
pub struct Privacy {
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    hidden: HashSet<UserId>,
    /// Bumped by every `set`: a reload that raced with one reads the store again.
    changes: u64,
}

impl Privacy {
    /// Puts back the list from the store.
    pub async fn reload(&self, store: &dyn Store) -> StoreResult<()> {
        loop {
            let before = self.read().changes;
            let hidden: HashSet<UserId> = store.receipts_hidden().await?.into_iter().collect();
            let mut state = self.write();
            // A change applied while the store was read may not be in what it returned.
            if state.changes == before {
                state.hidden = hidden;
                return Ok(());
            }
        }
    }

    pub fn set(&self, user: UserId, share: bool) {
        let mut state = self.write();
        state.changes += 1;
        if share {
            state.hidden.remove(&user);
        } else {
            state.hidden.insert(user);
        }
    }

    pub fn hides(&self, user: UserId) -> bool {
        self.read().hidden.contains(&user)
    }

    /// Those of `users` who share their receipts (and so see the others').
    pub fn sharing(&self, users: &[UserId]) -> Vec<UserId> {
        let state = self.read();
        users
            .iter()
            .copied()
            .filter(|u| !state.hidden.contains(u))
            .collect()
    }

    /// Whether nobody hides theirs (the common case: no filtering needed).
    pub fn nobody_hides(&self) -> bool {
        self.read().hidden.is_empty()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // Every update is a single insert, remove or swap: a poisoned lock holds a whole set.
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_who_hides_is_filtered_out_until_they_share_again() {
        let privacy = Privacy::default();
        assert!(privacy.nobody_hides());
        privacy.set(UserId(2), false);
        assert!(privacy.hides(UserId(2)));
        assert_eq!(
            privacy.sharing(&[UserId(1), UserId(2), UserId(3)]),
            [UserId(1), UserId(3)]
        );
        privacy.set(UserId(2), true);
        assert!(privacy.nobody_hides());
    }
}
