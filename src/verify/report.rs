//! What a verification found: the checks, the terms versions, the signature fields.

use std::path::PathBuf;

use serde::Serialize;

use crate::document::signature::{RevisionReport, SignatureReport};

#[derive(Debug, Serialize)]
pub struct Field {
    pub name: String,
    pub page: Option<u32>,
    pub signed: bool,
    /// The subject of the signing certificate, as written in it.
    pub signer: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct TermsState {
    pub id: String,
    pub versjon: String,
    pub sha256: String,
    /// `gjeldende`, `erstattet`, `trukket`, or `ukjent` when the catalogue lacks it.
    pub status: String,
    /// The catalogue's text for this version has the same SHA-256.
    pub same_text: bool,
}

#[derive(Debug, Serialize)]
pub struct Verification {
    pub file: PathBuf,
    pub agreement_id: Option<String>,
    /// Where the agreement was read from: `attached` or a path.
    pub source: Option<String>,
    pub checks: Vec<Check>,
    pub terms: Vec<TermsState>,
    pub fields: Vec<Field>,
    /// Every signature, checked: intact, valid, trusted, and why not.
    pub signatures: Vec<SignatureReport>,
    /// Every revision of the file after the one built, and whether its changes are allowed.
    pub revisions: Vec<RevisionReport>,
    /// Every update after the built file only signs, and the last one is covered by a valid
    /// signature.
    pub modifications_allowed: bool,
    pub ok: bool,
}
