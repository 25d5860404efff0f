//! What a PDF was made from: the agreement's source files and a manifest, attached to the
//! PDF (PDF/A-3 allows this), and read back out again for `extract` and `verify`.

use std::path::{Path, PathBuf};

use lopdf::{Document, Object};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalogue;
use crate::document::settings::{Attachment, PdfSettings};
use crate::document::view::View;
use crate::input::load::Loaded;

pub const MANIFEST_NAME: &str = "avtale-manifest.json";

/// Most bytes the attachments of one PDF may take, decompressed: the largest sources are a
/// 4 MiB agreement file and a 64 MiB member list, so a file that inflates past this is not
/// one `avtale` built, and is refused before it takes much memory.
const MAX_ATTACHMENT: usize = 80 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsRef {
    pub id: String,
    pub versjon: String,
    pub sha256: String,
}

/// The manifest attached to every PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub tool_version: String,
    pub agreement_id: String,
    /// SHA-256 of the agreement's content (see `view::fingerprint`).
    pub fingerprint: String,
    pub catalogue_version: String,
    pub catalogue_sha256: String,
    pub terms: Vec<TermsRef>,
    /// The attached source files, in order; the first is the agreement or segment file.
    pub sources: Vec<String>,
    /// For segment members: the 0-based member index.
    pub member: Option<usize>,
    /// How the PDF was made, so that `verify` can make it again.
    pub standards: Vec<String>,
    pub signature_fields: bool,
}

/// The source files of an agreement: its file, and for CSV members the CSV as well.
pub fn source_files(loaded: &Loaded) -> Vec<PathBuf> {
    let mut files = vec![loaded.origin.file.clone()];
    if let Some((csv, _)) = &loaded.origin.csv_row {
        files.push(csv.clone());
    }
    files
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "avtale.toml".into())
}

pub fn manifest(loaded: &Loaded, view: &View, cat: &Catalogue, settings: &PdfSettings) -> Manifest {
    Manifest {
        tool: "avtale".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        agreement_id: view.id.clone(),
        fingerprint: view.fingeravtrykk.clone(),
        catalogue_version: cat.versjon.clone(),
        catalogue_sha256: cat.sha256.clone(),
        terms: view
            .dokumenter
            .iter()
            .filter(|d| d.id != "konsumentavtale")
            .map(|d| TermsRef {
                id: d.id.clone(),
                versjon: d.versjon.clone(),
                sha256: d.sha256.clone(),
            })
            .collect(),
        sources: source_files(loaded).iter().map(|p| file_name(p)).collect(),
        member: loaded.origin.member,
        standards: settings.standards.clone(),
        signature_fields: settings.signature_fields,
    }
}

/// The attachments of one agreement: its source files byte for byte, then the manifest.
pub fn attachments(loaded: &Loaded, view: &View, cat: &Catalogue, settings: &PdfSettings) -> Vec<Attachment> {
    attachments_reading(loaded, view, cat, settings, &|p| std::fs::read(p).unwrap_or_default())
}

/// The attachments of one agreement, with the bytes of each source file from `read` (the
/// web editor gives the text being edited).
pub fn attachments_reading(
    loaded: &Loaded,
    view: &View,
    cat: &Catalogue,
    settings: &PdfSettings,
    read: &dyn Fn(&Path) -> Vec<u8>,
) -> Vec<Attachment> {
    let mut out = Vec::new();
    for p in source_files(loaded) {
        let name = file_name(&p);
        let lower = name.to_lowercase();
        let csv = lower.ends_with(".csv");
        let workbook = lower.ends_with(".xlsx") || lower.ends_with(".xlsm");
        out.push(Attachment {
            data: read(&p),
            mime: if csv {
                "text/csv".into()
            } else if workbook {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into()
            } else {
                "application/toml".into()
            },
            description: if csv || workbook {
                "Medlemslisten avtalen er laget fra".into()
            } else {
                "Avtalefilen dokumentet er laget fra".into()
            },
            relationship: "source".into(),
            name,
        });
    }
    let m = manifest(loaded, view, cat, settings);
    let mut json = serde_json::to_vec_pretty(&m).unwrap_or_default();
    json.push(b'\n');
    out.push(Attachment {
        name: MANIFEST_NAME.into(),
        data: json,
        mime: "application/json".into(),
        description: "Verktøy, katalog og vilkårsdokumenter dokumentet er laget med".into(),
        relationship: "data".into(),
    });
    out
}

