//! tern's wire types: everything a client and the server say to each other, and nothing else.
//!
//! The crate has no runtime dependencies beyond serde so that every client (the Rust SDK, the
//! load generator, a CLI) can share the exact types the server speaks. docs/PROTOCOL.md is the
//! prose version of this crate; keep them in step.

pub mod codes;
pub mod content;
pub mod frames;
pub mod ids;
pub mod model;
pub mod rest;
#[cfg(feature = "typescript")]
pub mod typescript;

pub use codes::{CloseCode, ErrorCode};
pub use content::{Content, FileInfo, Forwarded, SystemEvent, WAVEFORM_MAX};
pub use frames::{ClientFrame, FEATURES, FrameEnvelope, PROTOCOL_VERSION, ServerFrame};
pub use ids::{ConvId, FileId, SessionId, UserId};
pub use model::{
    Audience, ContactChange, ContactRequest, ConversationKind, ConversationReceipts,
    ConversationSummary, Event, Limits, MemberRole, NotifyLevel, Reactions, Receipt, UserProfile,
    UserSettings,
};
