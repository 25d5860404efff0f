//! The worker pool: a few threads fed from a shared queue, each laying out and writing one
//! document at a time (the Typst cache evicted after each, so memory stays flat however
//! many agreements there are), sending what became of it to the calling thread.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::base::diag::Diagnostic;
use crate::base::digest::sha256_hex;
use crate::base::files::write_atomic;
use crate::batch::plan::id_of;
use crate::catalog::Catalogue;
use crate::document::provenance;
use crate::document::signed::is_signed;
use crate::document::{BuildError, Typesetter, View};
use crate::input::load::Loaded;

/// What became of one agreement, sent from a worker to the calling thread.
pub enum Done {
    Built {
        sha256: String,
        pages: usize,
        size: u64,
    },
    Input(Vec<Diagnostic>),
    Template(String),
    Io(String),
    /// The target holds a digital signature; it is not overwritten without `force`.
    Signed(PathBuf),
}

/// What the workers share.
pub struct Work<'a> {
    pub agreements: &'a [Loaded],
    pub catalogue: &'a Catalogue,
    pub typesetter: &'a Typesetter,
    pub jobs: &'a [usize],
    pub out_dir: &'a Path,
    pub force: bool,
}

/// How a batch was built: by worker threads in this process, or by worker processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Workers {
    pub kind: WorkerKind,
    pub count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkerKind {
    Threads,
    Processes,
}

/// Build every job on `workers` threads of this process, and hand each result to `receive`
/// on the calling thread, in the order they finish.
pub fn threads(work: &Work<'_>, workers: usize, receive: &mut dyn FnMut(usize, Done)) {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Done)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some(&i) = work.jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let done = build_one(work, i, stop);
                    if tx.send((i, done)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, done) in rx {
            receive(i, done);
        }
    });
}

/// Lay out, export and write one agreement. A template error, or a limit that leaves work
/// running that cannot be cancelled, sets `stop` so that no more documents are started.
pub(crate) fn build_one(work: &Work<'_>, i: usize, stop: &AtomicBool) -> Done {
    let loaded = &work.agreements[i];
    let typesetter = work.typesetter;
    let attach = |v: &View| provenance::attachments(loaded, v, work.catalogue, &typesetter.settings);
    let id = id_of(loaded);
    let target = work.out_dir.join(format!("{id}.pdf"));
    if !work.force && is_signed(&target) {
        return Done::Signed(target);
    }
    let result = typesetter.build(&loaded.agreement, work.catalogue, &attach);
    // Nothing of one document is worth keeping for the next.
    typst::comemo::evict(0);
    match result {
        Ok(b) => match write_atomic(&target, &b.pdf) {
            Ok(()) => Done::Built {
                sha256: sha256_hex(&b.pdf),
                pages: b.pages,
                size: b.pdf.len() as u64,
            },
            Err(e) => Done::Io(format!("cannot write {}: {e}", target.display())),
        },
        Err(BuildError::Input(d)) => Done::Input(d),
        Err(BuildError::Template(m)) => {
            stop.store(true, Ordering::Relaxed);
            Done::Template(m)
        }
        Err(BuildError::Limit { message, stop: halt }) => {
            if halt {
                // The work cannot be cancelled: start no more.
                stop.store(true, Ordering::Relaxed);
            }
            Done::Io(format!("{id}: {message}"))
        }
        Err(e @ (BuildError::Other(_) | BuildError::Overflow(_))) => Done::Io(format!("{id}: {e}")),
    }
}
