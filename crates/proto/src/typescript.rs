//! The TypeScript declarations of the wire types, generated from this crate (ts-rs): the web
//! SDK's `web/sdk/src/wire.ts` is this output, and a test fails when that file is stale.

use crate::codes::{CloseCode, ErrorCode};
use crate::content::{Content, FileInfo, Forwarded, SystemEvent};
use crate::frames::{ClientFrame, Pinned, ServerFrame, Version};
use crate::ids::{ConvId, FileId, SessionId, UserId};
use crate::model::{
    Audience, ContactChange, ContactRequest, ConversationKind, ConversationReceipts,
    ConversationSummary, Event, Limits, MemberRole, NotifyLevel, Reactions, Receipt, UserProfile,
    UserSettings,
};
use crate::rest::*;
use ts_rs::{Config, TS};

/// Where the generated file lives, from the repository root.
pub const WIRE_TS: &str = "web/sdk/src/wire.ts";

/// The whole of `wire.ts`.
pub fn wire_ts() -> String {
    // Ids, seqs and timestamps stay far below 2^53: plain numbers, not bigints.
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from crates/proto by `UPDATE_WIRE=1 cargo test -p tern-proto wire`: do not edit.\n\
         // The wire types of tern (docs/PROTOCOL.md is the contract); protocol.ts adds helpers.\n",
    );
    macro_rules! declare {
        ($($ty:ty),* $(,)?) => {$(
            out.push('\n');
            if let Some(docs) = <$ty as TS>::docs() {
                out.push_str(&docs);
            }
            out.push_str(&layout(&format!("export {}", <$ty as TS>::decl(&cfg))));
            out.push('\n');
        )*};
    }
    declare!(
        UserId,
        ConvId,
        SessionId,
        FileId,
        UserProfile,
        Event,
        Reactions,
        Content,
        FileInfo,
        Forwarded,
        SystemEvent,
        ConversationKind,
        MemberRole,
        NotifyLevel,
        ConversationSummary,
        Receipt,
        ConversationReceipts,
        UserSettings,
        Limits,
        ErrorCode,
        ClientFrame,
        ServerFrame,
        Pinned,
        Version,
        RegisterRequest,
        LoginRequest,
        LoginResponse,
        SessionInfo,
        UpdateProfileRequest,
        SettingsRequest,
        ReceiptList,
        CreateDirectRequest,
        CreateGroupRequest,
        AddMembersRequest,
        MemberInfo,
        ConversationDetail,
        SendMessageRequest,
        ErrorBody,
        SentMessage,
        EditRequest,
        ReactRequest,
        ForwardRequest,
        ChangeResult,
        PreferencesRequest,
        Preferences,
        EventPage,
        ReadRequest,
        ReadPosition,
        UploadedFile,
        PictureDetails,
        UploadStatus,
        LinksRequest,
        LinkRequest,
        LinkList,
        FileLink,
        GroupAvatarRequest,
        GroupInfoRequest,
        RoleRequest,
        TransferRequest,
        MuteRequest,
        MuteAllRequest,
        NicknameRequest,
        MemberPage,
        Announcement,
        Audience,
        ContactRequest,
        ContactChange,
        ContactRequestBody,
        ContactRequests,
    );
    out.push_str("\n/** WebSocket close codes (docs/PROTOCOL.md, section 5). */\nexport const CloseCode = {\n");
    for (name, code) in CloseCode::ALL {
        out.push_str(&format!("  {name}: {code},\n"));
    }
    out.push_str("} as const;\n");
    out
}

/// ts-rs writes each declaration on one line (fields' doc comments included): one field per
/// line, indented by depth, so the file reads like hand-written TypeScript.
fn layout(decl: &str) -> String {
    let mut out = String::with_capacity(decl.len() * 2);
    // Per open brace: whether it was laid out over several lines (`{}` is not).
    let mut braces: Vec<bool> = Vec::new();
    let (mut angles, mut quoted, mut comment) = (0usize, false, false);
    let depth = |braces: &[bool]| braces.iter().filter(|open| **open).count();
    let newline = |out: &mut String, depth: usize| {
        while out.ends_with(' ') {
            out.pop();
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&"  ".repeat(depth));
    };
    let mut chars = decl.chars().peekable();
    while let Some(c) = chars.next() {
        if comment {
            if c == '\n' {
                out.push('\n');
                out.push_str(&"  ".repeat(depth(&braces)));
            } else {
                out.push(c);
                comment = !out.ends_with("*/");
            }
            continue;
        }
        if quoted {
            quoted = c != '"';
            out.push(c);
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'*') => {
                comment = true;
                out.push(c);
            }
            '<' | '>' => {
                angles = if c == '<' {
                    angles + 1
                } else {
                    angles.saturating_sub(1)
                };
                out.push(c);
            }
            '{' => {
                let spread = chars.peek() == Some(&' ') && angles == 0;
                braces.push(spread);
                out.push('{');
                if spread {
                    chars.next();
                    newline(&mut out, depth(&braces));
                }
            }
            '}' => {
                if braces.pop() == Some(true) {
                    newline(&mut out, depth(&braces));
                }
                out.push('}');
            }
            ',' if depth(&braces) > 0 && angles == 0 => {
                out.push(',');
                if chars.peek() == Some(&' ') {
                    chars.next();
                }
                newline(&mut out, depth(&braces));
            }
            '\n' if depth(&braces) > 0 => newline(&mut out, depth(&braces)),
            _ => out.push(c),
        }
    }
    out
}
