//! The HTTP API, one method per endpoint; administering a group in `groups`.

mod contacts;
mod groups;

use crate::error::{SdkError, SdkResult};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tern_proto::FileId;
use tern_proto::frames::{Pinned, Version};
use tern_proto::rest::{
    AddMembersRequest, ChangeResult, ConversationDetail, CreateDirectRequest, CreateGroupRequest,
    EditRequest, ErrorBody, EventPage, ForwardRequest, LoginRequest, LoginResponse, Preferences,
    PreferencesRequest, ReactRequest, ReadPosition, ReadRequest, ReceiptList, RegisterRequest,
    SendMessageRequest, SentMessage, SessionInfo, SettingsRequest, UpdateProfileRequest,
};
use tern_proto::rest::{FileLink, LinkList, LinkRequest, LinksRequest, UploadedFile};
use tern_proto::{
    Content, ConvId, ConversationSummary, NotifyLevel, Receipt, SessionId, UserId, UserProfile,
    UserSettings,
};

/// An HTTP client for one server, optionally with a bearer token.
#[derive(Clone, Debug)]
pub struct Api {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl Api {
    /// `base` is the server's URL, e.g. `http://127.0.0.1:8080`.
    pub fn new(base: impl Into<String>) -> Self {
        crate::install_tls();
        Api {
            base: base.into().trim_end_matches('/').to_owned(),
            token: None,
            http: reqwest::Client::new(),
        }
    }

