//! Splitting Unicode scalar ranges into UTF-8 byte-range sequences, so that
//! character classes become small byte-level automata that only accept
//! well-formed UTF-8.

/// One UTF-8 encoding pattern: a byte range per encoded byte (1 to 4 of them).
pub(crate) type ByteSeq = Vec<(u8, u8)>;

const SURROGATE_LO: u32 = 0xD800;
const SURROGATE_HI: u32 = 0xDFFF;

/// Appends byte sequences whose union encodes exactly the scalar values in
/// `[lo, hi]` (surrogates are skipped: they are not characters).
pub(crate) fn scalar_range_sequences(lo: u32, hi: u32, out: &mut Vec<ByteSeq>) {
    let hi = hi.min(u32::from(char::MAX));
    if lo > hi {
        return;
    }
    if lo <= SURROGATE_HI && hi >= SURROGATE_LO {
        if lo < SURROGATE_LO {
            scalar_range_sequences(lo, SURROGATE_LO - 1, out);
        }
        if hi > SURROGATE_HI {
            scalar_range_sequences(SURROGATE_HI + 1, hi, out);
        }
        return;
    }
    // Split where the encoded length changes.
    for max in [0x7F, 0x7FF, 0xFFFF] {
        if lo <= max && hi > max {
            scalar_range_sequences(lo, max, out);
            scalar_range_sequences(max + 1, hi, out);
            return;
        }
    }
    let (Some(first), Some(last)) = (char::from_u32(lo), char::from_u32(hi)) else {
        return;
    };
    let len = first.len_utf8();
    // Split until every trailing 6-bit group either is fully covered or
    // shares its higher bits, so the range is a product of byte ranges.
    for i in 1..len {
        let mask: u32 = (1 << (6 * i)) - 1;
        if lo & !mask != hi & !mask {
            if lo & mask != 0 {
                scalar_range_sequences(lo, lo | mask, out);
                scalar_range_sequences((lo | mask) + 1, hi, out);
                return;
            }
            if hi & mask != mask {
                scalar_range_sequences(lo, (hi & !mask) - 1, out);
                scalar_range_sequences(hi & !mask, hi, out);
                return;
            }
        }
    }
    let mut a = [0u8; 4];
    let mut b = [0u8; 4];
    let a = first.encode_utf8(&mut a).as_bytes();
    let b = last.encode_utf8(&mut b).as_bytes();
    out.push(a.iter().zip(b).map(|(&x, &y)| (x, y)).collect());
}

/// Byte sequences for every Unicode scalar value (one character).
pub(crate) fn any_char_sequences() -> Vec<ByteSeq> {
    let mut out = Vec::new();
    scalar_range_sequences(0, u32::from(char::MAX), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq_matches(seqs: &[ByteSeq], bytes: &[u8]) -> bool {
        seqs.iter().any(|s| {
            s.len() == bytes.len()
                && s.iter()
                    .zip(bytes)
                    .all(|(&(lo, hi), &b)| lo <= b && b <= hi)
        })
    }

    #[test]
    fn any_char_is_the_standard_table() {
        let seqs = any_char_sequences();
        assert_eq!(seqs.len(), 9);
        assert!(seq_matches(&seqs, "é".as_bytes()));
        assert!(seq_matches(&seqs, "\u{10FFFF}".as_bytes()));
        assert!(!seq_matches(&seqs, &[0xED, 0xA0, 0x80])); // surrogate
        assert!(!seq_matches(&seqs, &[0xC0, 0x80])); // overlong
    }

    #[test]
    fn exact_for_sampled_ranges() {
        let ranges = [
            (0x41, 0x5A),
            (0x7F, 0x801),
            (0xD700, 0xE100),
            (0xFFF0, 0x10010),
            (0x20, 0x10FFFF),
        ];
        for (lo, hi) in ranges {
            let mut seqs = Vec::new();
            scalar_range_sequences(lo, hi, &mut seqs);
            for cp in (0..0x11000).chain(0x10FF00..=0x10FFFF) {
                let Some(c) = char::from_u32(cp) else {
                    continue;
                };
                let mut buf = [0; 4];
                let inside = lo <= cp && cp <= hi;
                assert_eq!(
                    seq_matches(&seqs, c.encode_utf8(&mut buf).as_bytes()),
                    inside,
                    "{cp:x} in {lo:x}-{hi:x}"
                );
            }
        }
    }
}
