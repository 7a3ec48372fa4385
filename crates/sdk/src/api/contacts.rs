//! Contacts, blocks and privacy over HTTP: asking to become contacts, answering, removing, the
//! lists; blocking; who may open a direct conversation with you or add you to groups.

use super::Api;
use crate::error::SdkResult;
use reqwest::Method;
use serde::Deserialize;
use tern_proto::rest::{ContactRequestBody, ContactRequests, SettingsRequest};
use tern_proto::{Audience, UserId, UserProfile, UserSettings};

#[derive(Deserialize)]
struct Asked {
    added: bool,
}

impl Api {
    /// Asks `user` to become your contact; true when you are contacts now (they had asked you,
    /// or you already were), false when your request waits for their answer.
    pub async fn ask_contact(&self, user: UserId, note: &str) -> SdkResult<bool> {
        let body = ContactRequestBody {
            user,
            note: note.to_owned(),
        };
        let asked: Asked = self
            .call(Method::POST, "/contacts/requests", Some(&body))
            .await?;
        Ok(asked.added)
    }

    /// Accepts (`true`) or declines `from`'s request.
    pub async fn answer_contact(&self, from: UserId, accept: bool) -> SdkResult<()> {
        let verb = if accept { "accept" } else { "decline" };
        let path = format!("/contacts/requests/{from}/{verb}");
        self.call_empty(Method::POST, &path).await
    }

    pub async fn remove_contact(&self, user: UserId) -> SdkResult<()> {
        self.call_empty(Method::DELETE, &format!("/contacts/{user}"))
            .await
    }

    pub async fn contacts(&self) -> SdkResult<Vec<UserProfile>> {
        self.call::<(), _>(Method::GET, "/contacts", None).await
    }

    pub async fn contact_requests(&self) -> SdkResult<ContactRequests> {
        self.call::<(), _>(Method::GET, "/contacts/requests", None)
            .await
    }

    /// Blocks `user` (`true`) or lifts the block.
    pub async fn block(&self, user: UserId, blocked: bool) -> SdkResult<()> {
        let method = if blocked { Method::PUT } else { Method::DELETE };
        self.call_empty(method, &format!("/me/blocks/{user}")).await
    }

    pub async fn blocked(&self) -> SdkResult<Vec<UserProfile>> {
        self.call::<(), _>(Method::GET, "/me/blocks", None).await
    }

    /// Who may open a direct conversation with you, and add you to groups (`None`: unchanged).
    pub async fn set_privacy(
        &self,
        direct_from: Option<Audience>,
        groups_from: Option<Audience>,
    ) -> SdkResult<UserSettings> {
        let body = SettingsRequest {
            share_receipts: None,
            direct_from,
            groups_from,
        };
        self.call(Method::PATCH, "/me/settings", Some(&body)).await
    }
}
