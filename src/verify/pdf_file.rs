//! Reading a PDF received from outside: within a size limit, parsed, with its attached
//! files.

use std::path::Path;

use lopdf::Document;

use crate::document::provenance;

/// Largest PDF `verify` and `extract` read.
pub const MAX_PDF_BYTES: u64 = 256 * 1024 * 1024;

fn read_pdf(path: &Path) -> Result<(Vec<u8>, Document), String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if len > MAX_PDF_BYTES {
        return Err(format!("{} is larger than {} MiB", path.display(), MAX_PDF_BYTES >> 20));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let doc = Document::load_mem(&bytes).map_err(|e| format!("{} is not a readable PDF: {e}", path.display()))?;
    Ok((bytes, doc))
}

/// A plain file name for an attachment: no directories, nothing hidden.
pub fn safe_name(name: &str) -> Option<String> {
    let base = Path::new(name).file_name()?.to_string_lossy().into_owned();
    (!base.is_empty() && !base.starts_with('.')).then_some(base)
}

/// Attached files by name, with their bytes.
pub type Attached = Vec<(String, Vec<u8>)>;

/// A PDF's bytes, its parsed document and its attached files.
pub fn open_pdf(path: &Path) -> Result<(Vec<u8>, Document, Attached), String> {
    let (bytes, doc) = read_pdf(path)?;
    let attached = provenance::read_attachments(&doc)?;
    Ok((bytes, doc, attached))
}
