//! Whether a PDF on disk already holds a digital signature, so that a build does not
//! replace a signed agreement.

use std::path::Path;

use crate::base::files::read_regular;
use crate::document::signature::{self, MAX_FILE_SIZE};

/// Whether the file at `path` holds a digital signature: a signature field of the parsed
/// document whose value is a signature dictionary with a byte range and contents (bytes
/// that merely spell `/ByteRange` in a comment or a string do not count). Only a regular
/// file counts: a symbolic link in its place is replaced, not followed.
pub fn is_signed(path: &Path) -> bool {
    read_regular(path, MAX_FILE_SIZE as u64).is_some_and(|b| signature::is_signed(&b))
}
