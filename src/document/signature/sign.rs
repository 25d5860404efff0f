//! Signing an existing, unsigned signature field as an incremental update.

use std::fmt;
use std::time::SystemTime;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::crypto::DigestAlg;
use super::{MAX_FILE_SIZE, Signer, fields, pdf, revisions, time};

/// Bytes reserved for the CMS blob (written as twice as many hex digits).
const CONTENTS_BYTES: usize = 8192;
/// Width of each number of the `/ByteRange` placeholder.
const RANGE_WIDTH: usize = 10;

/// Why a file was not signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    TooLarge,
    Unreadable(String),
    Encrypted,
    NoSuchField(String),
    NotASignatureField(String),
    AlreadySigned(String),
    Failed(String),
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge => write!(f, "the file is larger than {MAX_FILE_SIZE} bytes"),
            Self::Unreadable(why) => write!(f, "the file cannot be read as a PDF: {why}"),
            Self::Encrypted => write!(f, "the file is encrypted"),
            Self::NoSuchField(name) => write!(f, "there is no field named {name}"),
            Self::NotASignatureField(name) => write!(f, "field {name} is not a signature field"),
            Self::AlreadySigned(name) => write!(f, "field {name} is already signed"),
            Self::Failed(why) => write!(f, "signing failed: {why}"),
        }
    }
}

impl std::error::Error for SignError {}

/// The parts of the file the update builds on.
struct Base {
    doc: Document,
    startxref: usize,
    xref_stream: bool,
}

fn load_base(bytes: &[u8]) -> Result<Base, SignError> {
    if bytes.len() > MAX_FILE_SIZE {
        return Err(SignError::TooLarge);
    }
    let unreadable = |s: &str| SignError::Unreadable(s.to_string());
    let markers = revisions::markers(bytes).map_err(SignError::Unreadable)?;
    let last = markers.last().ok_or_else(|| unreadable("no startxref/%%EOF"))?;
    if revisions::trailing_garbage(bytes, last.end) > 0 {
        return Err(unreadable("data after the last %%EOF"));
    }
    let doc = Document::load_mem(bytes).map_err(|e| SignError::Unreadable(e.to_string()))?;
    if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
        return Err(SignError::Encrypted);
    }
    if doc.xref_recovery.is_some() || doc.xref_start != last.startxref {
        return Err(unreadable("the cross-reference data is damaged"));
    }
    let xref_stream = !bytes
        .get(last.startxref..)
        .is_some_and(|rest| rest.starts_with(b"xref"));
    Ok(Base {
        doc,
        startxref: last.startxref,
        xref_stream,
    })
}

/// The objects the update rewrites: the field with `/V`, and the AcroForm (or catalog) with `/SigFlags 3`.
fn updated_objects(doc: &Document, field_id: ObjectId, sig_id: ObjectId) -> Result<Vec<(ObjectId, Object)>, SignError> {
    let failed = |s: &str| SignError::Failed(s.to_string());
    let mut field = pdf::dict_by_id(doc, field_id)
        .ok_or_else(|| failed("the field is not a dictionary"))?
        .clone();
    field.set("V", Object::Reference(sig_id));
    let mut out = vec![(field_id, Object::Dictionary(field))];
    let (catalog_id, catalog) = pdf::catalog(doc).ok_or_else(|| failed("no catalog"))?;
    let sig_flags_set = |d: &Dictionary| d.get(b"SigFlags").ok().and_then(|f| f.as_i64().ok()) == Some(3);
    match catalog.get(b"AcroForm") {
        Ok(Object::Reference(af_id)) => {
            let af = pdf::dict_by_id(doc, *af_id).ok_or_else(|| failed("the AcroForm is not a dictionary"))?;
            if !sig_flags_set(af) {
                let mut af = af.clone();
                af.set("SigFlags", 3);
                out.push((*af_id, Object::Dictionary(af)));
            }
        }
        Ok(Object::Dictionary(af)) if !sig_flags_set(af) => {
            let mut catalog = catalog.clone();
            let mut af = af.clone();
            af.set("SigFlags", 3);
            catalog.set("AcroForm", Object::Dictionary(af));
            out.push((catalog_id, Object::Dictionary(catalog)));
        }
        _ => {}
    }
    Ok(out)
}

