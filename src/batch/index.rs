//! The output index: the file in the output directory that records what each PDF was built
//! from (the incremental key) and what it holds, so that an unchanged agreement is not
//! built again.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::files::{read_regular, write_atomic};

/// The name of the output index in the output directory.
pub const INDEX_FILE: &str = ".avtale-manifest.json";

/// An index larger than this is not read (it would list millions of PDFs).
const MAX_INDEX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct OutputIndex {
    pub format: u32,
    /// Agreement id → what its PDF was built from and what it holds.
    pub entries: BTreeMap<String, IndexEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// SHA-256 of the input fingerprint, catalogue, templates, tool version and standards.
    pub key: String,
    pub sha256: String,
    pub pages: usize,
    pub size: u64,
}

impl OutputIndex {
    /// The index of `dir`; a missing, unreadable or oversized one is empty (everything is
    /// rebuilt). Only a regular file is read.
    pub fn read(dir: &Path) -> OutputIndex {
        read_regular(&dir.join(INDEX_FILE), MAX_INDEX_BYTES)
            .and_then(|b| serde_json::from_slice::<OutputIndex>(&b).ok())
            .filter(|m| m.format == 1)
            .unwrap_or_default()
    }

    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        write_atomic(&dir.join(INDEX_FILE), &bytes)
    }
}
