//! Whether a PDF on disk already holds a digital signature, so that a build does not
//! replace a signed agreement.

use std::path::Path;

use crate::base::files::read_regular;

/// How much of an existing PDF is searched for a signature.
const MAX_SIGNED_SCAN_BYTES: u64 = 256 * 1024 * 1024;

/// Whether the file at `path` holds a digital signature (a signed field's byte range).
/// Only a regular file counts: a symbolic link in its place is replaced, not followed.
pub fn is_signed(path: &Path) -> bool {
    read_regular(path, MAX_SIGNED_SCAN_BYTES).is_some_and(|b| b.windows(10).any(|w| w == b"/ByteRange"))
}
