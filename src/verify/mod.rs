//! What a PDF was made from and whether it still is what that source makes: the attached
//! manifest and source, the rebuild compared byte for byte, the terms texts against the
//! catalogue, the signature fields, and the limits of e-signing services. Nothing here
//! prints; `commands::verify` shows the result.

pub mod pdf_file;
pub mod preflight;
pub mod report;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::catalog::Catalogue;
use crate::catalog::assets::Assets;
use crate::document::provenance::{self, MANIFEST_NAME, Manifest};
use crate::document::signature::{self, TrustStore};
use crate::document::{Attachment, PdfSettings, Typesetter, View};
use crate::input::load::{self, Loaded};
use crate::verify::pdf_file::{Attached, open_pdf, safe_name};
use crate::verify::preflight::preflight_posten;
use crate::verify::report::{Check, Field, TermsState, Verification};

/// What to verify.
#[derive(Debug, Clone)]
pub struct Request {
    pub pdf: PathBuf,
    /// The agreement to verify against, instead of the source attached to the PDF.
    pub agreement: Option<PathBuf>,
    /// Also check the limits of e-signing services.
    pub preflight: bool,
    /// Certificate files (PEM or DER) whose certificates are trust anchors for signatures.
    pub trust: Vec<PathBuf>,
}

/// A verification, with notes about how far it could go.
pub struct Verified {
    pub verification: Verification,
    pub notes: Vec<String>,
}

fn terms_state(m: &Manifest, cat: &Catalogue) -> Vec<TermsState> {
    m.terms
        .iter()
        .map(|t| {
            let v = cat.terms(&t.id).and_then(|d| d.version(&t.versjon));
            TermsState {
                id: t.id.clone(),
                versjon: t.versjon.clone(),
                sha256: t.sha256.clone(),
                status: v.map_or("ukjent".into(), |v| v.status.label().to_string()),
                same_text: v.is_some_and(|v| v.all_texts().any(|x| x.sha256 == t.sha256)),
            }
        })
        .collect()
}

/// Verify a PDF. `Err` holds the problems that kept it from being verified at all.
pub fn verify(req: &Request, assets: &Assets, cat: &Catalogue) -> Result<Verified, Vec<String>> {
    let trust = trust_store(&req.trust)?;
    let (bytes, doc, attached) = open_pdf(&req.pdf).map_err(|e| vec![e])?;
    let manifest: Option<Manifest> = attached
        .iter()
        .find(|(n, _)| n == MANIFEST_NAME)
        .and_then(|(_, d)| serde_json::from_slice(d).ok());
    let mut v = Verification {
        file: req.pdf.clone(),
        agreement_id: manifest.as_ref().map(|m| m.agreement_id.clone()),
        source: None,
        checks: Vec::new(),
        terms: manifest.as_ref().map(|m| terms_state(m, cat)).unwrap_or_default(),
        fields: signature::signature_fields(&doc)
            .into_iter()
            .map(|f| Field {
                name: f.name,
                page: f.page,
                signed: f.signed,
                signer: None,
            })
            .collect(),
        signatures: Vec::new(),
        revisions: Vec::new(),
        modifications_allowed: true,
        ok: true,
    };
    let mut notes = Vec::new();
    // The agreement: the one named on the command line, else the attached source.
    let tmp = tempfile::tempdir();
    let source_path: Option<PathBuf> = match (&req.agreement, &manifest, &tmp) {
        (Some(p), _, _) => Some(p.clone()),
        (None, Some(m), Ok(dir)) => materialise_sources(m, &attached, dir.path()),
        _ => None,
    };
    let Some(source_path) = source_path else {
        if req.preflight {
            // Preflight needs no source; what the PDF was made from stays unknown.
            signature_checks(&mut v, &bytes, None, &trust);
            v.checks.extend(preflight_posten(&bytes, &doc));
            v.ok = v.checks.iter().all(|c| c.ok);
            notes.push(
                "no attached source: only the preflight was checked (name the agreement with --agreement FILE)".into(),
            );
            return Ok(Verified { verification: v, notes });
        }
        return Err(vec![format!(
            "{} has no attached source; name the agreement with --agreement FILE",
            req.pdf.display()
        )]);
    };
    v.source = Some(if req.agreement.is_some() {
        source_path.display().to_string()
    } else {
        "attached".into()
    });
    let run = load::load(std::slice::from_ref(&source_path), cat);
    if !run.tool_errors.is_empty() {
        return Err(run
            .tool_errors
            .iter()
            .map(|t| t.render(crate::base::i18n::Lang::En))
            .collect());
    }
    let source = Source {
        bytes: &bytes,
        attached: &attached,
        manifest: manifest.as_ref(),
        version: &doc.version,
        from_pdf: req.agreement.is_none(),
    };
    let built_len = check_against_source(&mut v, &run, &source, assets, cat);
    signature_checks(&mut v, &bytes, built_len, &trust);
    if req.preflight && v.checks.iter().all(|c| c.name != "agreement") {
        v.checks.extend(preflight_posten(&bytes, &doc));
    }
    v.ok = v.checks.iter().all(|c| c.ok);
    Ok(Verified { verification: v, notes })
}