pub(crate) fn write_object(out: &mut Vec<u8>, id: ObjectId, obj: &Object) -> Result<(), SignError> {
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    lopdf::Writer::write_object(out, obj).map_err(|e| SignError::Failed(e.to_string()))?;
    out.extend_from_slice(b"\nendobj\n");
    Ok(())
}

/// Writes the signature dictionary with placeholders; returns the offsets of the `/ByteRange`
/// numbers and of the `/Contents` hex string.
fn write_sig_dict(out: &mut Vec<u8>, id: ObjectId, secs: i64) -> (usize, usize) {
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    let date = time::pdf_date(secs);
    out.extend_from_slice(
        format!("<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M ({date}) /ByteRange [0 ")
            .as_bytes(),
    );
    let range_at = out.len();
    let blank = " ".repeat(RANGE_WIDTH);
    out.extend_from_slice(format!("{blank} {blank} {blank}] /Contents ").as_bytes());
    let contents_at = out.len();
    out.push(b'<');
    out.resize(out.len() + 2 * CONTENTS_BYTES, b'0');
    out.extend_from_slice(b">>>\nendobj\n");
    (range_at, contents_at)
}

/// Trailer entries carried over to the new section, with `/Size` and `/Prev`.
pub(crate) fn trailer_for(doc: &Document, size: u32, prev: usize) -> Dictionary {
    let mut trailer = Dictionary::new();
    trailer.set("Size", i64::from(size));
    for key in [b"Root".as_slice(), b"Info", b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Prev", i64::try_from(prev).unwrap_or(i64::MAX));
    trailer
}

/// Groups sorted entries into runs of consecutive object numbers.
fn runs(entries: &[(ObjectId, usize)]) -> Vec<&[(ObjectId, usize)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        let split = match (entries.get(i - 1), entries.get(i)) {
            (Some(prev), Some(next)) => next.0.0 != prev.0.0.saturating_add(1),
            _ => true,
        };
        if split {
            if let Some(run) = entries.get(start..i) {
                out.push(run);
            }
            start = i;
        }
    }
    out
}

pub(crate) fn write_xref_table(
    out: &mut Vec<u8>,
    entries: &[(ObjectId, usize)],
    trailer: &Dictionary,
) -> Result<(), SignError> {
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    for run in runs(entries) {
        let first = run.first().map_or(0, |e| e.0.0);
        out.extend_from_slice(format!("{first} {}\n", run.len()).as_bytes());
        for ((_, generation), offset) in run {
            out.extend_from_slice(format!("{offset:010} {generation:05} n\r\n").as_bytes());
        }
    }
    out.extend_from_slice(b"trailer\n");
    lopdf::Writer::write_object(out, &Object::Dictionary(trailer.clone()))
        .map_err(|e| SignError::Failed(e.to_string()))?;
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(())
}

fn write_xref_stream(
    out: &mut Vec<u8>,
    entries: &[(ObjectId, usize)],
    id: ObjectId,
    trailer: Dictionary,
) -> Result<(), SignError> {
    let xref_at = out.len();
    let mut all = entries.to_vec();
    all.push((id, xref_at));
    all.sort();
    let mut index = Vec::new();
    let mut data = Vec::new();
    for run in runs(&all) {
        index.push(Object::Integer(i64::from(run.first().map_or(0, |e| e.0.0))));
        index.push(Object::Integer(i64::try_from(run.len()).unwrap_or(0)));
        for ((_, generation), offset) in run {
            let offset = u32::try_from(*offset).map_err(|_| SignError::TooLarge)?;
            data.push(1u8);
            data.extend_from_slice(&offset.to_be_bytes());
            data.extend_from_slice(&generation.to_be_bytes());
        }
    }
    let mut dict = trailer;
    dict.set("Type", Object::Name(b"XRef".to_vec()));
    dict.set("W", vec![Object::Integer(1), Object::Integer(4), Object::Integer(2)]);
    dict.set("Index", index);
    write_object(out, id, &Object::Stream(lopdf::Stream::new(dict, data)))?;
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(())
}