    /// The same server, acting with `token`.
    pub fn with_token(&self, token: impl Into<String>) -> Self {
        Api {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub async fn register(
        &self,
        username: &str,
        password: &str,
        display_name: Option<&str>,
    ) -> SdkResult<UserProfile> {
        let body = RegisterRequest {
            username: username.into(),
            password: password.into(),
            display_name: display_name.map(Into::into),
        };
        self.call(Method::POST, "/register", Some(&body)).await
    }

    pub async fn login(
        &self,
        username: &str,
        password: &str,
        device: Option<&str>,
    ) -> SdkResult<LoginResponse> {
        let body = LoginRequest {
            username: username.into(),
            password: password.into(),
            device: device.map(Into::into),
        };
        self.call(Method::POST, "/login", Some(&body)).await
    }

    pub async fn logout(&self) -> SdkResult<()> {
        self.call_empty(Method::POST, "/logout").await
    }

    pub async fn me(&self) -> SdkResult<UserProfile> {
        self.call(Method::GET, "/me", None::<&()>).await
    }

    /// Your account settings.
    pub async fn settings(&self) -> SdkResult<UserSettings> {
        self.call(Method::GET, "/me/settings", None::<&()>).await
    }

    /// Changes the settings given (`None` leaves one as it is); returns them as they now stand.
    pub async fn update_settings(&self, share_receipts: Option<bool>) -> SdkResult<UserSettings> {
        let body = SettingsRequest {
            share_receipts,
            direct_from: None,
            groups_from: None,
        };
        self.call(Method::PATCH, "/me/settings", Some(&body)).await
    }

    pub async fn set_display_name(&self, display_name: &str) -> SdkResult<UserProfile> {
        let body = UpdateProfileRequest {
            display_name: Some(display_name.into()),
            avatar: None,
        };
        self.call(Method::PATCH, "/me", Some(&body)).await
    }

    /// Sets a group's picture (you must own the group) to a picture you uploaded, or removes it
    /// (`None`). Returns the seq of the event that tells the members.
    /// Sets your profile picture to a picture you uploaded (`upload`), or removes it (`None`).
    pub async fn set_avatar(&self, avatar: Option<&FileId>) -> SdkResult<UserProfile> {
        let body = UpdateProfileRequest {
            display_name: None,
            avatar: Some(avatar.cloned()),
        };
        self.call(Method::PATCH, "/me", Some(&body)).await
    }

    pub async fn sessions(&self) -> SdkResult<Vec<SessionInfo>> {
        self.call(Method::GET, "/sessions", None::<&()>).await
    }

    pub async fn revoke_session(&self, session: SessionId) -> SdkResult<()> {
        self.call_empty(Method::DELETE, &format!("/sessions/{session}"))
            .await
    }

    /// A user by id (anyone: members who left included).
    pub async fn user(&self, user: UserId) -> SdkResult<UserProfile> {
        self.call(Method::GET, &format!("/users/{user}"), None::<&()>)
            .await
    }

    /// The profiles of those of `users` that exist (at most `max_users_per_request`).
    pub async fn users(&self, users: &[UserId]) -> SdkResult<Vec<UserProfile>> {
        let ids: Vec<String> = users.iter().map(|u| u.to_string()).collect();
        self.call(
            Method::GET,
            &format!("/users?ids={}", ids.join(",")),
            None::<&()>,
        )
        .await
    }

    pub async fn user_by_username(&self, username: &str) -> SdkResult<UserProfile> {
        self.call(Method::GET, &format!("/users/{username}"), None::<&()>)
            .await
    }

    pub async fn open_direct(&self, user: UserId) -> SdkResult<ConversationDetail> {
        let body = CreateDirectRequest {
            user: Some(user),
            username: None,
        };
        self.call(Method::POST, "/conversations/direct", Some(&body))
            .await
    }

    pub async fn open_direct_by_username(&self, username: &str) -> SdkResult<ConversationDetail> {
        let body = CreateDirectRequest {
            user: None,
            username: Some(username.into()),
        };
        self.call(Method::POST, "/conversations/direct", Some(&body))
            .await
    }

    pub async fn create_group(
        &self,
        name: &str,
        members: &[UserId],
    ) -> SdkResult<ConversationDetail> {
        let body = CreateGroupRequest {
            name: name.into(),
            members: members.to_vec(),
        };
        self.call(Method::POST, "/conversations/group", Some(&body))
            .await
    }

    pub async fn conversations(&self) -> SdkResult<Vec<ConversationSummary>> {
        self.call(Method::GET, "/conversations", None::<&()>).await
    }

    pub async fn conversation(&self, conv: ConvId) -> SdkResult<ConversationDetail> {
        self.call(Method::GET, &format!("/conversations/{conv}"), None::<&()>)
            .await
    }

    pub async fn add_members(
        &self,
        conv: ConvId,
        users: &[UserId],
    ) -> SdkResult<ConversationDetail> {
        let body = AddMembersRequest {
            users: users.to_vec(),
        };
        self.call(
            Method::POST,
            &format!("/conversations/{conv}/members"),
            Some(&body),
        )
        .await
    }

    pub async fn remove_member(&self, conv: ConvId, user: UserId) -> SdkResult<()> {
        self.call_empty(
            Method::DELETE,
            &format!("/conversations/{conv}/members/{user}"),
        )
        .await
    }

    pub async fn leave(&self, conv: ConvId) -> SdkResult<()> {
        self.call_empty(Method::POST, &format!("/conversations/{conv}/leave"))
            .await
    }

    pub async fn history(
        &self,
        conv: ConvId,
        before: Option<u64>,
        limit: Option<u32>,
    ) -> SdkResult<EventPage> {
        let mut path = format!("/conversations/{conv}/messages?");
        if let Some(b) = before {
            path.push_str(&format!("before={b}&"));
        }
        if let Some(l) = limit {
            path.push_str(&format!("limit={l}"));
        }
        self.call(Method::GET, &path, None::<&()>).await
    }

    pub async fn send(&self, conv: ConvId, cmid: &str, content: Content) -> SdkResult<SentMessage> {
        let body = SendMessageRequest {
            cmid: cmid.into(),
            content,
        };
        self.call(
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(&body),
        )
        .await
    }

    pub async fn mark_read(&self, conv: ConvId, seq: u64) -> SdkResult<ReadPosition> {
        self.call(
            Method::POST,
            &format!("/conversations/{conv}/read"),
            Some(&ReadRequest { seq }),
        )
        .await
    }

    /// Replaces the text of your message at `seq`; the seqs of the events stored.
    pub async fn edit(&self, conv: ConvId, seq: u64, text: &str) -> SdkResult<Vec<u64>> {
        let body = EditRequest { text: text.into() };
        let path = format!("/conversations/{conv}/messages/{seq}");
        self.change(Method::PATCH, &path, Some(&body)).await
    }

    /// Recalls the message at `seq`.
    pub async fn recall(&self, conv: ConvId, seq: u64) -> SdkResult<Vec<u64>> {
        let path = format!("/conversations/{conv}/messages/{seq}");
        self.change(Method::DELETE, &path, None::<&()>).await
    }

    /// Adds (`added`) or takes off your reaction `emoji` on the message at `seq`.
    pub async fn react(
        &self,
        conv: ConvId,
        seq: u64,
        emoji: &str,
        added: bool,
    ) -> SdkResult<Vec<u64>> {
        let body = ReactRequest {
            emoji: emoji.into(),
            added,
        };
        let path = format!("/conversations/{conv}/messages/{seq}/reactions");
        self.change(Method::POST, &path, Some(&body)).await
    }

    /// Pins (`pinned`) or unpins the message at `seq`.
    pub async fn pin(&self, conv: ConvId, seq: u64, pinned: bool) -> SdkResult<Vec<u64>> {
        let method = if pinned { Method::PUT } else { Method::DELETE };
        let path = format!("/conversations/{conv}/pins/{seq}");
        self.change(method, &path, None::<&()>).await
    }

    pub async fn pins(&self, conv: ConvId) -> SdkResult<Vec<Pinned>> {
        let path = format!("/conversations/{conv}/pins");
        self.call(Method::GET, &path, None::<&()>).await
    }

    /// The read positions of the members of `conv` who share theirs (none when you do not).
    pub async fn receipts(&self, conv: ConvId) -> SdkResult<Vec<Receipt>> {
        let path = format!("/conversations/{conv}/receipts");
        let list: ReceiptList = self.call(Method::GET, &path, None::<&()>).await?;
        Ok(list.receipts)
    }

    /// Every version of the text of the message at `seq`, the original first.
    pub async fn versions(&self, conv: ConvId, seq: u64) -> SdkResult<Vec<Version>> {
        let path = format!("/conversations/{conv}/messages/{seq}/versions");
        self.call(Method::GET, &path, None::<&()>).await
    }

    /// Copies the messages at `seqs` of `from` into `conv`; idempotent by `cmid`.
    pub async fn forward(
        &self,
        conv: ConvId,
        from: ConvId,
        seqs: &[u64],
        cmid: &str,
    ) -> SdkResult<Vec<u64>> {
        let body = ForwardRequest {
            from,
            seqs: seqs.to_vec(),
            cmid: cmid.into(),
        };
        let path = format!("/conversations/{conv}/forward");
        self.change(Method::POST, &path, Some(&body)).await
    }

    /// Your own preferences for `conv`: notification level and staying on top of your list.
    pub async fn preferences(
        &self,
        conv: ConvId,
        notify: Option<NotifyLevel>,
        top: Option<bool>,
    ) -> SdkResult<Preferences> {
        let body = PreferencesRequest { notify, top };
        let path = format!("/conversations/{conv}/preferences");
        self.call(Method::PATCH, &path, Some(&body)).await
    }

    /// Uploads a whole file in one request (for large files on poor networks, use the
    /// resumable tus protocol of docs/PROTOCOL.md). Send it with `Content::image(file.id)`,
    /// `Content::file(..)` or `Content::voice(..)`.
    pub async fn upload(&self, name: &str, bytes: Vec<u8>) -> SdkResult<UploadedFile> {
        let path = format!("/files?name={}", encode_component(name));
        let resp = check(self.request(Method::POST, &path).body(bytes).send().await?).await?;
        Ok(resp.json().await?)
    }

    /// Uploads `bytes` with the resumable protocol (tus 1.0), `chunk` bytes per request: a
    /// request that fails (the connection cut, the server restarting) is retried from where
    /// the server says the upload stands, up to `retries` times in a row.
    pub async fn upload_resumable(
        &self,
        name: &str,
        bytes: &[u8],
        chunk: usize,
        retries: u32,
    ) -> SdkResult<UploadedFile> {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(name);
        let created = check(
            self.request(Method::POST, "/files")
                .header("tus-resumable", "1.0.0")
                .header("upload-length", bytes.len())
                .header("upload-metadata", format!("filename {encoded}"))
                .send()
                .await?,
        )
        .await?;
        let location = created
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| SdkError::Protocol("the server named no upload".into()))?
            .to_owned();
        let path = location.trim_start_matches("/api/v1").to_owned();
        let mut offset = 0usize;
        let mut failures = 0;
        let file = loop {
            let end = (offset + chunk.max(1)).min(bytes.len());
            let sent = self
                .request(Method::PATCH, &path)
                .header("tus-resumable", "1.0.0")
                .header("upload-offset", offset)
                .header("content-type", "application/offset+octet-stream")
                .body(bytes[offset..end].to_vec())
                .send()
                .await;
            let answer = match sent {
                Ok(resp) => check(resp).await,
                Err(e) => Err(e.into()),
            };
            match answer {
                Ok(resp) => {
                    failures = 0;
                    offset = header_number(&resp, "upload-offset").unwrap_or(end);
                    if let Some(file) = resp.headers().get("tern-file") {
                        break file.to_str().unwrap_or_default().to_owned();
                    }
                }
                Err(e) if failures < retries && retryable(&e) => {
                    failures += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100 << failures.min(6)))
                        .await;
                    // Where the server stands: what a cut request delivered is kept. If asking
                    // fails too, the next PATCH tries from here and is told where to go.
                    let Ok(head) = self
                        .request(Method::HEAD, &path)
                        .header("tus-resumable", "1.0.0")
                        .send()
                        .await
                    else {
                        continue;
                    };
                    let Ok(head) = check(head).await else {
                        continue;
                    };
                    if let Some(file) = head.headers().get("tern-file") {
                        break file.to_str().unwrap_or_default().to_owned();
                    }
                    offset = header_number(&head, "upload-offset").unwrap_or(offset);
                }
                Err(e) => return Err(e),
            }
        };
        self.file_info(&FileId(file)).await
    }

