//! How PDFs are made: the standards they meet, whether they carry signature fields and
//! attachments, and the limits on the work one document may take.

use std::time::Duration;

use typst_pdf::PdfStandard;

/// PDF standards `--pdf-standard` accepts.
pub const STANDARD_NAMES: &[&str] = &[
    "1.7", "2.0", "a-1b", "a-1a", "a-2b", "a-2u", "a-2a", "a-3b", "a-3u", "a-3a", "a-4", "ua-1",
];

pub fn parse_standard(s: &str) -> Option<PdfStandard> {
    Some(match s {
        "1.7" => PdfStandard::V_1_7,
        "2.0" => PdfStandard::V_2_0,
        "a-1b" => PdfStandard::A_1b,
        "a-1a" => PdfStandard::A_1a,
        "a-2b" => PdfStandard::A_2b,
        "a-2u" => PdfStandard::A_2u,
        "a-2a" => PdfStandard::A_2a,
        "a-3b" => PdfStandard::A_3b,
        "a-3u" => PdfStandard::A_3u,
        "a-3a" => PdfStandard::A_3a,
        "a-4" => PdfStandard::A_4,
        "ua-1" => PdfStandard::Ua_1,
        _ => return None,
    })
}

/// The default: archival PDF/A-3a (which allows the attached source) together with
/// accessible, tagged PDF/UA-1.
pub const DEFAULT_STANDARDS: &[&str] = &["a-3a", "ua-1"];
/// The default without attachments: PDF/A-2a, which allows no attachments, with PDF/UA-1.
pub const DEFAULT_STANDARDS_NO_ATTACHMENTS: &[&str] = &["a-2a", "ua-1"];

/// How PDFs are made.
#[derive(Debug, Clone)]
pub struct PdfSettings {
    pub standards: Vec<String>,
    /// Put an unsigned signature field over each signature box.
    pub signature_fields: bool,
    /// Attach the agreement's source and a manifest to the PDF.
    pub attachments: bool,
}

impl Default for PdfSettings {
    fn default() -> Self {
        PdfSettings {
            standards: DEFAULT_STANDARDS.iter().map(|s| s.to_string()).collect(),
            signature_fields: true,
            attachments: true,
        }
    }
}

/// Bounds on the work one document may take, so that a template that never ends or lays
/// out without end is stopped with a clear error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most pages a document may have (checked after layout).
    pub max_pages: usize,
    /// Longest time Typst may take to lay out one document.
    pub time: Duration,
    /// Most steps (minijinja fuel) the template engine may take for one document.
    pub template_fuel: u64,
}

/// Default of `--max-pages`: the shipped documents have about 15 pages.
pub const DEFAULT_MAX_PAGES: usize = 500;
/// Default of `--time-limit`, in seconds: a document takes well under a second.
pub const DEFAULT_TIME_LIMIT_SECS: u64 = 60;
/// Template steps (minijinja fuel) per document: the shipped templates take under 1,500;
/// this stops a runaway loop within about a second.
pub const DEFAULT_TEMPLATE_FUEL: u64 = 10_000_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pages: DEFAULT_MAX_PAGES,
            time: Duration::from_secs(DEFAULT_TIME_LIMIT_SECS),
            template_fuel: DEFAULT_TEMPLATE_FUEL,
        }
    }
}

/// A file to attach to the PDF.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Attachment {
    pub name: String,
    #[serde(skip)]
    pub data: Vec<u8>,
    pub mime: String,
    pub description: String,
    /// `source` or `data` (PDF/A-3's AFRelationship).
    pub relationship: String,
}

/// Where attachment number `i` is visible to Typst.
pub fn attachment_path(i: usize) -> String {
    format!("/.vedlegg/{i}")
}