/// Patches the `/ByteRange` and writes the CMS blob into `/Contents`.
fn fill_signature(out: &mut [u8], range_at: usize, contents_at: usize, signer: &Signer) -> Result<(), SignError> {
    let failed = |s: &str| SignError::Failed(s.to_string());
    let a = contents_at;
    let b = a + 2 * CONTENTS_BYTES + 2;
    let c = out.len().checked_sub(b).ok_or_else(|| failed("bad layout"))?;
    let numbers = format!("{a:>w$} {b:>w$} {c:>w$}", w = RANGE_WIDTH);
    let slot = out
        .get_mut(range_at..range_at + numbers.len())
        .ok_or_else(|| failed("bad layout"))?;
    if numbers.len() != 3 * RANGE_WIDTH + 2 {
        return Err(failed("the file is too large for the /ByteRange placeholder"));
    }
    slot.copy_from_slice(numbers.as_bytes());
    let digest = DigestAlg::Sha256.digest(&[out.get(..a).unwrap_or_default(), out.get(b..).unwrap_or_default()]);
    let cms = signer.cms(&digest).map_err(SignError::Failed)?;
    let hex: String = cms.iter().map(|byte| format!("{byte:02x}")).collect();
    if hex.len() > 2 * CONTENTS_BYTES {
        return Err(failed("the signature does not fit the /Contents placeholder"));
    }
    let slot = out
        .get_mut(a + 1..a + 1 + hex.len())
        .ok_or_else(|| failed("bad layout"))?;
    slot.copy_from_slice(hex.as_bytes());
    Ok(())
}

/// The id of the unsigned signature field named `name`.
fn find_field(doc: &Document, name: &str) -> Result<ObjectId, SignError> {
    let all = fields::all_fields(doc);
    let field = all
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| SignError::NoSuchField(name.to_string()))?;
    let sig = field
        .sig
        .as_ref()
        .ok_or_else(|| SignError::NotASignatureField(name.to_string()))?;
    if sig.value.is_some() {
        return Err(SignError::AlreadySigned(name.to_string()));
    }
    sig.id
        .ok_or_else(|| SignError::Failed(format!("field {name} is not an indirect object")))
}

/// Signs the unsigned signature field `field` of `bytes` (PAdES B-B, an incremental update);
/// `time` goes into the signature dictionary's `/M`.
pub fn sign(bytes: &[u8], field: &str, signer: &Signer, time: SystemTime) -> Result<Vec<u8>, SignError> {
    let base = load_base(bytes)?;
    let field_id = find_field(&base.doc, field)?;
    let declared = base
        .doc
        .trailer
        .get(b"Size")
        .ok()
        .and_then(|s| s.as_i64().ok())
        .unwrap_or(0);
    let size = u32::try_from(declared)
        .unwrap_or(0)
        .max(base.doc.max_id.saturating_add(1));
    let sig_id = (size, 0);
    let updates = updated_objects(&base.doc, field_id, sig_id)?;
    let mut out = Vec::with_capacity(bytes.len() + 4 * CONTENTS_BYTES);
    out.extend_from_slice(bytes);
    if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
        out.push(b'\n');
    }
    let mut entries = Vec::new();
    for (id, obj) in &updates {
        entries.push((*id, out.len()));
        write_object(&mut out, *id, obj)?;
    }
    entries.push((sig_id, out.len()));
    let (range_at, contents_at) = write_sig_dict(&mut out, sig_id, time::unix_seconds(time));
    entries.sort();
    if base.xref_stream {
        let xref_id = (size.saturating_add(1), 0);
        let trailer = trailer_for(&base.doc, xref_id.0.saturating_add(1), base.startxref);
        write_xref_stream(&mut out, &entries, xref_id, trailer)?;
    } else {
        write_xref_table(
            &mut out,
            &entries,
            &trailer_for(&base.doc, size.saturating_add(1), base.startxref),
        )?;
    }
    fill_signature(&mut out, range_at, contents_at, signer)?;
    Ok(out)
}
