//! Conversations and their members, and the per-member summaries behind the conversation list
//! and sync (each backend says in its own words which rows changed since a position; the rest
//! is here). Conversation changes are written through `EventStore::write`.

use crate::backend::Backend;
use crate::events;
use crate::rows::member;
use crate::sql::{Arg, Sql, Statement, args, stmt};
use crate::{ChangePos, MemberRecord, StoreResult, SummaryPage};
use async_trait::async_trait;
use tern_proto::{ConvId, ConversationSummary, Event, UserId};

#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Current members (not those who left).
    async fn members(&self, conv: ConvId) -> StoreResult<Vec<MemberRecord>>;
    /// The conversations `user` is currently a member of.
    async fn conversation_ids(&self, user: UserId) -> StoreResult<Vec<ConvId>>;
    /// The member row of `user`, including one that has left; `None` if never a member.
    async fn membership(&self, conv: ConvId, user: UserId) -> StoreResult<Option<MemberRecord>>;
    /// Conversations of `user` that changed at or after `since` (all of them for `None`), most
    /// recently active first (or only one `page` of them, in id order), and the position to pass
    /// as `since` next time. A change committed after this call is never below the returned
    /// position, whichever node commits it.
    async fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
        page: Option<SummaryPage>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)>;
    /// One conversation as `user` sees it; `None` if they were never a member.
    async fn summary(&self, user: UserId, conv: ConvId)
    -> StoreResult<Option<ConversationSummary>>;
    /// Up to `limit` current members with ids above `after`, in id order; with `query`, only
    /// those whose username, display name or nickname contains it (any case).
    async fn member_page(
        &self,
        conv: ConvId,
        after: UserId,
        limit: u32,
        query: Option<String>,
    ) -> StoreResult<Vec<MemberRecord>>;
    /// A group's description and its announcement (the event that set it), if any.
    async fn group_details(&self, conv: ConvId) -> StoreResult<(String, Option<Event>)>;
}

#[async_trait]
impl<B: Backend> ConversationStore for B {
    async fn members(&self, conv: ConvId) -> StoreResult<Vec<MemberRecord>> {
        self.read_job(move |sql| Box::pin(members(sql, conv))).await
    }
    async fn conversation_ids(&self, user: UserId) -> StoreResult<Vec<ConvId>> {
        self.read_job(move |sql| Box::pin(conversation_ids(sql, user)))
            .await
    }
    async fn membership(&self, conv: ConvId, user: UserId) -> StoreResult<Option<MemberRecord>> {
        self.read_job(move |sql| Box::pin(membership(sql, conv, user)))
            .await
    }
    async fn summaries(
        &self,
        user: UserId,
        since: Option<ChangePos>,
        page: Option<SummaryPage>,
    ) -> StoreResult<(Vec<ConversationSummary>, ChangePos)> {
        Backend::summaries(self, user, since, None, page).await
    }
    async fn summary(
        &self,
        user: UserId,
        conv: ConvId,
    ) -> StoreResult<Option<ConversationSummary>> {
        let (mut found, _) = Backend::summaries(self, user, None, Some(conv), None).await?;
        Ok(found.pop())
    }
    async fn member_page(
        &self,
        conv: ConvId,
        after: UserId,
        limit: u32,
        query: Option<String>,
    ) -> StoreResult<Vec<MemberRecord>> {
        self.read_job(move |sql| {
            Box::pin(async move { member_page(sql, conv, after, limit, query.as_deref()).await })
        })
        .await
    }
    async fn group_details(&self, conv: ConvId) -> StoreResult<(String, Option<Event>)> {
        self.read_job(move |sql| Box::pin(group_details(sql, conv)))
            .await
    }
}

