//! The business rules of conversation writes that need no database: plain functions, the same
//! for every backend.

use super::{GROUP_MEMBERS_MAX, Refusal};
use std::collections::HashSet;
use tern_proto::UserId;

/// The members of a new group: the owner first, then `members` in order, each once.
pub(crate) fn group_members(owner: UserId, members: Vec<UserId>) -> Vec<UserId> {
    let mut seen = HashSet::with_capacity(members.len() + 1);
    std::iter::once(owner)
        .chain(members)
        .filter(|u| seen.insert(*u))
        .collect()
}

/// Those of `users` not in `current`, in order, each once; refused when the group would pass
/// `GROUP_MEMBERS_MAX`.
pub(crate) fn newcomers(current: &[UserId], users: Vec<UserId>) -> Result<Vec<UserId>, Refusal> {
    let mut seen: HashSet<UserId> = current.iter().copied().collect();
    let added: Vec<UserId> = users.into_iter().filter(|u| seen.insert(*u)).collect();
    if current.len() + added.len() > GROUP_MEMBERS_MAX {
        return Err(Refusal::GroupFull);
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GROUP_MEMBERS_MAX;

    #[test]
    fn member_lists_are_deduplicated_in_order_and_capped() {
        let u = |ids: &[i64]| ids.iter().map(|&i| UserId(i)).collect::<Vec<_>>();
        assert_eq!(group_members(UserId(1), u(&[3, 1, 2, 3])), u(&[1, 3, 2]));
        assert_eq!(newcomers(&u(&[1, 2]), u(&[2, 4, 4, 5])), Ok(u(&[4, 5])));
        let full: Vec<UserId> = (0..GROUP_MEMBERS_MAX as i64).map(UserId).collect();
        assert_eq!(
            newcomers(&full, u(&[1])),
            Ok(vec![]),
            "nobody new: not refused"
        );
        assert_eq!(newcomers(&full, u(&[-1])), Err(Refusal::GroupFull));
    }
}