/// The files attached to a PDF, by name, with their bytes.
pub fn read_attachments(doc: &Document) -> Result<Vec<(String, Vec<u8>)>, String> {
    let catalog = doc.catalog().map_err(|e| e.to_string())?;
    let names = match catalog.get(b"Names") {
        Ok(o) => doc
            .dereference(o)
            .map_err(|e| e.to_string())?
            .1
            .as_dict()
            .map_err(|e| e.to_string())?,
        Err(_) => return Ok(Vec::new()),
    };
    let Ok(ef) = names.get(b"EmbeddedFiles") else {
        return Ok(Vec::new());
    };
    let ef = doc
        .dereference(ef)
        .map_err(|e| e.to_string())?
        .1
        .as_dict()
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut budget = Budget { nodes: 0, bytes: 0 };
    collect_name_tree(doc, ef, &mut out, 0, &mut budget)?;
    Ok(out)
}

/// Limits on reading a PDF's attachments: a small hostile file must not take long or
/// take all memory.
struct Budget {
    nodes: usize,
    bytes: usize,
}

const MAX_NODES: usize = 10_000;

fn collect_name_tree(
    doc: &Document,
    node: &lopdf::Dictionary,
    out: &mut Vec<(String, Vec<u8>)>,
    depth: usize,
    budget: &mut Budget,
) -> Result<(), String> {
    if depth > 32 {
        return Err("the attachment name tree is too deep".into());
    }
    budget.nodes += 1;
    if budget.nodes > MAX_NODES {
        return Err("the attachment name tree is too large".into());
    }
    if let Ok(Object::Array(pairs)) = node.get(b"Names") {
        for pair in pairs.chunks(2) {
            let [_, spec] = pair else { continue };
            let spec = doc
                .dereference(spec)
                .map_err(|e| e.to_string())?
                .1
                .as_dict()
                .map_err(|e| e.to_string())?;
            let name = spec
                .get(b"UF")
                .or_else(|_| spec.get(b"F"))
                .ok()
                .and_then(|o| lopdf::decode_text_string(o).ok())
                .unwrap_or_default();
            let Ok(efd) = spec.get(b"EF") else { continue };
            let efd = doc
                .dereference(efd)
                .map_err(|e| e.to_string())?
                .1
                .as_dict()
                .map_err(|e| e.to_string())?;
            let Ok(stream_ref) = efd.get(b"F") else { continue };
            let stream = doc.dereference(stream_ref).map_err(|e| e.to_string())?.1;
            let stream = stream.as_stream().map_err(|e| e.to_string())?;
            let data = if stream.dict.has(b"Filter") {
                stream.decompressed_content_with_limit(MAX_ATTACHMENT).map_err(|e| {
                    format!(
                        "attachment {name} cannot be decompressed within {} MiB: {e}",
                        MAX_ATTACHMENT >> 20
                    )
                })?
            } else {
                stream.content.clone()
            };
            budget.bytes += data.len();
            if budget.bytes > MAX_ATTACHMENT {
                return Err("the attachments are too large".into());
            }
            out.push((name, data));
        }
    }
    if let Ok(Object::Array(kids)) = node.get(b"Kids") {
        for k in kids {
            let kid = doc
                .dereference(k)
                .map_err(|e| e.to_string())?
                .1
                .as_dict()
                .map_err(|e| e.to_string())?;
            collect_name_tree(doc, kid, out, depth + 1, budget)?;
        }
    }
    Ok(())
}
