//! The tern server: configuration, startup, the HTTP API and the WebSocket gateway (which only
//! compose), one folder per feature (accounts, conversations, messages, receipts: each its service, its
//! HTTP routes and its WebSocket frames), and the delivery path (committer, bus, hub, queue).
//!
//! ARCHITECTURE.md explains how the parts fit together and follows one message through them.

pub mod accounts;
pub mod app;
pub mod config;
pub mod contacts;
pub mod conversations;
pub mod delivery;
pub mod error;
pub mod files;
pub mod followers;
pub mod gateway;
pub mod http;
pub mod messages;
pub mod receipts;

pub use app::App;
pub use config::Config;
