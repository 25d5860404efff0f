//! Any bytes given to `verify` and `extract` as a PDF: reading the structure, the signatures,
//! the revisions and the attachments returns a verdict or an error, never a panic, a hang or
//! unbounded memory.

#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use avtale::document::provenance::read_attachments;
use avtale::document::signature::{TrustStore, analyse, is_signed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let trust = TrustStore::new();
    let _ = analyse(bytes, None, &trust, now);
    let _ = analyse(bytes, Some(bytes.len() / 2), &trust, now);
    let _ = is_signed(bytes);
    if let Ok(doc) = lopdf::Document::load_mem(bytes) {
        let _ = read_attachments(&doc);
    }
});
