//! The seal on `upstream` records: who may make a send. Logic takes every
//! upstream record as a user's send, so whoever can write to the broker
//! could send as anyone. The broker cannot say who wrote a record (SASL
//! identifies a client to the broker, not a record to its consumer), so
//! the writer proves it: with `bus.kafka.upstream_key_file` set, a
//! gateway seals each record with HMAC-SHA256 under a key that only
//! gateways and logic hold, and logic drops (and counts) a record whose
//! seal is missing or wrong. A sealed record is
//! `"fcs1" || HMAC(key, payload) || payload`; `f` (0x66) cannot begin a
//! protobuf message, so a sealed record never passes for a bare one.
//!
//! What it does not do: a reader of the broker can re-publish a record it
//! saw (logic deduplicates by sender and `client_msg_id`, so the replay
//! changes nothing), and logic, which holds the key, could seal records:
//! logic is trusted to write history anyway.

use std::path::Path;

use ferrochat_ports::bus::BusError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const TAG: &[u8; 4] = b"fcs1";
const MAC_LEN: usize = 32;
/// Shortest key accepted: HMAC-SHA256's own strength.
pub const MIN_KEY_BYTES: usize = 32;

/// The key, ready to seal and check.
#[derive(Clone)]
pub struct UpstreamSeal {
    mac: HmacSha256,
}

impl std::fmt::Debug for UpstreamSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UpstreamSeal([redacted])")
    }
}

/// Why a record was dropped; the `reason` label of
/// `ferrochat_bus_upstream_rejected_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsealed {
    /// No seal at all (a writer without the key).
    Missing,
    /// A seal made with another key, or over other bytes.
    Wrong,
}

impl Unsealed {
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "unsealed",
            Self::Wrong => "bad_seal",
        }
    }
}

impl UpstreamSeal {
    /// `key`: at least [`MIN_KEY_BYTES`] bytes (a file of random bytes,
    /// or of text such as `openssl rand -base64 48`).
    pub fn new(key: &[u8]) -> Result<Self, BusError> {
        if key.len() < MIN_KEY_BYTES {
            return Err(BusError::Unavailable(format!(
                "bus.kafka.upstream_key_file: the key has {} bytes, fewer than {MIN_KEY_BYTES}",
                key.len()
            )));
        }
        let mac = HmacSha256::new_from_slice(key)
            .map_err(|e| BusError::Unavailable(format!("bus.kafka.upstream_key_file: {e}")))?;
        Ok(Self { mac })
    }

    /// The key in `path`, surrounding whitespace (a trailing newline)
    /// ignored.
    pub fn load(path: &Path) -> Result<Self, BusError> {
        let bytes = std::fs::read(path).map_err(|e| {
            BusError::Unavailable(format!(
                "bus.kafka.upstream_key_file {}: {e}",
                path.display()
            ))
        })?;
        Self::new(bytes.trim_ascii())
    }

    pub fn seal(&self, payload: &[u8]) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(payload);
        let tag = mac.finalize().into_bytes();
        let mut sealed = Vec::with_capacity(TAG.len() + MAC_LEN + payload.len());
        sealed.extend_from_slice(TAG);
        sealed.extend_from_slice(&tag);
        sealed.extend_from_slice(payload);
        sealed
    }

    /// The payload of a record sealed with this key.
    pub fn open<'a>(&self, record: &'a [u8]) -> Result<&'a [u8], Unsealed> {
        let rest = record.strip_prefix(TAG).ok_or(Unsealed::Missing)?;
        if rest.len() < MAC_LEN {
            return Err(Unsealed::Wrong);
        }
        let (tag, payload) = rest.split_at(MAC_LEN);
        let mut mac = self.mac.clone();
        mac.update(payload);
        // Constant time: how much of a forged seal matched says nothing.
        mac.verify_slice(tag).map_err(|_| Unsealed::Wrong)?;
        Ok(payload)
    }

    /// `open`, counting and naming what it drops.
    pub(crate) fn open_counted<'a>(&self, record: &'a [u8]) -> Result<&'a [u8], Unsealed> {
        self.open(record).inspect_err(|why| {
            metrics::counter!("ferrochat_bus_upstream_rejected_total", "reason" => why.reason())
                .increment(1);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_sealed_record_opens_with_its_key_only() {
        let seal = UpstreamSeal::new(KEY).unwrap();
        let sealed = seal.seal(b"a send");
        assert_eq!(seal.open(&sealed), Ok(&b"a send"[..]));
        let other = UpstreamSeal::new(b"another key of thirty-two bytes!").unwrap();
        assert_eq!(other.open(&sealed), Err(Unsealed::Wrong));
        assert_eq!(seal.open(b"a send"), Err(Unsealed::Missing));
    }

    #[test]
    fn a_changed_payload_breaks_the_seal() {
        let seal = UpstreamSeal::new(KEY).unwrap();
        let mut sealed = seal.seal(b"send 10 coins");
        if let Some(last) = sealed.last_mut() {
            *last ^= 1;
        }
        assert_eq!(seal.open(&sealed), Err(Unsealed::Wrong));
        assert_eq!(seal.open(sealed.get(..10).unwrap()), Err(Unsealed::Wrong));
    }

    #[test]
    fn a_short_key_is_refused() {
        assert!(UpstreamSeal::new(b"short").is_err());
    }
}
