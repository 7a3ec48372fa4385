//! Conversations: direct ones (one per pair), groups with an owner, admins and members, the
//! list of a user's conversations and sync. The service (`service`), administering a group
//! (`admin`), the HTTP routes (`http`) and the WebSocket frames (`frames`).

mod admin;
pub mod frames;
pub mod http;
mod service;

pub use admin::GROUP_NAME_MAX;
pub use service::{Conversations, SYNC_PAGE, SyncPage, USERS_PER_REQUEST_MAX};
