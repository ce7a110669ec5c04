//! Private keys from PEM, in the forms jsonwebtoken's pure-Rust backend
//! takes without its `use_pem` feature (which would add a crate to the
//! tree): a `.p8` (PKCS#8) EC key as it is, an RSA one unwrapped from
//! PKCS#8 to PKCS#1.

use base64::Engine as _;
use jsonwebtoken::EncodingKey;

/// The DER inside the first PEM block labelled `label`.
fn der(pem: &str, label: &str) -> Result<Vec<u8>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem
        .find(&begin)
        .ok_or_else(|| format!("no {label} block"))?
        + begin.len();
    let len = pem
        .get(start..)
        .and_then(|rest| rest.find(&end))
        .ok_or_else(|| format!("{label} block not ended"))?;
    let body: String = pem
        .get(start..start + len)
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("{label} block: {e}"))
}

/// A service account's `private_key` (PKCS#8 RSA).
pub(crate) fn rsa_key(pem: &str) -> Result<EncodingKey, String> {
    let der = der(pem, "PRIVATE KEY")?;
    let info = pkcs8::PrivateKeyInfo::try_from(der.as_slice()).map_err(|e| e.to_string())?;
    Ok(EncodingKey::from_rsa_der(info.private_key))
}

/// An APNs `.p8` key (PKCS#8 P-256).
pub(crate) fn ec_key(pem: &str) -> Result<EncodingKey, String> {
    let der = der(pem, "PRIVATE KEY")?;
    // Checked here, not at the first push.
    pkcs8::PrivateKeyInfo::try_from(der.as_slice()).map_err(|e| e.to_string())?;
    Ok(EncodingKey::from_ec_der(&der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_and_bad_ones_refused() {
        let pem = "junk\n-----BEGIN PRIVATE KEY-----\nAAEC\nAw==\n-----END PRIVATE KEY-----\n";
        assert_eq!(der(pem, "PRIVATE KEY"), Ok(vec![0, 1, 2, 3]));
        assert!(der("nothing", "PRIVATE KEY").is_err());
        assert!(der(
            "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----",
            "PRIVATE KEY"
        )
        .is_err());
        assert!(rsa_key(pem).is_err(), "not PKCS#8");
    }
}
