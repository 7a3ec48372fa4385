//! How a setting's text becomes its value: one parser per type, the same for the file, the
//! environment and flags. `Secret` holds what must never reach a log.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tern_store::sqlite::Durability;

/// A type a setting can have.
pub trait SettingValue: Sized {
    /// The value written as `text`, or what is wrong with it.
    fn parse(text: &str) -> Result<Self, String>;
}

macro_rules! from_str_values {
    ($($ty:ty: $what:literal),* $(,)?) => {$(
        impl SettingValue for $ty {
            fn parse(text: &str) -> Result<Self, String> {
                text.trim().parse().map_err(|_| format!("{text:?} is not {}", $what))
            }
        }
    )*};
}
from_str_values! {
    u32: "a whole number up to 4294967295",
    u64: "a whole number",
    usize: "a whole number",
    SocketAddr: "an address like 127.0.0.1:8080",
}

impl SettingValue for bool {
    fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(format!("{text:?} is neither true nor false")),
        }
    }
}

impl SettingValue for String {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}

impl SettingValue for PathBuf {
    fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("a path cannot be empty".into());
        }
        Ok(PathBuf::from(text))
    }
}

/// Written in milliseconds (the key says so: `heartbeat_ms`).
impl SettingValue for Duration {
    fn parse(text: &str) -> Result<Self, String> {
        u64::parse(text).map(Duration::from_millis)
    }
}

/// How long after sending something may still be done to a message, in seconds: a number
/// (0: never), or "unlimited".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// `None`: no limit.
    pub seconds: Option<u64>,
}

impl Window {
    /// In milliseconds, as the store takes it (`None`: no limit).
    pub fn millis(self) -> Option<i64> {
        self.seconds
            .map(|s| i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX))
    }

    /// Whether it is never allowed at all.
    pub fn is_off(self) -> bool {
        self.seconds == Some(0)
    }
}

impl SettingValue for Window {
    fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "unlimited" => Ok(Window { seconds: None }),
            other => other
                .parse()
                .map(|s| Window { seconds: Some(s) })
                .map_err(|_| format!("{text:?} is neither a number of seconds nor \"unlimited\"")),
        }
    }
}

/// Empty text: unset.
impl<T: SettingValue> SettingValue for Option<T> {
    fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            Ok(None)
        } else {
            T::parse(text).map(Some)
        }
    }
}

impl SettingValue for Durability {
    fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "process" => Ok(Durability::Process),
            "power" => Ok(Durability::Power),
            other => Err(format!("{other:?} is neither \"process\" nor \"power\"")),
        }
    }
}

/// A list (of OIDC providers, push vendors, AI endpoints...): an array of tables in the file
/// (`[[section.key]]`), JSON text in a variable or flag.
impl<T: serde::de::DeserializeOwned> SettingValue for Vec<T> {
    fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(text).map_err(|e| format!("not a list of the expected form: {e}"))
    }
}

/// A password, a key, or a URL that may hold one. It prints as `***` (in `Debug` too, so a
/// logged `Config` shows none); `expose` is the one way to read it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl SettingValue for Secret {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(Secret(text.to_owned()))
    }
}
