//! What a build has to do: the share of the agreements it builds, the incremental key of
//! each (what its PDF depends on), and which PDFs are already up to date.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::base::digest::sha256_hex;
use crate::batch::index::OutputIndex;
use crate::catalog::Catalogue;
use crate::catalog::assets::Assets;
use crate::document::PdfSettings;
use crate::document::signed::is_signed;
use crate::document::view::fingerprint;
use crate::input::load::Loaded;

/// `K/N`: build the K-th of N shares (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or("write the shard as K/N, e.g. 2/4")?;
        let index: u64 = k.trim().parse().map_err(|_| format!("`{k}` is not a number"))?;
        let count: u64 = n.trim().parse().map_err(|_| format!("`{n}` is not a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {index}/{count}: K must be between 1 and N"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether the agreement with this id belongs to this shard: by a hash of the id, so
    /// the split is the same on every machine and does not shift when files move.
    pub fn contains(&self, id: &str) -> bool {
        let h = Sha256::digest(id.as_bytes());
        let n = u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
        n % self.count == self.index - 1
    }
}

/// What happened to one agreement.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Built,
    UpToDate,
    /// Errors in the agreement: no PDF.
    Invalid,
    Failed,
}

/// The key of one agreement's PDF in the output index: the context and the agreement's
/// fingerprint.
pub fn agreement_key(context: &str, a: &Loaded) -> String {
    sha256_hex(format!("{context}\n{}", fingerprint(&a.agreement)).as_bytes())
}

/// What every PDF depends on besides its own agreement: tool, catalogue, templates, every
/// terms text and the PDF settings.
pub fn context_key(cat: &Catalogue, assets: &Assets, settings: &PdfSettings) -> String {
    let terms: String = cat
        .vilkaar
        .iter()
        .flat_map(|d| &d.versjoner)
        .flat_map(|v| v.all_texts())
        .map(|t| t.sha256.as_str())
        .collect();
    format!(
        "{}\n{}\n{}\n{terms}\n{:?}",
        env!("CARGO_PKG_VERSION"),
        cat.sha256,
        assets.digest(),
        settings
    )
}

/// The agreement's id, or the empty string while it has none.
pub fn id_of(a: &Loaded) -> &str {
    a.agreement.avtale.id.as_ref().map(|s| s.v.as_str()).unwrap_or_default()
}

/// The plan of a build: per agreement its status so far, its incremental key and, when up
/// to date, the SHA-256 and page count of its PDF; and the agreements to build.
pub struct Plan {
    pub status: Vec<Option<Status>>,
    pub keys: Vec<String>,
    pub outputs: Vec<Option<(String, usize)>>,
    pub jobs: Vec<usize>,
}

/// Decide what to build: agreements with errors are invalid, those whose PDF the index
/// records with the same key (and that are still there, or signed since) are up to date,
/// and the rest are built.
pub fn plan(agreements: &[Loaded], context: &str, index: &OutputIndex, out_dir: &Path, force: bool) -> Plan {
    let n = agreements.len();
    let mut plan = Plan {
        status: vec![None; n],
        keys: vec![String::new(); n],
        outputs: vec![None; n],
        jobs: Vec::new(),
    };
    for (i, a) in agreements.iter().enumerate() {
        if a.has_errors() {
            plan.status[i] = Some(Status::Invalid);
            continue;
        }
        let id = id_of(a);
        plan.keys[i] = agreement_key(context, a);
        let target = out_dir.join(format!("{id}.pdf"));
        if !force
            && let Some(e) = index.entries.get(id)
            && e.key == plan.keys[i]
            && std::fs::symlink_metadata(&target).is_ok_and(|m| {
                // A signed PDF is the built one plus signature updates.
                m.is_file() && (m.len() == e.size || (m.len() > e.size && is_signed(&target)))
            })
        {
            plan.status[i] = Some(Status::UpToDate);
            plan.outputs[i] = Some((e.sha256.clone(), e.pages));
            continue;
        }
        plan.jobs.push(i);
    }
    plan
}
