//! The JSON report of a build (`--report FILE`): every agreement with its source, status,
//! output, SHA-256, page count and diagnostics.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::base::diag::Located;
use crate::base::files::write_atomic;
use crate::batch::Outcome;
use crate::batch::plan::Status;
use crate::input::load::{Origin, Run};

#[derive(Debug, Serialize)]
struct ReportEntry<'a> {
    id: Option<&'a str>,
    source: &'a Origin,
    status: Status,
    output: Option<PathBuf>,
    sha256: Option<String>,
    pages: Option<usize>,
    diagnostics: Vec<Located<'a>>,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    tool_version: &'static str,
    output_dir: &'a Path,
    built: usize,
    up_to_date: usize,
    failed: usize,
    seconds: f64,
    /// Which workers built the documents, and how many (`null` when none was built).
    workers: Option<crate::batch::pool::Workers>,
    agreements: Vec<ReportEntry<'a>>,
}

/// Write the report of a build that took `seconds` to `path`, atomically.
pub fn write_report(path: &Path, run: &Run, outcome: &Outcome, out_dir: &Path, seconds: f64) -> std::io::Result<()> {
    let entries = run
        .agreements
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let id = a.agreement.avtale.id.as_ref().map(|s| s.v.as_str());
            let st = outcome.status[i].clone().unwrap_or(Status::Failed);
            let ok = matches!(st, Status::Built | Status::UpToDate);
            ReportEntry {
                id,
                source: &a.origin,
                output: id.filter(|_| ok).map(|id| out_dir.join(format!("{id}.pdf"))),
                sha256: outcome.outputs[i].as_ref().map(|o| o.0.clone()),
                pages: outcome.outputs[i].as_ref().map(|o| o.1),
                status: st,
                diagnostics: a.diags.iter().map(|d| run.sources.locate(d)).collect(),
            }
        })
        .collect();
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        output_dir: out_dir,
        built: outcome.built,
        up_to_date: outcome.up_to_date,
        failed: outcome.failed,
        seconds,
        workers: outcome.workers,
        agreements: entries,
    };
    let mut bytes = serde_json::to_vec_pretty(&report).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}
