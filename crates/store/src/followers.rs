//! Followers of the commit log: each one's cursor, state and lease (see ARCHITECTURE.md,
//! "Followers"). Reading the events of a window is each backend's own (`Backend::log_read`);
//! claiming and saving are the same everywhere.

use crate::backend::Backend;
use crate::sql::{Sql, args, stmt};
use crate::{FollowerPos, StoreResult};
use async_trait::async_trait;
use tern_proto::Event;

#[async_trait]
pub trait FollowerStore: Send + Sync {
    /// Takes or renews the lease of follower `name` for `holder` until `lease_until` (ms), unless
    /// another holder's lease runs past `now`; the first claim starts the follower at the
    /// current position. While the lease is ours: its position and state.
    async fn follower_claim(
        &self,
        name: &str,
        holder: &str,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<Option<(FollowerPos, String)>>;
    /// Up to `limit` committed events after `from`, in commit order per conversation, and the
    /// position after them. Every committed event comes exactly once along a chain of calls.
    async fn follower_read(
        &self,
        from: &FollowerPos,
        limit: u32,
    ) -> StoreResult<(Vec<Event>, FollowerPos)>;
    /// Saves `position` and `state` and renews the lease, if `holder` still holds it.
    async fn follower_save(
        &self,
        name: &str,
        holder: &str,
        position: &FollowerPos,
        state: &str,
        lease_until: i64,
    ) -> StoreResult<bool>;
}

#[async_trait]
impl<B: Backend> FollowerStore for B {
    async fn follower_claim(
        &self,
        name: &str,
        holder: &str,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<Option<(FollowerPos, String)>> {
        let initial = self.log_position().await?;
        let (name, holder) = (name.to_owned(), holder.to_owned());
        self.write_job(move |sql| {
            Box::pin(async move { claim(sql, &name, &holder, &initial, lease_until, now).await })
        })
        .await
    }
    async fn follower_read(
        &self,
        from: &FollowerPos,
        limit: u32,
    ) -> StoreResult<(Vec<Event>, FollowerPos)> {
        self.log_read(from, limit).await
    }
    async fn follower_save(
        &self,
        name: &str,
        holder: &str,
        position: &FollowerPos,
        state: &str,
        lease_until: i64,
    ) -> StoreResult<bool> {
        let (name, holder, position, state) = (
            name.to_owned(),
            holder.to_owned(),
            position.clone(),
            state.to_owned(),
        );
        self.write_job(move |sql| {
            Box::pin(async move { save(sql, &name, &holder, &position, &state, lease_until).await })
        })
        .await
    }
}

/// Takes (or renews) `name`'s lease for `holder` until `lease_until`, if nobody else holds an
/// unexpired one; creates the follower at `initial` (the current position) the first time.
/// Returns its position and state while the lease is ours.
async fn claim(
    sql: &mut impl Sql,
    name: &str,
    holder: &str,
    initial: &str,
    lease_until: i64,
    now: i64,
) -> StoreResult<Option<(String, String)>> {
    sql.exec(
        stmt!(
            "INSERT INTO followers (name, position) VALUES ($1, $2)
             ON CONFLICT (name) DO NOTHING"
        ),
        args![name, initial],
    )
    .await?;
    sql.one(
        stmt!(
            "UPDATE followers SET holder = $2, lease_until = $3
             WHERE name = $1 AND (holder IS NULL OR holder = $2 OR lease_until < $4)
             RETURNING position, state"
        ),
        args![name, holder, lease_until, now],
        |row| Ok((row.text("position")?, row.text("state")?)),
    )
    .await
}

/// Stores how far `name` got and its state, and renews the lease, if `holder` still holds it;
/// false if another node has taken it over (its work since the last save is then discarded).
async fn save(
    sql: &mut impl Sql,
    name: &str,
    holder: &str,
    position: &str,
    state: &str,
    lease_until: i64,
) -> StoreResult<bool> {
    let saved = sql
        .exec(
            stmt!(
                "UPDATE followers SET position = $3, state = $4, lease_until = $5
                 WHERE name = $1 AND holder = $2"
            ),
            args![name, holder, position, state, lease_until],
        )
        .await?;
    Ok(saved == 1)
}

/// A position inside a window: the window's bounds (the backend's own forms) and the last
/// event read of it, in (conversation, seq) order. A window read to its end leaves a position
/// that is just the next window's start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WindowPos {
    pub(crate) since: String,
    pub(crate) until: Option<String>,
    pub(crate) after: (i64, i64),
}

impl WindowPos {
    /// `since`, or `since|until|conv|seq` in a window.
    pub(crate) fn parse(text: &str) -> Option<WindowPos> {
        let mut parts = text.split('|');
        let since = parts.next()?.to_owned();
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (None, ..) => Some(WindowPos {
                since,
                until: None,
                after: (0, 0),
            }),
            (Some(until), Some(conv), Some(seq), None) => Some(WindowPos {
                since,
                until: Some(until.to_owned()),
                after: (conv.parse().ok()?, seq.parse().ok()?),
            }),
            _ => None,
        }
    }

    pub(crate) fn format(&self) -> String {
        match &self.until {
            None => self.since.clone(),
            Some(until) => format!("{}|{until}|{}|{}", self.since, self.after.0, self.after.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WindowPos;

    #[test]
    fn window_positions_round_trip() {
        for text in ["7", "7|9|3|12", "10:12:10,11|10:14:|5|1"] {
            assert_eq!(WindowPos::parse(text).unwrap().format(), text);
        }
        for bad in ["7|9", "7|9|x|1", "7|9|1|2|3"] {
            assert!(WindowPos::parse(bad).is_none(), "{bad}");
        }
    }
}