/// The PDF as read, for comparing with what its source makes.
struct Source<'a> {
    bytes: &'a [u8],
    attached: &'a Attached,
    manifest: Option<&'a Manifest>,
    /// The PDF version in the header.
    version: &'a str,
    /// The agreement is the one attached to the PDF.
    from_pdf: bool,
}

/// The agreement's own checks: found and without errors, the fingerprint, the terms texts
/// and the content. The length of the built file when the PDF starts with it.
fn check_against_source(
    v: &mut Verification,
    run: &load::Run,
    src: &Source<'_>,
    assets: &Assets,
    cat: &Catalogue,
) -> Option<usize> {
    let wanted_id = src.manifest.map(|m| m.agreement_id.clone());
    let loaded = run.agreements.iter().find(|a| match &wanted_id {
        Some(id) => a.agreement.avtale.id.as_ref().is_some_and(|x| &x.v == id),
        None => true,
    });
    let Some(loaded) = loaded else {
        v.checks.push(Check {
            name: "agreement",
            ok: false,
            detail: format!(
                "the source holds no agreement with id {}",
                wanted_id.unwrap_or_default()
            ),
        });
        return None;
    };
    if loaded.has_errors() {
        v.checks.push(Check {
            name: "agreement",
            ok: false,
            detail: "the agreement has errors (run avtale check)".into(),
        });
        return None;
    }
    v.agreement_id = loaded.agreement.avtale.id.as_ref().map(|s| s.v.clone());
    if let Some(m) = src.manifest {
        let fingerprint = crate::document::view::fingerprint(&loaded.agreement);
        v.checks.push(fingerprint_check(m, &fingerprint));
        v.checks.push(terms_check(&v.terms));
    }
    let (check, built_len) = content_check(loaded, src, assets, cat, !v.fields.is_empty());
    v.checks.push(check);
    built_len
}

fn fingerprint_check(m: &Manifest, fingerprint: &str) -> Check {
    Check {
        name: "fingerprint",
        ok: m.fingerprint == fingerprint,
        detail: if m.fingerprint == fingerprint {
            format!("the agreement matches the PDF's fingerprint {}", &fingerprint[..12])
        } else {
            format!(
                "the PDF was made from another agreement (fingerprint {} ≠ {})",
                &m.fingerprint.chars().take(12).collect::<String>(),
                &fingerprint[..12]
            )
        },
    }
}

fn terms_check(terms: &[TermsState]) -> Check {
    let stale: Vec<String> = terms
        .iter()
        .filter(|t| !t.same_text)
        .map(|t| format!("{}@{}", t.id, t.versjon))
        .collect();
    Check {
        name: "terms-texts",
        ok: stale.is_empty(),
        detail: if stale.is_empty() {
            "every terms text is the catalogue's current text of its version".into()
        } else {
            format!("terms texts differ from the catalogue: {}", stale.join(", "))
        },
    }
}

/// Make the PDF again and compare: the first revision must be exactly those bytes (a
/// signature appends an incremental update after them, which the revision analysis judges).
/// The check, and the length of the built file when the PDF starts with it.
fn content_check(
    loaded: &Loaded,
    src: &Source<'_>,
    assets: &Assets,
    cat: &Catalogue,
    has_fields: bool,
) -> (Check, Option<usize>) {
    let settings = match src.manifest {
        Some(m) => PdfSettings {
            standards: m.standards.clone(),
            signature_fields: m.signature_fields,
            attachments: true,
        },
        None => PdfSettings {
            standards: guess_standards(src.bytes, src.version),
            signature_fields: has_fields,
            attachments: false,
        },
    };
    let same = Typesetter::new(assets.clone(), &settings).and_then(|r| {
        r.build(&loaded.agreement, cat, &|view| {
            // The attached sources as they are in the PDF, so that the rebuild is comparable.
            match src.manifest {
                Some(m) if src.from_pdf => attached_again(src.attached, m, loaded, view, cat, &settings),
                _ => provenance::attachments(loaded, view, cat, &settings),
            }
        })
        .map_err(|e| e.to_string())
    });
    let check = |ok, detail: String| Check {
        name: "content",
        ok,
        detail,
    };
    let built = match same {
        Ok(b) => b,
        Err(e) => return (check(false, format!("cannot rebuild: {e}")), None),
    };
    if !src.bytes.starts_with(&built.pdf) {
        let detail =
            "the PDF differs from what the agreement makes now (edited, or made with other templates or tool version)";
        return (check(false, detail.into()), None);
    }
    let detail = if src.bytes.len() > built.pdf.len() {
        "the PDF is exactly what the agreement makes, followed by updates (see revisions)"
    } else {
        "the PDF is exactly what the agreement makes"
    };
    (check(true, detail.into()), Some(built.pdf.len()))
}

