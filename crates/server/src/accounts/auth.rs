//! Credentials: argon2id password hashes, opaque bearer tokens (stored only as SHA-256 hashes),
//! and the rules for usernames, display names and passwords.

use crate::error::{AppError, AppResult};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tern_proto::ErrorCode;
use tokio::sync::Semaphore;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const DISPLAY_NAME_MAX: usize = 64;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;
pub const DEVICE_MAX: usize = 64;
const TOKEN_PREFIX: &str = "tern_";

/// Hashes and verifies passwords off the async threads (argon2 is deliberately slow).
#[derive(Clone)]
pub struct Passwords {
    hasher: Arc<Argon2<'static>>,
    /// Checked against when the username does not exist, so that a login for an unknown user
    /// costs the same time as one with a wrong password.
    decoy_hash: Arc<String>,
    /// One hash at a time per core: more would not finish sooner, and each holds its working
    /// memory (19 MiB by default), so a burst of logins must queue rather than pile up.
    running: Arc<Semaphore>,
}

impl Passwords {
    pub fn new(memory_kib: u32) -> AppResult<Self> {
        let params = Params::new(memory_kib, Params::DEFAULT_T_COST, 1, None)
            .map_err(|e| AppError::Internal(format!("argon2 parameters: {e}")))?;
        let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let decoy_hash = hasher
            .hash_password(&rand::random::<[u8; 16]>())
            .map_err(|e| AppError::Internal(format!("argon2: {e}")))?
            .to_string();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Passwords {
            hasher: Arc::new(hasher),
            decoy_hash: Arc::new(decoy_hash),
            running: Arc::new(Semaphore::new(cores)),
        })
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        let hasher = self.hasher.clone();
        let _turn = self.turn().await?;
        tokio::task::spawn_blocking(move || {
            hasher
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("argon2: {e}")))
        })
        .await
        .map_err(|e| AppError::Internal(format!("hashing task: {e}")))?
    }

    /// True if `password` matches `stored`; with `None`, checks the decoy and returns false.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let hasher = self.hasher.clone();
        let is_real = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.decoy_hash.as_str().to_owned());
        let _turn = self.turn().await?;
        tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| AppError::Internal(format!("stored password hash: {e}")))?;
            // Verified first, always: `is_real && verify(..)` would skip the work for unknown
            // users and tell an attacker which usernames exist by the time it takes.
            let matches = hasher.verify_password(password.as_bytes(), &parsed).is_ok();
            Ok(matches && is_real)
        })
        .await
        .map_err(|e| AppError::Internal(format!("hashing task: {e}")))?
    }

    async fn turn(&self) -> AppResult<tokio::sync::SemaphorePermit<'_>> {
        self.running
            .acquire()
            .await
            .map_err(|e| AppError::Internal(format!("password queue: {e}")))
    }
}

/// A fresh bearer token: 256 random bits, URL-safe, with a recognisable prefix.
pub fn new_token() -> String {
    format!(
        "{TOKEN_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    )
}

/// What the database stores instead of the token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Usernames are case-insensitive: stored and compared in lowercase.
pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// 3 to 32 characters: lowercase ASCII letters, digits, '_', '.', '-', starting with a letter.
pub fn check_username(username: &str) -> AppResult<()> {
    let ok_len = (USERNAME_MIN..=USERNAME_MAX).contains(&username.len());
    let ok_start = username
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase());
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
    if ok_len && ok_start && ok_chars {
        Ok(())
    } else {
        Err(AppError::client(
            ErrorCode::InvalidUsername,
            format!(
                "usernames are {USERNAME_MIN} to {USERNAME_MAX} characters of a-z, 0-9, '_', '.' \
                 and '-', starting with a letter"
            ),
        ))
    }
}

/// Any language and emoji, 1 to 64 characters after trimming, none of the tricks `names`
/// refuses.
pub fn check_display_name(raw: &str) -> AppResult<String> {
    super::names::check_name(
        raw,
        DISPLAY_NAME_MAX,
        ErrorCode::InvalidDisplayName,
        "display names",
    )
}

pub fn check_password(password: &str) -> AppResult<()> {
    let len = password.chars().count();
    if (PASSWORD_MIN..=PASSWORD_MAX).contains(&len) {
        Ok(())
    } else {
        Err(AppError::client(
            ErrorCode::InvalidPassword,
            format!("passwords are {PASSWORD_MIN} to {PASSWORD_MAX} characters"),
        ))
    }
}

/// The device label shown in the session list; defaults to "unnamed device".
pub fn device_label(raw: Option<&str>) -> String {
    let label: String = raw
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(DEVICE_MAX)
        .collect();
    let label = label.trim();
    if label.is_empty() {
        "unnamed device".into()
    } else {
        label.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        for ok in [
            "bob",
            "alice_2",
            "a.b-c",
            "x23456789012345678901234567890yz",
        ] {
            assert!(check_username(ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "2bob", "_bob", "bob smith", "böb", "Bob", "", "张三"] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
        assert_eq!(normalize_username("  Alice "), "alice");
    }

    #[test]
    fn display_names_take_any_unicode() {
        assert_eq!(check_display_name(" 张伟 🐦 ").unwrap(), "张伟 🐦");
        assert!(check_display_name("   ").is_err());
        assert!(check_display_name("a\u{0007}b").is_err());
        assert!(check_display_name(&"字".repeat(64)).is_ok());
        assert!(check_display_name(&"字".repeat(65)).is_err());
    }

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with("tern_") && a.len() > 40);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[tokio::test]
    async fn passwords_verify_and_unknown_users_never_match() {
        let p = Passwords::new(64).unwrap();
        let h = p.hash("correct horse".into()).await.unwrap();
        assert!(
            p.verify("correct horse".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!p.verify("wrong horse".into(), Some(h)).await.unwrap());
        assert!(!p.verify("anything".into(), None).await.unwrap());
    }
}
