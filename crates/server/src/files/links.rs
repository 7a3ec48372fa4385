//! Signed download links: a browser's `<img src>` cannot send a bearer token, so a client asks
//! for links (`POST /files/links`) and puts them in the page. A link names the file, the
//! rendition, the user it was made for and when it expires, signed with a key every node
//! shares (kept in the database); each download still checks that the user may read the file.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

type Hmac = hmac::Hmac<Sha256>;

#[derive(Clone)]
pub struct Links {
    key: Vec<u8>,
    ttl_ms: i64,
}

/// What a valid link grants: the user it was made for.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid(i64),
    Expired,
    Forged,
}

impl Links {
    pub fn new(key: &str, ttl_s: u64) -> Links {
        Links {
            key: key.as_bytes().to_vec(),
            ttl_ms: i64::try_from(ttl_s.saturating_mul(1000)).unwrap_or(i64::MAX),
        }
    }

    /// The query string of a link to `file`'s `variant` ("" for the file) for `user`, made at
    /// `now` (Unix ms), and when it expires.
    pub fn sign(&self, file: &str, variant: &str, user: i64, now: i64) -> (String, i64) {
        let expires = now.saturating_add(self.ttl_ms);
        let signature = self.signature(file, variant, user, expires);
        (format!("u={user}&exp={expires}&sig={signature}"), expires)
    }

    /// Checks a link's `u`, `exp` and `sig` for `file`'s `variant` at `now`.
    pub fn verify(
        &self,
        file: &str,
        variant: &str,
        user: i64,
        expires: i64,
        sig: &str,
        now: i64,
    ) -> Verdict {
        let mut mac = self.mac(file, variant, user, expires);
        let Some(given) = unhex(sig) else {
            return Verdict::Forged;
        };
        // Compared in constant time, so a forger learns nothing from how long a refusal took.
        if mac_verify(&mut mac, &given) {
            if now > expires {
                Verdict::Expired
            } else {
                Verdict::Valid(user)
            }
        } else {
            Verdict::Forged
        }
    }

    fn mac(&self, file: &str, variant: &str, user: i64, expires: i64) -> Hmac {
        // HMAC accepts keys of any length.
        let mut mac = Hmac::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(format!("{file}/{variant}/{user}/{expires}").as_bytes());
        mac
    }

    fn signature(&self, file: &str, variant: &str, user: i64, expires: i64) -> String {
        let bytes = self
            .mac(file, variant, user, expires)
            .finalize()
            .into_bytes();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn mac_verify(mac: &mut Hmac, given: &[u8]) -> bool {
    mac.clone().verify_slice(given).is_ok()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 128 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A fresh key for a new installation: 256 random bits, hex.
pub fn new_key() -> String {
    rand::random::<[u8; 32]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(query: &str) -> (i64, i64, String) {
        let get = |k: &str| {
            query
                .split('&')
                .find_map(|p| p.strip_prefix(&format!("{k}=")))
                .unwrap()
                .to_string()
        };
        (
            get("u").parse().unwrap(),
            get("exp").parse().unwrap(),
            get("sig"),
        )
    }

    #[test]
    fn a_link_is_valid_for_its_file_rendition_and_user_until_it_expires() {
        let links = Links::new("k", 60);
        let (query, expires) = links.sign("f1", "thumb", 7, 1_000);
        assert_eq!(expires, 61_000);
        let (user, exp, sig) = parts(&query);
        assert_eq!(
            links.verify("f1", "thumb", user, exp, &sig, 2_000),
            Verdict::Valid(7)
        );
        assert_eq!(
            links.verify("f1", "thumb", user, exp, &sig, 61_001),
            Verdict::Expired
        );
        assert_eq!(
            links.verify("f1", "", user, exp, &sig, 2_000),
            Verdict::Forged
        );
        assert_eq!(
            links.verify("f2", "thumb", user, exp, &sig, 2_000),
            Verdict::Forged
        );
        assert_eq!(
            links.verify("f1", "thumb", 8, exp, &sig, 2_000),
            Verdict::Forged
        );
        assert_eq!(
            links.verify("f1", "thumb", user, exp + 1, &sig, 2_000),
            Verdict::Forged
        );
        assert_eq!(
            links.verify("f1", "thumb", user, exp, "zz", 2_000),
            Verdict::Forged
        );
        let other = Links::new("other key", 60);
        assert_eq!(
            other.verify("f1", "thumb", user, exp, &sig, 2_000),
            Verdict::Forged
        );
    }
}