/// The trust anchors in certificate files (PEM or DER).
fn trust_store(files: &[PathBuf]) -> Result<TrustStore, Vec<String>> {
    let mut store = TrustStore::new();
    for f in files {
        let bytes = crate::base::files::read_regular(f, MAX_CERTIFICATE_FILE_BYTES)
            .ok_or_else(|| vec![format!("cannot read trust anchor {}", f.display())])?;
        store
            .add_pem_or_der(&bytes)
            .map_err(|e| vec![format!("{}: {e}", f.display())])?;
    }
    Ok(store)
}

/// Largest certificate file read as trust anchors.
const MAX_CERTIFICATE_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Every signature checked (intact, valid, trusted) and every revision after the built file
/// (`base_len`; `None`: the first revision) judged; the signers named on the fields.
fn signature_checks(v: &mut Verification, bytes: &[u8], base_len: Option<usize>, trust: &TrustStore) {
    let report = match signature::analyse(bytes, base_len, trust, SystemTime::now()) {
        Ok(r) => r,
        Err(e) => {
            v.checks.push(Check {
                name: "signatures",
                ok: false,
                detail: format!("the signatures cannot be read: {e}"),
            });
            v.modifications_allowed = false;
            return;
        }
    };
    for f in &mut v.fields {
        f.signer = report
            .signatures
            .iter()
            .find(|s| s.field == f.name)
            .and_then(|s| s.signer.clone());
    }
    if !report.signatures.is_empty() {
        let doubtful: Vec<String> = report
            .signatures
            .iter()
            .filter(|s| !s.trusted)
            .map(|s| format!("{}: {}", s.field, s.reasons.join(", ")))
            .collect();
        v.checks.push(Check {
            name: "signatures",
            ok: doubtful.is_empty(),
            detail: if doubtful.is_empty() {
                format!(
                    "{} signature(s), each intact, valid and from a trusted signer",
                    report.signatures.len()
                )
            } else {
                doubtful.join("; ")
            },
        });
    }
    if report.revisions.len() > 1 || !report.modifications_allowed {
        v.checks.push(Check {
            name: "revisions",
            ok: report.modifications_allowed,
            detail: if report.modifications_allowed {
                "every update after the built file adds a signature, and the last is signed".into()
            } else {
                report.problems.join("; ")
            },
        });
    }
    v.modifications_allowed = report.modifications_allowed;
    v.signatures = report.signatures;
    v.revisions = report.revisions;
}

/// Write the attached sources into `dir` as the manifest lists them (a segment file's
/// member CSV where its `medlemmer` says, beside it); the path of the first.
fn materialise_sources(m: &Manifest, attached: &Attached, dir: &Path) -> Option<PathBuf> {
    let mut first = None;
    let mut csv_at: Option<String> = None;
    for name in &m.sources {
        let Some(safe) = safe_name(name) else { continue };
        let Some((_, data)) = attached.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let rel = match &csv_at {
            Some(rel)
                if [".csv", ".xlsx", ".xlsm"]
                    .iter()
                    .any(|e| safe.to_lowercase().ends_with(e)) =>
            {
                rel.clone()
            }
            _ => safe,
        };
        let p = dir.join(&rel);
        if let Some(parent) = p.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if std::fs::write(&p, data).is_ok() && first.is_none() {
            csv_at = std::str::from_utf8(data)
                .ok()
                .and_then(|t| t.parse::<toml::Table>().ok())
                .and_then(|t| t.get("medlemmer").and_then(|v| v.as_str()).map(str::to_string))
                .filter(|r| crate::catalog::assets::is_plain_relative(r));
            first = Some(p);
        }
    }
    first
}

/// The standards a PDF without a manifest claims, from its XMP metadata and header.
fn guess_standards(bytes: &[u8], version: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find('<')? + start;
        Some(text[start..end].trim().to_string())
    };
    let mut out = Vec::new();
    if let Some(part) = tag("pdfaid:part") {
        let conf = tag("pdfaid:conformance").unwrap_or_default().to_lowercase();
        out.push(format!("a-{part}{conf}"));
    }
    if tag("pdfuaid:part").as_deref() == Some("1") {
        out.push("ua-1".into());
    }
    if out.is_empty() && version == "2.0" {
        out.push("2.0".into());
    }
    out
}

/// The attachments as the original build made them: the source bytes from the PDF itself.
fn attached_again(
    attached: &[(String, Vec<u8>)],
    m: &Manifest,
    loaded: &Loaded,
    view: &View,
    cat: &Catalogue,
    settings: &PdfSettings,
) -> Vec<Attachment> {
    let mut fresh = provenance::attachments(loaded, view, cat, settings);
    for (a, name) in fresh.iter_mut().zip(&m.sources) {
        if let Some((_, data)) = attached.iter().find(|(n, _)| n == name) {
            a.name = name.clone();
            a.data = data.clone();
        }
    }
    fresh
}