    /// A file's details.
    pub async fn file_info(&self, file: &FileId) -> SdkResult<UploadedFile> {
        self.call(Method::GET, &format!("/files/{file}/info"), None::<&()>)
            .await
    }

    /// A file's bytes, or one of its renditions (`thumb`, `preview`).
    pub async fn download(&self, file: &FileId, variant: Option<&str>) -> SdkResult<Vec<u8>> {
        let path = match variant {
            Some(variant) => format!("/files/{file}/{variant}"),
            None => format!("/files/{file}"),
        };
        let resp = check(self.request(Method::GET, &path).send().await?).await?;
        Ok(resp.bytes().await?.to_vec())
    }

    /// Signed links to files (for a browser or another program that cannot send the token).
    pub async fn file_links(&self, files: Vec<LinkRequest>) -> SdkResult<Vec<FileLink>> {
        let list: LinkList = self
            .call(Method::POST, "/files/links", Some(&LinksRequest { files }))
            .await?;
        Ok(list.links)
    }

    async fn change<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> SdkResult<Vec<u64>> {
        let result: ChangeResult = self.call(method, path, body).await?;
        Ok(result.seqs)
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> SdkResult<T> {
        let mut req = self.request(method, path);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = check(req.send().await?).await?;
        Ok(resp.json().await?)
    }

    async fn call_empty(&self, method: Method, path: &str) -> SdkResult<()> {
        check(self.request(method, path).send().await?).await?;
        Ok(())
    }
}

/// Turns an error status into the server's error code and message.
async fn check(resp: reqwest::Response) -> SdkResult<reqwest::Response> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let text = resp.text().await.unwrap_or_default();
    let body: ErrorBody = serde_json::from_str(&text)
        .map_err(|_| SdkError::Protocol(format!("HTTP {status} with body {text:?}")))?;
    if status == StatusCode::UNAUTHORIZED && body.code == tern_proto::ErrorCode::Unauthorized {
        return Err(SdkError::Unauthorized(body.message));
    }
    Err(SdkError::Server {
        code: body.code,
        message: body.message,
    })
}

/// `text` as one URL query component.
pub(crate) fn encode_component(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A whole-number header of an answer.
fn header_number(resp: &reqwest::Response, name: &str) -> Option<usize> {
    resp.headers().get(name)?.to_str().ok()?.parse().ok()
}

/// Whether sending the same request again may succeed: no answer at all, or a retryable code.
fn retryable(e: &SdkError) -> bool {
    match e {
        SdkError::Server { code, .. } => {
            code.retryable() || *code == tern_proto::ErrorCode::OffsetMismatch
        }
        SdkError::Http(_) => true,
        _ => false,
    }
}
