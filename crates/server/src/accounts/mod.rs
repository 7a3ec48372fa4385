//! Accounts: users, passwords, login sessions (one per device) and profiles. The service
//! (`service`), the credential rules (`auth`) and the HTTP routes (`http`).

pub mod auth;
pub mod http;
mod service;

pub use service::{Accounts, Caller};
