//! A Bloom filter of an index row's terms, kept beside them on MariaDB and
//! MySQL (`message_search.bloom` and `bloom2`, migration 0020).
//!
//! A search there walks the caller's conversations newest first and tests
//! each row's terms with a string match (`search.rs`, `scan`): for a rare
//! word it reads the caller's whole history, and the match is most of
//! what each row costs (on a conversation of 20,000 rows: 3 ms to read
//! them, 18 ms to match their terms). The filter is two integers of 63
//! bits each (bit 63 stays clear: the servers' `&` works on unsigned
//! integers, and a negative mask would never equal its result); each term
//! sets one bit of each. A message's ten or so terms set about a sixth of
//! each half, so a row without a one-word query's term passes both halves
//! about once in 36 times and is skipped without a match otherwise.
//!
//! The bits are stored: the hash (64-bit FNV-1a of the term's bytes) and
//! the choice of bits must never change, or stored rows would be skipped
//! for terms they hold (`a_terms_bits_never_change` pins them).

/// Bits of each half a term may set.
const BITS: u64 = 63;

/// A row's filter (or a query's mask), in its two stored halves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bloom(pub(crate) i64, pub(crate) i64);

/// The filter of a row holding `terms` (or the mask a row must hold for
/// a query of those terms).
pub(crate) fn bloom<'a>(terms: impl IntoIterator<Item = &'a str>) -> Bloom {
    let (mut low, mut high) = (0u64, 0u64);
    for term in terms {
        let h = fnv1a(term.as_bytes());
        low |= 1 << (h % BITS);
        high |= 1 << ((h >> 32) % BITS);
    }
    // At most bit 62 is set: neither half is ever negative.
    Bloom(
        i64::try_from(low).unwrap_or(i64::MAX),
        i64::try_from(high).unwrap_or(i64::MAX),
    )
}

/// The filter of an index row, from its terms as stored (space-separated).
pub(crate) fn bloom_of_terms(terms: &str) -> Bloom {
    bloom(terms.split(' ').filter(|t| !t.is_empty()))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terms_bits_never_change() {
        // Stored filters depend on these exact values.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let h = fnv1a(b"x616e64");
        assert_eq!(
            bloom(["x616e64"]),
            Bloom(1i64 << (h % 63), 1i64 << ((h >> 32) % 63))
        );
        assert_eq!(bloom(["x616e64"]), bloom_of_terms("x616e64"));
    }

    #[test]
    fn a_row_holds_the_mask_of_any_of_its_terms_and_is_never_negative() {
        let row = bloom_of_terms("x31 x616e64 x6d656574696e67 x7265706f7274");
        assert!(row.0 >= 0 && row.1 >= 0);
        for query in [
            vec!["x616e64"],
            vec!["x6d656574696e67", "x7265706f7274"],
            vec!["x31"],
        ] {
            let mask = bloom(query);
            assert_eq!((row.0 & mask.0, row.1 & mask.1), (mask.0, mask.1));
        }
        assert_eq!(bloom_of_terms(""), Bloom(0, 0));
        let many: Vec<String> = (0..1000).map(|i| format!("x{i:x}")).collect();
        let full = bloom(many.iter().map(String::as_str));
        assert!(full.0 >= 0 && full.1 >= 0);
    }
}
