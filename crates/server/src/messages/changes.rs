//! Changes to messages once sent: edit, recall, reactions, pins, forward, and reading the pins
//! and a message's versions. What can be checked without the database is checked here; the
//! rest (who sent what, when, in which role) in the store's write batch, atomically.

use super::Messages;
use super::service::check_cmid;
use crate::error::{AppError, AppResult};
use std::collections::HashSet;
use tern_proto::frames::{Pinned, Version};
use tern_proto::{ConvId, ErrorCode, UserId};
use tern_store::{FORWARD_MAX, WriteOp, WriteOutcome};

/// Longest client message id of a forward: room is left for the `/<n>` of each copy.
pub const FORWARD_CMID_MAX: usize = super::CMID_MAX - 4;
/// Longest reaction, in bytes (the longest emoji ZWJ sequences are about 35).
const EMOJI_MAX_BYTES: usize = 64;

impl Messages {
    /// Replaces the text of `user`'s message; the seqs of the events stored (none when the
    /// text was already that).
    pub async fn edit(
        &self,
        user: UserId,
        conv: ConvId,
        target: u64,
        text: String,
    ) -> AppResult<Vec<u64>> {
        let window = self.limits.edit_window_s;
        if window == Some(0) {
            return Err(AppError::client(
                ErrorCode::Forbidden,
                "editing messages is turned off on this server",
            ));
        }
        self.check_text(&text)?;
        let op = WriteOp::Edit {
            conv,
            by: user,
            target,
            text,
            window_ms: window.map(seconds_to_ms),
        };
        self.change(op).await
    }

    pub async fn recall(&self, user: UserId, conv: ConvId, target: u64) -> AppResult<Vec<u64>> {
        let op = WriteOp::Recall {
            conv,
            by: user,
            target,
            window_ms: self.limits.recall_window_s.map(seconds_to_ms),
        };
        self.change(op).await
    }

    pub async fn react(
        &self,
        user: UserId,
        conv: ConvId,
        target: u64,
        emoji: &str,
        added: bool,
    ) -> AppResult<Vec<u64>> {
        let emoji = one_emoji(emoji)?;
        let op = WriteOp::React {
            conv,
            by: user,
            target,
            emoji,
            added,
        };
        self.change(op).await
    }

    pub async fn pin(
        &self,
        user: UserId,
        conv: ConvId,
        target: u64,
        pinned: bool,
    ) -> AppResult<Vec<u64>> {
        let op = WriteOp::Pin {
            conv,
            by: user,
            target,
            pinned,
        };
        self.change(op).await
    }

    /// Copies messages of `from` into `conv`; the seqs of the copies (the same ones again
    /// when `cmid` was used before).
    pub async fn forward(
        &self,
        user: UserId,
        conv: ConvId,
        from: ConvId,
        seqs: Vec<u64>,
        cmid: String,
    ) -> AppResult<Vec<u64>> {
        check_cmid(&cmid, FORWARD_CMID_MAX)?;
        if seqs.is_empty() || seqs.len() > FORWARD_MAX {
            return Err(AppError::bad_request(format!(
                "forward 1 to {FORWARD_MAX} messages at a time"
            )));
        }
        if seqs.iter().collect::<HashSet<_>>().len() != seqs.len() {
            return Err(AppError::bad_request("each message may be forwarded once"));
        }
        let op = WriteOp::Forward {
            conv,
            by: user,
            from,
            seqs,
            cmid,
        };
        self.change(op).await
    }

    /// The pinned messages of `conv` that `user` can read, most recently pinned first.
    pub async fn pins(&self, user: UserId, conv: ConvId) -> AppResult<Vec<Pinned>> {
        let visible = self.visible_last_seq(user, conv).await?;
        Ok(self
            .store
            .pins(conv)
            .await?
            .into_iter()
            .filter(|p| p.event.seq <= visible)
            .map(|p| Pinned {
                event: p.event,
                by: p.by,
                ts: p.ts,
            })
            .collect())
    }

    /// Every version of a message's text, the original first.
    pub async fn versions(
        &self,
        user: UserId,
        conv: ConvId,
        target: u64,
    ) -> AppResult<Vec<Version>> {
        let visible = self.visible_last_seq(user, conv).await?;
        let versions = match target <= visible {
            true => self.store.versions(conv, target).await?,
            false => None,
        };
        let versions = versions.ok_or_else(|| {
            AppError::client(
                ErrorCode::InvalidTarget,
                "no message at that seq in this conversation (or it was recalled)",
            )
        })?;
        Ok(versions
            .into_iter()
            .map(|(text, ts)| Version { text, ts })
            .collect())
    }

    async fn change(&self, op: WriteOp) -> AppResult<Vec<u64>> {
        match self.committer.write(op).await? {
            WriteOutcome::Changed { events, .. } => Ok(events.iter().map(|e| e.seq).collect()),
            WriteOutcome::Unchanged => Ok(Vec::new()),
            other => Err(AppError::unexpected(other)),
        }
    }
}

fn seconds_to_ms(seconds: u64) -> i64 {
    i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// The reaction as stored: exactly one emoji (any, with skin tones, flags and ZWJ sequences), in
/// its fully qualified form so that "❤" and "❤️" are one reaction.
fn one_emoji(text: &str) -> AppResult<String> {
    let invalid = || {
        AppError::client(
            ErrorCode::InvalidReaction,
            "a reaction is exactly one emoji",
        )
    };
    let bare: String = text.chars().filter(|c| *c != '\u{fe0f}').collect();
    // Digits, `#` and `*` are emoji only as keycaps ("1️⃣"), not by themselves.
    if bare.is_ascii() || text.len() > EMOJI_MAX_BYTES {
        return Err(invalid());
    }
    // Typed without (or with a stray) variation selector: the fully qualified one.
    let found = emojis::get(text)
        .or_else(|| emojis::get(&bare))
        .or_else(|| emojis::get(&format!("{bare}\u{fe0f}")));
    found.map(|e| e.as_str().to_owned()).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::one_emoji;

    #[test]
    fn a_reaction_is_exactly_one_emoji() {
        for ok in ["👍", "👍🏽", "🇨🇳", "👨‍👩‍👧", "❤️", "🀄", "1️⃣"]
        {
            assert_eq!(one_emoji(ok).unwrap(), ok, "{ok}");
        }
        assert_eq!(
            one_emoji("❤").unwrap(),
            "❤️",
            "one reaction, however it was typed"
        );
        for bad in ["", "ok", "👍👍", "1", "#", "👍 ", "好", &"👍".repeat(300)] {
            assert!(one_emoji(bad).is_err(), "{bad:?}");
        }
    }
}
