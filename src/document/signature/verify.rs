//! Checks of one signature: byte range, CMS, signing time, certificate validity and trust.

use lopdf::ObjectId;
use lopdf::xref::XrefEntry;

use super::cms_check;
use super::fields::{SigField, SigValue};
use super::revisions::Revision;
use super::{SignatureReport, TrustStore, time, trust};

/// A sound byte range: the hole and the 1-based revision it ends.
struct Range {
    a: usize,
    b: usize,
    end: usize,
    revision: usize,
}

fn to_usize(v: Option<&i64>) -> Option<usize> {
    v.and_then(|v| usize::try_from(*v).ok())
}

/// Decodes the hex string `<...>` at `hole`; `None` when it is not one.
fn hex_string(hole: &[u8]) -> Option<Vec<u8>> {
    let inner = hole.strip_prefix(b"<")?.strip_suffix(b">")?;
    let digits: Vec<u8> = inner.iter().copied().filter(|c| !c.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
        })
        .collect()
}

/// Whether the object `id` of revision `rev` starts before `a` with no `endobj` in between.
fn object_holds(rev: &Revision, bytes: &[u8], id: ObjectId, a: usize) -> bool {
    let Some(XrefEntry::Normal { offset, .. }) = rev.doc.reference_table.get(id.0) else {
        return false;
    };
    let Ok(offset) = usize::try_from(*offset) else {
        return false;
    };
    let Some(between) = bytes.get(offset..a) else {
        return false;
    };
    !between.windows(6).any(|w| w == b"endobj")
}

fn check_range(
    bytes: &[u8],
    revisions: &[Revision],
    value: &SigValue,
    holder: Option<ObjectId>,
) -> Result<Range, String> {
    let br = value.byte_range.as_deref().ok_or("the signature has no /ByteRange")?;
    if br.len() != 4 {
        return Err(format!("the /ByteRange has {} numbers, not 4", br.len()));
    }
    let bad = || "the /ByteRange has a negative or oversized number".to_string();
    let (start, a, b, c) = (
        to_usize(br.first()),
        to_usize(br.get(1)),
        to_usize(br.get(2)),
        to_usize(br.get(3)),
    );
    let (Some(start), Some(a), Some(b), Some(c)) = (start, a, b, c) else {
        return Err(bad());
    };
    if start != 0 {
        return Err("the /ByteRange does not start at 0".into());
    }
    let end = b.checked_add(c).ok_or_else(bad)?;
    if b <= a || end > bytes.len() {
        return Err("the /ByteRange overlaps itself or claims more than the file".into());
    }
    let (index, rev) = revisions
        .iter()
        .enumerate()
        .find(|(_, r)| r.end == end)
        .ok_or("the /ByteRange does not end where a revision ends")?;
    let hole = bytes
        .get(a..b)
        .and_then(hex_string)
        .ok_or("the /ByteRange hole is not the /Contents hex string")?;
    if Some(hole.as_slice()) != value.contents.as_deref() {
        return Err("the /ByteRange hole is not this signature's /Contents".into());
    }
    if let Some(id) = holder
        && !object_holds(rev, bytes, id, a)
    {
        return Err("the /ByteRange hole is not inside the signature dictionary".into());
    }
    Ok(Range {
        a,
        b,
        end,
        revision: index + 1,
    })
}

fn empty_report(field: &SigField) -> SignatureReport {
    SignatureReport {
        field: field.name.clone(),
        page: field.page,
        signer: None,
        sub_filter: field.value.as_ref().and_then(|v| v.sub_filter.clone()),
        signing_time: None,
        revision: None,
        covers_whole_file: false,
        intact: false,
        valid: false,
        trusted: false,
        reasons: Vec::new(),
    }
}

/// Checks the signature of `field` (which must have a `/V`).
pub(crate) fn check(
    bytes: &[u8],
    revisions: &[Revision],
    field: &SigField,
    trust: &TrustStore,
    now: i64,
) -> SignatureReport {
    let mut report = empty_report(field);
    let Some(value) = &field.value else {
        report.reasons.push("the field is not signed".into());
        return report;
    };
    let known_sub_filter = matches!(
        value.sub_filter.as_deref(),
        Some("adbe.pkcs7.detached" | "ETSI.CAdES.detached")
    );
    if value.type_name.as_deref() == Some("DocTimeStamp") {
        report.reasons.push("document timestamps are not verified".into());
    }
    if !known_sub_filter {
        report.reasons.push(format!(
            "unsupported /SubFilter {}",
            value.sub_filter.as_deref().unwrap_or("(none)")
        ));
    }
    let range = match check_range(bytes, revisions, value, value.id.or(field.id)) {
        Ok(r) => Some(r),
        Err(e) => {
            report.reasons.push(e);
            None
        }
    };
    let parts: Vec<&[u8]> = match &range {
        Some(r) => vec![
            bytes.get(..r.a).unwrap_or_default(),
            bytes.get(r.b..r.end).unwrap_or_default(),
        ],
        None => Vec::new(),
    };
    let cms = cms_check::check(value.contents.as_deref().unwrap_or_default(), &parts);
    report.reasons.extend(cms.reasons.iter().cloned());
    report.revision = range.as_ref().map(|r| r.revision);
    report.covers_whole_file = range.as_ref().is_some_and(|r| r.end == bytes.len());
    report.intact = range.is_some() && cms.digest_ok && known_sub_filter;
    let signing_time = cms
        .signing_time
        .or_else(|| value.m.as_deref().and_then(time::parse_pdf_date));
    report.signing_time = signing_time.map(time::rfc3339);
    let at = signing_time.unwrap_or(now);
    let Some(signer) = &cms.signer else {
        if let Some(name) = &value.name {
            report
                .reasons
                .push(format!("the signature dictionary names the signer {name}, unverified"));
        }
        return report;
    };
    report.signer = Some(trust::subject(signer));
    let in_period = trust::valid_at(signer, at);
    if !in_period {
        let (from, to) = trust::validity(signer);
        let (from, to, at) = (time::rfc3339(from), time::rfc3339(to), time::rfc3339(at));
        report.reasons.push(format!(
            "the signer certificate is valid from {from} to {to}, not at {at}"
        ));
    }
    report.valid = report.intact && cms.signature_ok && in_period;
    if report.valid {
        match trust::chain_to_anchor(signer, &cms.certs, trust, at) {
            Ok(()) => report.trusted = true,
            Err(e) => report.reasons.push(e),
        }
    }
    report
}
