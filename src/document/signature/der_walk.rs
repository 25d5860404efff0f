//! A minimal DER walker, used to get at the exact bytes that were signed (signed attributes,
//! ...) instead of a re-encoding of them.

/// One TLV: its tag byte, the offset of its value and the offset just after it, relative to the slice.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv {
    pub tag: u8,
    pub value_start: usize,
    pub end: usize,
}

/// Reads the TLV at the start of `bytes` (single-byte tags, definite lengths up to 4 length bytes).
pub(crate) fn tlv(bytes: &[u8]) -> Option<Tlv> {
    let tag = *bytes.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *bytes.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in bytes.get(2..2 + n)? {
            len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    if end > bytes.len() {
        return None;
    }
    Some(Tlv {
        tag,
        value_start: header,
        end,
    })
}

/// The children of a constructed TLV's value, as (tag, whole TLV bytes), at most `limit` of them.
pub(crate) fn children(value: &[u8], limit: usize) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        if out.len() >= limit {
            return None;
        }
        let t = tlv(rest)?;
        out.push((t.tag, rest.get(..t.end)?));
        rest = rest.get(t.end..)?;
    }
    Some(out)
}

/// The value bytes of a TLV slice.
pub(crate) fn value_of(whole: &[u8]) -> Option<&[u8]> {
    let t = tlv(whole)?;
    whole.get(t.value_start..t.end)
}

/// The raw signed attributes of the single SignerInfo of a DER ContentInfo(SignedData), with the
/// `[0] IMPLICIT` tag turned back into SET OF (0x31), as RFC 5652 §5.4 requires for signing.
pub(crate) fn signed_attrs_for_signing(content_info: &[u8]) -> Option<Vec<u8>> {
    let ci = children(value_of(content_info)?, 2)?;
    let (_, explicit) = *ci.get(1)?;
    let signed_data = value_of(value_of(explicit)?)?;
    let (_, infos) = *children(signed_data, 6)?.iter().rev().find(|(tag, _)| *tag == 0x31)?;
    let first_info = children(value_of(infos)?, 2)?;
    let (_, info) = *first_info.first()?;
    let (_, attrs) = *children(value_of(info)?, 7)?.iter().find(|(tag, _)| *tag == 0xa0)?;
    let mut out = attrs.to_vec();
    *out.first_mut()? = 0x31;
    Some(out)
}
