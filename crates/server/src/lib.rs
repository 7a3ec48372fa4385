//! The tern server: configuration, startup, the HTTP API, the WebSocket gateway, the hub that
//! routes events to local connections, and the chat service that owns the rules.
//!
//! ARCHITECTURE.md explains how the parts fit together and follows one message through them.

pub mod accounts;
pub mod app;
pub mod auth;
pub mod bus;
pub mod chat;
pub mod committer;
pub mod config;
pub mod error;
pub mod gateway;
pub mod http;
pub mod hub;
pub mod members;
pub mod outbox;

pub use app::App;
pub use config::Config;
