//! Changes to messages once sent (edit, recall, reactions, pins, forward), reading a
//! conversation's pins and a message's versions, and your own preferences for a conversation. Each change resolves with the seqs of the
//! events it stored (empty when there was nothing to change); those events also arrive, like
//! any other, on every connection of every member, this one included.

use super::{Client, unexpected};
use crate::error::SdkResult;
use tern_proto::frames::{Pinned, Version};
use tern_proto::{ClientFrame, ConvId, NotifyLevel, ServerFrame};
use uuid::Uuid;

impl Client {
    /// Replaces the text of your message at `target` (within the server's `edit_window_s`).
    pub async fn edit(
        &self,
        conv: ConvId,
        target: u64,
        text: impl Into<String>,
    ) -> SdkResult<Vec<u64>> {
        let text = text.into();
        self.change(ClientFrame::Edit {
            rid: None,
            conv,
            target,
            text,
        })
        .await
    }

    /// Recalls (撤回) the message at `target`: yours within `recall_window_s`, or any in a
    /// group you own.
    pub async fn recall(&self, conv: ConvId, target: u64) -> SdkResult<Vec<u64>> {
        self.change(ClientFrame::Recall {
            rid: None,
            conv,
            target,
        })
        .await
    }

    /// Adds (`added`) or takes off your reaction `emoji` on the message at `target`.
    pub async fn react(
        &self,
        conv: ConvId,
        target: u64,
        emoji: impl Into<String>,
        added: bool,
    ) -> SdkResult<Vec<u64>> {
        self.change(ClientFrame::React {
            rid: None,
            conv,
            target,
            emoji: emoji.into(),
            added,
        })
        .await
    }

    /// Pins (`pinned`) or unpins the message at `target`.
    pub async fn pin(&self, conv: ConvId, target: u64, pinned: bool) -> SdkResult<Vec<u64>> {
        self.change(ClientFrame::Pin {
            rid: None,
            conv,
            target,
            pinned,
        })
        .await
    }

    /// Copies the messages at `seqs` of `from` into `conv`; resends safely with the same
    /// client id, which this picks.
    pub async fn forward(&self, conv: ConvId, from: ConvId, seqs: Vec<u64>) -> SdkResult<Vec<u64>> {
        self.change(ClientFrame::Forward {
            rid: None,
            conv,
            from,
            seqs,
            cmid: Uuid::now_v7().simple().to_string(),
        })
        .await
    }

    /// The pinned messages of `conv`, most recently pinned first.
    pub async fn pins(&self, conv: ConvId) -> SdkResult<Vec<Pinned>> {
        match self.request(ClientFrame::Pins { rid: None, conv }).await? {
            ServerFrame::Pins { pins, .. } => Ok(pins),
            other => Err(unexpected(other)),
        }
    }

    /// Every version of a message's text, the original first.
    pub async fn versions(&self, conv: ConvId, target: u64) -> SdkResult<Vec<Version>> {
        let frame = ClientFrame::Versions {
            rid: None,
            conv,
            target,
        };
        match self.request(frame).await? {
            ServerFrame::Versions { versions, .. } => Ok(versions),
            other => Err(unexpected(other)),
        }
    }

    /// Your own preferences for `conv` (either may be left out): its notification level and
    /// whether it stays on top of your list. Returns them as they now stand.
    pub async fn preferences(
        &self,
        conv: ConvId,
        notify: Option<NotifyLevel>,
        top: Option<bool>,
    ) -> SdkResult<(NotifyLevel, Option<i64>)> {
        let frame = ClientFrame::Preferences {
            rid: None,
            conv,
            notify,
            top,
        };
        match self.request(frame).await? {
            ServerFrame::Preferences { notify, top, .. } => Ok((notify, top)),
            other => Err(unexpected(other)),
        }
    }

    async fn change(&self, frame: ClientFrame) -> SdkResult<Vec<u64>> {
        match self.request(frame).await? {
            ServerFrame::Done { seqs, .. } => Ok(seqs),
            other => Err(unexpected(other)),
        }
    }
}