async fn member_page(
    sql: &mut impl Sql,
    conv: ConvId,
    after: UserId,
    limit: u32,
    query: Option<&str>,
) -> StoreResult<Vec<MemberRecord>> {
    // A LIKE pattern matching `query` anywhere, its own wildcards taken literally.
    let pattern = query.map(|q| {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    sql.all(
        stmt!(
            "SELECT m.user_id, m.role, m.read_seq, m.left_seq, m.muted_until, m.nickname
               FROM members m JOIN users u ON u.id = m.user_id
              WHERE m.conv_id = $1 AND m.left_seq IS NULL AND m.user_id > $2
                AND ($3 IS NULL OR lower(u.username) LIKE $3 ESCAPE '\\'
                     OR lower(u.display_name) LIKE $3 ESCAPE '\\'
                     OR lower(m.nickname) LIKE $3 ESCAPE '\\')
              ORDER BY m.user_id LIMIT $4"
        ),
        args![conv.0, after.0, pattern.as_deref(), i64::from(limit)],
        |row| member(row),
    )
    .await
}

async fn group_details(sql: &mut impl Sql, conv: ConvId) -> StoreResult<(String, Option<Event>)> {
    let found = sql
        .one(
            stmt!("SELECT description, announcement_seq FROM conversations WHERE id = $1"),
            args![conv.0],
            |row| Ok((row.text("description")?, row.opt_int("announcement_seq")?)),
        )
        .await?;
    let Some((description, announced)) = found else {
        return Ok((String::new(), None));
    };
    let announcement = match announced {
        Some(seq) => events::at(sql, conv, seq as u64).await?,
        None => None,
    };
    Ok((description, announcement))
}

/// The summaries query with the backend's own test for "changed since `$2`" spliced in.
/// Parameters: `$1` user, `$2` position (NULL: all), `$3` one conversation only (or NULL),
/// `$4` page after this id (or NULL: every row, most recently active first), `$5` row limit.
macro_rules! summaries_changed_since {
    ($changed:literal) => {
        concat!(
            "SELECT c.id, c.kind, c.name, c.avatar, c.last_seq, c.preview_seq, m.read_seq,
                    m.left_seq, m.notify, m.top_at, m.role, m.muted_until, c.all_muted,
                    CASE WHEN c.kind = 'direct' THEN
                        (SELECT p.user_id FROM members p
                          WHERE p.conv_id = c.id AND p.user_id <> m.user_id)
                    END AS peer_id
             FROM members m JOIN conversations c ON c.id = m.conv_id
             WHERE m.user_id = $1 AND ($2 IS NULL OR ",
            $changed,
            ")
               AND ($3 IS NULL OR c.id = $3)
               AND ($4 IS NULL OR c.id > $4)
             ORDER BY CASE WHEN $4 IS NULL THEN NULL ELSE c.id END, c.last_ts DESC, c.id DESC
             LIMIT $5"
        )
    };
}
pub(crate) use summaries_changed_since;

async fn members(sql: &mut impl Sql, conv: ConvId) -> StoreResult<Vec<MemberRecord>> {
    sql.all(
        stmt!(
            "SELECT user_id, role, read_seq, left_seq, muted_until, nickname FROM members
             WHERE conv_id = $1 AND left_seq IS NULL ORDER BY joined_at, user_id"
        ),
        args![conv.0],
        |row| member(row),
    )
    .await
}

/// The ids of the current members, longest-standing first.
pub(crate) async fn member_ids(sql: &mut impl Sql, conv: ConvId) -> StoreResult<Vec<UserId>> {
    sql.all(
        stmt!(
            "SELECT user_id FROM members WHERE conv_id = $1 AND left_seq IS NULL
             ORDER BY joined_at, user_id"
        ),
        args![conv.0],
        |row| Ok(UserId(row.int("user_id")?)),
    )
    .await
}

async fn conversation_ids(sql: &mut impl Sql, user: UserId) -> StoreResult<Vec<ConvId>> {
    sql.all(
        stmt!("SELECT conv_id FROM members WHERE user_id = $1 AND left_seq IS NULL"),
        args![user.0],
        |row| Ok(ConvId(row.int("conv_id")?)),
    )
    .await
}

pub(crate) async fn membership(
    sql: &mut impl Sql,
    conv: ConvId,
    user: UserId,
) -> StoreResult<Option<MemberRecord>> {
    sql.one(
        stmt!(
            "SELECT user_id, role, read_seq, left_seq, muted_until, nickname FROM members
             WHERE conv_id = $1 AND user_id = $2"
        ),
        args![conv.0, user.0],
        |row| member(row),
    )
    .await
}

/// The columns of one member's conversation, before the lookups that complete its summary.
struct SummaryRow {
    conv: ConvId,
    kind: tern_proto::ConversationKind,
    name: Option<String>,
    avatar: Option<tern_proto::FileId>,
    last_seq: u64,
    preview_seq: u64,
    notify: tern_proto::NotifyLevel,
    top: Option<i64>,
    read_seq: u64,
    left_seq: Option<u64>,
    peer: Option<UserId>,
    role: tern_proto::MemberRole,
    muted_until: Option<i64>,
    all_muted: bool,
}

/// Summaries of `user`'s conversations changed since `since` (the backend's own position, or
/// `Arg::OptInt(None)` for all), with `statement` made by `summaries_changed_since!`.
pub(crate) async fn summaries_of(
    sql: &mut impl Sql,
    statement: &'static Statement,
    user: UserId,
    since: Arg<'_>,
    only: Option<ConvId>,
    page: Option<SummaryPage>,
) -> StoreResult<Vec<ConversationSummary>> {
    let limit = page.map_or(i64::MAX, |p| i64::from(p.limit));
    let args = [
        Arg::Int(user.0),
        since,
        Arg::OptInt(only.map(|c| c.0)),
        Arg::OptInt(page.map(|p| p.after.0)),
        Arg::Int(limit),
    ];
    let rows = sql
        .all(statement, &args, |row| {
            Ok(SummaryRow {
                conv: ConvId(row.int("id")?),
                kind: crate::rows::kind(&row.text("kind")?)?,
                name: row.opt_text("name")?,
                avatar: row.opt_text("avatar")?.map(tern_proto::FileId),
                last_seq: row.int("last_seq")? as u64,
                preview_seq: row.int("preview_seq")? as u64,
                notify: crate::rows::notify(&row.text("notify")?)?,
                top: row.opt_int("top_at")?,
                read_seq: row.int("read_seq")? as u64,
                left_seq: row.opt_int("left_seq")?.map(|s| s as u64),
                peer: row.opt_int("peer_id")?.map(UserId),
                role: crate::rows::role(&row.text("role")?)?,
                muted_until: row.opt_int("muted_until")?,
                all_muted: row.flag("all_muted")?,
            })
        })
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(complete(sql, user, row).await?);
    }
    Ok(out)
}

async fn complete(
    sql: &mut impl Sql,
    user: UserId,
    row: SummaryRow,
) -> StoreResult<ConversationSummary> {
    // A member who left sees the conversation as it was when they left.
    let active = row.left_seq.is_none();
    let last_seq = row.left_seq.unwrap_or(row.last_seq);
    let peer = match row.peer {
        Some(id) => crate::accounts::by_id(sql, id).await?,
        None => None,
    };
    // The preview is the latest message or system event, never a change to a message; for a
    // member who left, the event that removed them.
    let preview_seq = row.left_seq.unwrap_or(row.preview_seq);
    let last_event = if preview_seq > 0 {
        events::at(sql, row.conv, preview_seq).await?.map(Box::new)
    } else {
        None
    };
    let unread = events::count_unread(sql, row.conv, user, row.read_seq, last_seq).await?;
    let unread_mentions = if unread > 0 {
        events::count_unread_mentions(sql, row.conv, user, row.read_seq, last_seq).await?
    } else {
        0
    };
    Ok(ConversationSummary {
        id: row.conv,
        kind: row.kind,
        name: row.name,
        peer,
        avatar: row.avatar,
        last_seq,
        read_seq: row.read_seq,
        unread,
        unread_mentions,
        active,
        notify: row.notify,
        top: row.top,
        // A former member's role, mute and the group's "mute all" no longer concern them.
        role: if active {
            row.role
        } else {
            tern_proto::MemberRole::Member
        },
        // A mute whose time has come is no mute (nothing clears the column when it ends).
        muted_until: row
            .muted_until
            .filter(|&until| active && until > crate::now_ms()),
        all_muted: row.all_muted && active,
        last_event,
    })
}
