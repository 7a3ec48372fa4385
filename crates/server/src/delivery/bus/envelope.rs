//! How a publication travels between nodes in Redis: the publishing node's id, then the publication.
//!
//! The hot case, an event for a conversation's members, is binary: the frame the publisher
//! already encoded goes through as it is, not escaped inside another JSON document and parsed
//! again on every receiving node. Everything else (rare) is JSON.
//!
//! ```text
//! b'M' | origin: u64 BE | conv: i64 BE | frame (UTF-8)     Publication::ToMembers
//! b'J' | origin: u64 BE | JSON of Publication                  every other message
//! ```

use super::Publication;
use tern_proto::ConvId;

const TO_MEMBERS: u8 = b'M';
const JSON: u8 = b'J';
const HEAD: usize = 1 + 8;

pub fn encode(origin: u64, publication: &Publication) -> Result<Vec<u8>, serde_json::Error> {
    let mut out;
    match publication {
        Publication::ToMembers { conv, frame } => {
            out = Vec::with_capacity(HEAD + 8 + frame.len());
            out.push(TO_MEMBERS);
            out.extend_from_slice(&origin.to_be_bytes());
            out.extend_from_slice(&conv.0.to_be_bytes());
            out.extend_from_slice(frame.as_bytes());
        }
        other => {
            out = Vec::with_capacity(256);
            out.push(JSON);
            out.extend_from_slice(&origin.to_be_bytes());
            serde_json::to_writer(&mut out, other)?;
        }
    }
    Ok(out)
}

/// The message, or None for bytes that are not an envelope.
pub fn decode(bytes: &[u8]) -> Option<Publication> {
    let (&kind, rest) = bytes.split_first()?;
    let (_origin, body) = rest.split_first_chunk::<8>()?;
    let publication = match kind {
        TO_MEMBERS => {
            let (conv, frame) = body.split_first_chunk::<8>()?;
            Publication::ToMembers {
                conv: ConvId(i64::from_be_bytes(*conv)),
                frame: String::from_utf8(frame.to_vec()).ok()?,
            }
        }
        JSON => serde_json::from_slice(body).ok()?,
        _ => return None,
    };
    Some(publication)
}

/// The node that published the envelope: lets a node skip its own messages without decoding
/// them.
pub fn origin_of(bytes: &[u8]) -> Option<u64> {
    let (_, rest) = bytes.split_first()?;
    Some(u64::from_be_bytes(*rest.first_chunk::<8>()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_proto::UserId;

    #[test]
    fn member_events_travel_as_they_were_encoded() {
        let frame = r#"{"type":"event","text":"naïve \"quoted\" 你好"}"#.to_owned();
        let message = Publication::ToMembers {
            conv: ConvId(-7),
            frame: frame.clone(),
        };
        let bytes = encode(42, &message).unwrap();
        assert!(
            bytes.ends_with(frame.as_bytes()),
            "the frame is carried verbatim"
        );
        assert_eq!(origin_of(&bytes), Some(42));
        match decode(&bytes) {
            Some(Publication::ToMembers { conv, frame: got }) => {
                assert_eq!(conv, ConvId(-7));
                assert_eq!(got, frame);
            }
            other => panic!("decoded {other:?}"),
        }
    }

    #[test]
    fn other_messages_travel_as_json() {
        let message = Publication::Membership {
            conv: ConvId(3),
            frame: "{}".into(),
            notify: vec![UserId(1)],
            added: vec![UserId(2)],
            removed: vec![],
        };
        let bytes = encode(u64::MAX, &message).unwrap();
        assert_eq!(origin_of(&bytes), Some(u64::MAX));
        match decode(&bytes) {
            Some(Publication::Membership { conv, added, .. }) => {
                assert_eq!(conv, ConvId(3));
                assert_eq!(added, vec![UserId(2)]);
            }
            other => panic!("decoded {other:?}"),
        }
        assert!(matches!(
            decode(&encode(1, &Publication::Resync).unwrap()),
            Some(Publication::Resync)
        ));
    }

    #[test]
    fn anything_else_is_rejected() {
        for bad in [
            &b""[..],
            b"M",
            b"M1234567",
            b"M12345678short",
            b"X12345678{}",
            b"J12345678not json",
        ] {
            assert!(decode(bad).is_none(), "{bad:?}");
        }
        let mut not_utf8 = encode(
            1,
            &Publication::ToMembers {
                conv: ConvId(1),
                frame: String::new(),
            },
        )
        .unwrap();
        not_utf8.push(0xff);
        assert!(decode(&not_utf8).is_none());
    }
}
