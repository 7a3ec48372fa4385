//! tern's Rust client SDK.
//!
//! - [`Api`]: the HTTP API (accounts, conversations, history), one call per endpoint.
//! - [`Client`]: a WebSocket connection that keeps the delivery contract for the app: sends are
//!   resent until acknowledged (across reconnects), every conversation's events come out exactly
//!   once and in seq order, gaps are repaired, and a reconnect catches up on what was missed.

mod api;
mod client;
mod error;

pub use api::Api;
pub use client::{Ack, Client, ClientEvent, ClientOptions, Page, seen_by};
pub use error::{SdkError, SdkResult};
pub use tern_proto as proto;

/// Makes rustls (behind `https://` and `wss://`) use ring for its cryptography. `Api::new`
/// calls it; a program that builds its own reqwest client beside the SDK calls it first.
/// Calling it again does nothing.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
