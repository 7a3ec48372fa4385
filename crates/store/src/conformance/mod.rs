//! Behaviours every `Store` backend must have, a file per aggregate. Each backend's tests run
//! every case through `conformance_tests!`, so the backends cannot drift apart.

mod accounts;
mod admin;
mod changes;
mod conversations;
mod events;
mod files;
mod followers;
mod receipts;

pub use accounts::*;
pub use admin::*;
pub use changes::*;
pub use conversations::*;
pub use events::*;
pub use files::*;
pub use followers::*;
pub use receipts::*;

use crate::{Refusal, Store, StoreError, WriteOp, WriteOutcome};
use tern_proto::{Content, ConvId, Event, NotifyLevel, SessionId, UserId};

fn text(t: &str) -> Content {
    Content::text(t)
}

async fn users(store: &dyn Store, names: &[&str]) -> Vec<UserId> {
    let mut ids = Vec::new();
    for n in names {
        ids.push(store.create_user(n, n, "hash").await.unwrap().id);
    }
    ids
}

async fn group(store: &dyn Store, owner: UserId, members: &[UserId]) -> ConvId {
    let op = WriteOp::CreateGroup {
        owner,
        name: "g".into(),
        members: members.to_vec(),
    };
    match store.write(vec![op]).await.unwrap().remove(0) {
        Ok(WriteOutcome::MembershipChanged { event, .. }) => event.conv,
        other => panic!("{other:?}"),
    }
}

fn append(conv: ConvId, sender: UserId, cmid: &str) -> WriteOp {
    WriteOp::Append {
        conv,
        sender,
        cmid: cmid.into(),
        content: text(cmid),
    }
}

fn appended(result: &crate::WriteResult) -> (&Event, bool) {
    match result {
        Ok(WriteOutcome::Appended { event, duplicate }) => (event, *duplicate),
        other => panic!("expected an append, got {other:?}"),
    }
}

/// Generates one `#[tokio::test]` per conformance case for a backend. `$open` is an async
/// expression yielding `Some((guard, store))`, where the guard keeps the backend's resources
/// alive, or `None` when the backend's server is unreachable (the test is then skipped loudly).
/// The list of cases is here, once: a backend cannot leave one out. A new case is added to it.
#[macro_export]
macro_rules! conformance_tests {
    ($open:expr) => {
        $crate::conformance_tests!(@cases $open;
            users_and_sessions,
            seqs_are_gapless_within_and_across_batches,
            appends_are_idempotent_per_sender_and_client_id,
            a_refused_op_leaves_no_trace_and_spares_the_batch,
            summaries_report_only_what_changed,
            unread_counts_only_messages_from_others,
            leaving_caps_what_a_member_sees,
            direct_conversations_are_one_per_pair,
            history_pages_are_bounded,
            concurrent_writers_get_unique_gapless_seqs,
            positions_from_the_future_or_forged_are_refused,
            member_lists_are_checked_as_sets,
            summaries_page_through_every_conversation_once,
            followers_get_every_committed_event_once_in_order,
            replies_and_mentions_are_checked,
            unread_mentions_are_exact,
            edits_keep_every_version,
            recalls_erase_the_message,
            reactions_are_per_user_and_emoji,
            pins_follow_the_roles,
            forwards_copy_only_what_the_sender_can_read,
            member_preferences_are_kept_and_reported_to_the_member,
            receipts_list_the_members_who_share_them,
            receipts_since_report_what_others_read,
            receipts_since_are_bounded_per_conversation,
            uploads_move_only_from_where_they_stand,
            identical_content_is_stored_once,
            files_are_readable_by_their_owner_and_by_who_sees_a_message_with_them,
            a_recall_forgets_the_file_and_sweeps_remove_what_nothing_shows,
            a_group_picture_is_set_by_the_owner_and_seen_by_the_members,
            posting_follows_mutes_and_mute_all,
            dissolving_removes_everyone_and_keeps_the_history,
        );
    };
    (@cases $open:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let Some((_guard, store)) = $open.await else {
                    return;
                };
                $crate::conformance::$case(&store).await;
            }
        )*
    };
}
