//! PDF signature validation and signing (PAdES B-B, CMS detached).
//!
//! * [`analyse`] reads the signature fields from the AcroForm, checks each signature (byte range,
//!   digest, CMS signature, certificate validity, chain to a [`TrustStore`]) and checks that every
//!   revision after the base only signs (or adds DSS data).
//! * [`sign`] fills an existing, unsigned signature field as an incremental update.
//! * [`is_signed`] tells whether any signature field holds a signature.

mod cms_check;
mod crypto;
mod der_walk;
mod diff;
mod ess;
mod fields;
mod pdf;
mod revisions;
mod roles;
mod sign;
mod signer;
mod time;
mod trust;
mod verify;

#[cfg(test)]
mod tests;

use std::time::SystemTime;

use serde::Serialize;

pub use sign::{SignError, sign};
pub use signer::Signer;
pub use trust::TrustStore;

/// Largest file that is read.
pub const MAX_FILE_SIZE: usize = 256 * 1024 * 1024;

/// The outcome of [`analyse`].
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub signatures: Vec<SignatureReport>,
    pub revisions: Vec<RevisionReport>,
    pub modifications_allowed: bool,
    pub problems: Vec<String>,
}

/// One signature field that holds a signature.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    pub field: String,
    pub page: Option<u32>,
    pub signer: Option<String>,
    pub sub_filter: Option<String>,
    pub signing_time: Option<String>,
    pub revision: Option<usize>,
    pub covers_whole_file: bool,
    pub intact: bool,
    pub valid: bool,
    pub trusted: bool,
    pub reasons: Vec<String>,
}

/// What a revision is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RevisionKind {
    Base,
    Signature,
    Other,
}

/// One revision of the file.
#[derive(Clone, Debug, Serialize)]
pub struct RevisionReport {
    /// 1-based.
    pub index: usize,
    pub end: usize,
    pub kind: RevisionKind,
    pub allowed: bool,
    pub changes: Vec<String>,
}

fn check_size(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > MAX_FILE_SIZE {
        return Err(format!("the file is larger than {MAX_FILE_SIZE} bytes"));
    }
    Ok(())
}

/// A signature field of a document: its name, its page (1-based) and whether it holds a
/// signature value.
#[derive(Clone, Debug, Serialize)]
pub struct FieldInfo {
    pub name: String,
    pub page: Option<u32>,
    pub signed: bool,
}

/// The signature fields of a parsed document, read from its AcroForm field tree.
pub fn signature_fields(doc: &lopdf::Document) -> Vec<FieldInfo> {
    fields::signature_fields(doc)
        .into_iter()
        .map(|f| FieldInfo {
            signed: f.value.is_some(),
            name: f.name,
            page: f.page,
        })
        .collect()
}

/// Whether a parsed signature field has a `/V` signature dictionary with a `/ByteRange` and `/Contents`.
pub fn is_signed(bytes: &[u8]) -> bool {
    if check_size(bytes).is_err() {
        return false;
    }
    let Ok(doc) = lopdf::Document::load_mem(bytes) else {
        return false;
    };
    fields::signature_fields(&doc)
        .iter()
        .filter_map(|f| f.value.as_ref())
        .any(|v| v.byte_range.is_some() && v.contents.is_some())
}

/// The 0-based index of the base revision (`base_len` may leave out the end-of-line after `%%EOF`).
fn base_index(
    bytes: &[u8],
    revs: &[revisions::Revision],
    base_len: Option<usize>,
    problems: &mut Vec<String>,
) -> Option<usize> {
    let Some(len) = base_len else { return Some(0) };
    let eol_only = |r: &revisions::Revision| {
        bytes
            .get(len..r.end)
            .is_some_and(|t| t.iter().all(|c| matches!(c, b'\r' | b'\n')))
    };
    let found = revs
        .iter()
        .position(|r| r.end == len || (len >= 5 && bytes.get(len - 5..len) == Some(b"%%EOF") && eol_only(r)));
    if found.is_none() {
        problems.push(format!("the base length {len} is not the end of any revision"));
    }
    found
}

/// Classifies every revision; `sigs` are the checked signatures.
fn revision_reports(
    revs: &[revisions::Revision],
    base: Option<usize>,
    sigs: &[SignatureReport],
) -> Vec<RevisionReport> {
    let mut out = Vec::new();
    let mut prev: Option<&revisions::Revision> = None;
    for (i, rev) in revs.iter().enumerate() {
        let index = i + 1;
        let mut report = RevisionReport {
            index,
            end: rev.end,
            kind: RevisionKind::Base,
            allowed: true,
            changes: vec![],
        };
        if base.is_none_or(|b| i > b) {
            let covered = sigs.iter().any(|s| s.revision == Some(index));
            report.kind = if covered {
                RevisionKind::Signature
            } else {
                RevisionKind::Other
            };
            let changes = prev.map(|p| diff::changes(&p.doc, &rev.doc, index)).unwrap_or_default();
            report.allowed = base.is_some() && changes.iter().all(|c| if covered { c.in_signature } else { c.in_dss });
            report.changes = changes.into_iter().map(|c| c.text).collect();
        }
        out.push(report);
        prev = Some(rev);
    }
    out
}

/// Analyses every signature and revision of `bytes`. `base_len` is the length of the bytes the
/// tool itself built (None: the first revision is the base); `now` is used when a signature gives
/// no signing time.
pub fn analyse(bytes: &[u8], base_len: Option<usize>, trust: &TrustStore, now: SystemTime) -> Result<Report, String> {
    check_size(bytes)?;
    let revs = revisions::split(bytes)?;
    let last = revs.last().ok_or("no revision")?;
    let mut problems = Vec::new();
    let garbage = revisions::trailing_garbage(bytes, last.end);
    if garbage > 0 {
        problems.push(format!(
            "{garbage} bytes after the last revision are not part of any revision"
        ));
    }
    let now = time::unix_seconds(now);
    let signatures: Vec<SignatureReport> = fields::signature_fields(&last.doc)
        .iter()
        .filter(|f| f.value.is_some())
        .map(|f| verify::check(bytes, &revs, f, trust, now))
        .collect();
    let base = base_index(bytes, &revs, base_len, &mut problems);
    let revisions = revision_reports(&revs, base, &signatures);
    for r in revisions.iter().filter(|r| !r.allowed) {
        problems.push(format!("revision {} is not allowed: {}", r.index, r.changes.join("; ")));
    }
    let last_index = revs.len();
    let last_ok = base == Some(last_index - 1) || signatures.iter().any(|s| s.revision == Some(last_index) && s.valid);
    if !last_ok {
        problems.push(format!("revision {last_index} is not covered by any valid signature"));
    }
    let modifications_allowed = problems.is_empty();
    Ok(Report {
        signatures,
        revisions,
        modifications_allowed,
        problems,
    })
}
