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
    hidden: RwLock<HashSet<UserId>>,
}

impl Privacy {
    /// Puts back the list from the store.
    pub async fn reload(&self, store: &dyn Store) -> StoreResult<()> {
        let hidden: HashSet<UserId> = store.receipts_hidden().await?.into_iter().collect();
        *self.write() = hidden;
        Ok(())
    }

    pub fn set(&self, user: UserId, share: bool) {
        let mut hidden = self.write();
        if share {
            hidden.remove(&user);
        } else {
            hidden.insert(user);
        }
    }

    pub fn hides(&self, user: UserId) -> bool {
        self.read().contains(&user)
    }

    /// Those of `users` who share their receipts (and so see the others').
    pub fn sharing(&self, users: &[UserId]) -> Vec<UserId> {
        let hidden = self.read();
        users
            .iter()
            .copied()
            .filter(|u| !hidden.contains(u))
            .collect()
    }

    /// Whether nobody hides theirs (the common case: no filtering needed).
    pub fn nobody_hides(&self) -> bool {
        self.read().is_empty()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashSet<UserId>> {
        // Every update is a single insert, remove or swap: a poisoned lock holds a whole set.
        self.hidden.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashSet<UserId>> {
        self.hidden.write().unwrap_or_else(|p| p.into_inner())
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
