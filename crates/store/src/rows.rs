//! Turning database rows into our records, once for both backends: the column names and types
//! are the same in SQLite and PostgreSQL, only the row type differs.

use crate::{MemberRecord, SessionRecord, StoreError, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgRow;
use tern_proto::{
    Content, ConvId, ConversationKind, Event, MemberRole, NotifyLevel, SessionId, UserId,
    UserProfile,
};
use uuid::Uuid;

/// The few column reads the records need, for any backend's row.
pub(crate) trait Columns {
    fn int(&self, column: &str) -> StoreResult<i64>;
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>>;
    fn text(&self, column: &str) -> StoreResult<String>;
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>>;
    /// A yes/no column (BOOLEAN in PostgreSQL, 0 or 1 in SQLite).
    fn flag(&self, column: &str) -> StoreResult<bool>;
}

impl Columns for PgRow {
    fn int(&self, column: &str) -> StoreResult<i64> {
        Ok(self.try_get(column)?)
    }
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>> {
        Ok(self.try_get(column)?)
    }
    fn text(&self, column: &str) -> StoreResult<String> {
        Ok(self.try_get(column)?)
    }
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>> {
        Ok(self.try_get(column)?)
    }
    fn flag(&self, column: &str) -> StoreResult<bool> {
        Ok(self.try_get(column)?)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn int(&self, column: &str) -> StoreResult<i64> {
        Ok(self.get(column)?)
    }
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>> {
        Ok(self.get(column)?)
    }
    fn text(&self, column: &str) -> StoreResult<String> {
        Ok(self.get(column)?)
    }
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>> {
        Ok(self.get(column)?)
    }
    fn flag(&self, column: &str) -> StoreResult<bool> {
        Ok(self.get(column)?)
    }
}

pub(crate) fn profile(row: &(impl Columns + ?Sized)) -> StoreResult<UserProfile> {
    Ok(UserProfile {
        id: UserId(row.int("id")?),
        username: row.text("username")?,
        display_name: row.text("display_name")?,
        created_at: row.int("created_at")?,
        avatar: row.opt_text("avatar")?.map(tern_proto::FileId),
    })
}

pub(crate) fn session(row: &(impl Columns + ?Sized)) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id: SessionId(row.int("id")?),
        user: UserId(row.int("user_id")?),
        device: row.text("device")?,
        created_at: row.int("created_at")?,
    })
}

pub(crate) fn role(stored: &str) -> StoreResult<MemberRole> {
    match stored {
        "owner" => Ok(MemberRole::Owner),
        "admin" => Ok(MemberRole::Admin),
        "member" => Ok(MemberRole::Member),
        other => Err(StoreError::Internal(format!(
            "unknown member role {other:?}"
        ))),
    }
}

pub(crate) fn audience(stored: &str) -> StoreResult<tern_proto::Audience> {
    match stored {
        "everyone" => Ok(tern_proto::Audience::Everyone),
        "contacts" => Ok(tern_proto::Audience::Contacts),
        other => Err(StoreError::Internal(format!("unknown audience {other:?}"))),
    }
}

pub(crate) fn notify(stored: &str) -> StoreResult<NotifyLevel> {
    match stored {
        "all" => Ok(NotifyLevel::All),
        "mentions" => Ok(NotifyLevel::Mentions),
        "muted" => Ok(NotifyLevel::Muted),
        other => Err(StoreError::Internal(format!(
            "unknown notification level {other:?}"
        ))),
    }
}

pub(crate) fn member(row: &(impl Columns + ?Sized)) -> StoreResult<MemberRecord> {
    Ok(MemberRecord {
        user: UserId(row.int("user_id")?),
        role: role(&row.text("role")?)?,
        read_seq: row.int("read_seq")? as u64,
        left_seq: row.opt_int("left_seq")?.map(|s| s as u64),
        muted_until: row.opt_int("muted_until")?,
        nickname: row.opt_text("nickname")?,
    })
}

/// Columns: conv_id, seq, id, sender_id, cmid, content, ts, edited_at, rev.
/// Reactions are read separately (`events::with_reactions`).
pub(crate) fn event(row: &(impl Columns + ?Sized)) -> StoreResult<Event> {
    let id = row.text("id")?;
    Ok(Event {
        conv: ConvId(row.int("conv_id")?),
        seq: row.int("seq")? as u64,
        id: Uuid::parse_str(&id)
            .map_err(|e| StoreError::Internal(format!("stored event id {id:?}: {e}")))?,
        sender: UserId(row.int("sender_id")?),
        ts: row.int("ts")?,
        cmid: row.opt_text("cmid")?,
        content: serde_json::from_str::<Content>(&row.text("content")?)?,
        edited: row.opt_int("edited_at")?,
        reactions: Vec::new(),
        rev: row.opt_int("rev")?.map(|r| r as u64),
    })
}

pub(crate) fn kind(text: &str) -> StoreResult<ConversationKind> {
    match text {
        "direct" => Ok(ConversationKind::Direct),
        "group" => Ok(ConversationKind::Group),
        other => Err(StoreError::Internal(format!(
            "unknown conversation kind {other:?}"
        ))),
    }
}
