//! Worker processes for large batches (Linux): the calling process forks one child per core
//! once planning is done, hands each child one job at a time over a pipe, and gathers what
//! became of it over another. A child inherits the loaded agreements, the catalogue and the
//! typesetter as they are, and lays out one document at a time on one thread, so two
//! documents never share Typst's cache, its locks or a worker thread; on 2 cores this does
//! the same work in less time than threads in one process (README, "Benchmarks").
//!
//! A child only lays out and writes PDFs. Anything but a written PDF, a template error, an
//! I/O error or a kept signed PDF is built again in the calling process, so problems with
//! an agreement are reported exactly as the thread pool reports them. A child that ends
//! early (killed, out of memory) fails only the document it was building; the rest go to
//! the other children, or are built in the calling process when none is left.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;

use crate::batch::pool::{Done, Work, build_one};

/// Whether this process may fork workers: only while it runs no other thread, since a child
/// gets a copy of every lock as it was and only the forking thread.
pub fn can_fork() -> bool {
    match std::fs::read_dir("/proc/self/task") {
        Ok(tasks) => tasks.count() == 1,
        Err(_) => false,
    }
}

/// What a child says about one job.
enum Reply {
    Done {
        i: usize,
        done: Done,
        halt: bool,
    },
    /// Build this one in the calling process (its problems are reported from there).
    Redo(usize),
    /// The child's pipe closed: it ended, normally or not.
    Ended,
}

struct Child {
    pid: libc::pid_t,
    jobs: Option<File>,
    /// The job it is building, if any.
    busy: Option<usize>,
    /// Whether it has ended (or its replies were garbled): nothing more is taken from it.
    ended: bool,
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two file descriptors for pipe2 to fill.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Build every job on `workers` forked children. `None` when the children could not be
/// started (nothing was built then; the caller uses threads instead).
pub fn run(work: &Work<'_>, workers: usize, receive: &mut dyn FnMut(usize, Done)) -> Option<()> {
    let (mut children, results) = fork_children(work, workers);
    if children.is_empty() {
        return None;
    }
    dispatch(work, &mut children, results, receive);
    for child in &children {
        let mut status = 0;
        // SAFETY: `pid` is a child of this process that has not been waited for.
        unsafe { libc::waitpid(child.pid, &mut status, 0) };
    }
    Some(())
}

/// Fork up to `workers` children, each with a pipe for its jobs and one for its replies.
fn fork_children(work: &Work<'_>, workers: usize) -> (Vec<Child>, Vec<File>) {
    let mut children: Vec<Child> = Vec::new();
    let mut results: Vec<File> = Vec::new();
    for _ in 0..workers {
        let (Ok((job_r, job_w)), Ok((res_r, res_w))) = (pipe(), pipe()) else {
            break;
        };
        // SAFETY: this process runs no other thread (`can_fork`), so the child starts with
        // every lock free; the child never returns from `child_main`.
        match unsafe { libc::fork() } {
            0 => {
                // The parent's ends, of this child's pipes and of the children before it.
                drop((job_w, res_r));
                drop(children);
                drop(results);
                child_main(work, File::from(job_r), File::from(res_w));
            }
            pid if pid > 0 => {
                drop((job_r, res_w));
                children.push(Child {
                    pid,
                    jobs: Some(File::from(job_w)),
                    busy: None,
                    ended: false,
                });
                results.push(File::from(res_r));
            }
            _ => break,
        }
    }
    (children, results)
}

/// Hand the jobs to the children one at a time, pass on what they report, and build here
/// what they could not.
fn dispatch(work: &Work<'_>, children: &mut [Child], results: Vec<File>, receive: &mut dyn FnMut(usize, Done)) {
    let (tx, rx) = mpsc::channel::<(usize, Reply)>();
    std::thread::scope(|scope| {
        for (k, res) in results.into_iter().enumerate() {
            let tx = tx.clone();
            scope.spawn(move || {
                let mut r = BufReader::new(res);
                while let Some(reply) = read_reply(&mut r) {
                    if tx.send((k, reply)).is_err() {
                        return;
                    }
                }
                let _ = tx.send((k, Reply::Ended));
            });
        }
        drop(tx);

        let stop = AtomicBool::new(false);
        let mut next = 0;
        let mut halted = false;
        let mut alive = children.len();
        let mut redo: Vec<usize> = Vec::new();
        let give = |child: &mut Child, next: &mut usize, halted: bool| give(work.jobs, child, next, halted);
        for child in children.iter_mut() {
            give(child, &mut next, halted);
        }
        for (k, reply) in rx {
            let child = &mut children[k];
            if child.ended {
                continue;
            }
            // A reply about another job than the one given is garbled: the child is done.
            let reply = match reply {
                Reply::Done { i, .. } | Reply::Redo(i) if child.busy != Some(i) => Reply::Ended,
                reply => reply,
            };
            match reply {
                Reply::Done { i, done, halt } => {
                    child.busy = None;
                    halted |= halt;
                    receive(i, done);
                }
                Reply::Redo(i) => {
                    child.busy = None;
                    redo.push(i);
                }
                Reply::Ended => {
                    child.ended = true;
                    alive -= 1;
                    child.jobs = None;
                    if let Some(i) = child.busy.take() {
                        receive(
                            i,
                            Done::Io(format!(
                                "{}: the worker process building it ended unexpectedly",
                                crate::batch::plan::id_of(&work.agreements[i])
                            )),
                        );
                    }
                    continue;
                }
            }
            give(child, &mut next, halted);
        }
        debug_assert_eq!(alive, 0);
        // What the children could not do: problems reported from here, and whatever was left
        // when every child had ended.
        let rest = if halted {
            &[][..]
        } else {
            &work.jobs[next.min(work.jobs.len())..]
        };
        for &i in redo.iter().chain(rest) {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            receive(i, build_one(work, i, &stop));
        }
    });
}

/// Send the next job to `child`; with none left (or the batch halted), close its pipe, which
/// lets it end.
fn give(jobs: &[usize], child: &mut Child, next: &mut usize, halted: bool) {
    if !halted
        && let Some(&i) = jobs.get(*next)
        && let Some(pipe) = &mut child.jobs
        && pipe.write_all(&(i as u32).to_le_bytes()).is_ok()
    {
        *next += 1;
        child.busy = Some(i);
        return;
    }
    child.jobs = None;
}

/// The child: one document at a time, as the calling process asks, until its pipe closes.
fn child_main(work: &Work<'_>, jobs: File, results: File) -> ! {
    // One Typst worker thread: the other children have the other cores.
    let _ = rayon::ThreadPoolBuilder::new().num_threads(1).build_global();
    let mut jobs = BufReader::new(jobs);
    let mut out = BufWriter::new(results);
    let stop = AtomicBool::new(false);
    let mut buf = [0u8; 4];
    while jobs.read_exact(&mut buf).is_ok() {
        let i = u32::from_le_bytes(buf) as usize;
        if i >= work.agreements.len() {
            break;
        }
        let done = build_one(work, i, &stop);
        let halt = stop.load(std::sync::atomic::Ordering::Relaxed);
        if write_reply(&mut out, i, &done, halt)
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
    }
    let _ = out.flush();
    // SAFETY: ends this child at once, without running the parent's exit handlers or
    // flushing buffers it copied from the parent.
    unsafe { libc::_exit(0) }
}

fn put_bytes(w: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    w.write_all(&(b.len() as u32).to_le_bytes())?;
    w.write_all(b)
}

fn write_reply(w: &mut impl Write, i: usize, done: &Done, halt: bool) -> std::io::Result<()> {
    w.write_all(&(i as u32).to_le_bytes())?;
    w.write_all(&[u8::from(halt)])?;
    match done {
        Done::Built { sha256, pages, size } => {
            w.write_all(&[0])?;
            put_bytes(w, sha256.as_bytes())?;
            w.write_all(&(*pages as u64).to_le_bytes())?;
            w.write_all(&size.to_le_bytes())
        }
        Done::Template(m) => {
            w.write_all(&[2])?;
            put_bytes(w, m.as_bytes())
        }
        Done::Io(m) => {
            w.write_all(&[3])?;
            put_bytes(w, m.as_bytes())
        }
        Done::Signed(p) => {
            w.write_all(&[4])?;
            put_bytes(w, p.as_os_str().as_bytes())
        }
        Done::Input(_) => w.write_all(&[1]),
    }
}

fn read_u32(r: &mut impl Read) -> Option<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).ok()?;
    Some(u32::from_le_bytes(b))
}

fn read_u64(r: &mut impl Read) -> Option<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b).ok()?;
    Some(u64::from_le_bytes(b))
}

fn read_bytes(r: &mut impl Read) -> Option<Vec<u8>> {
    let n = read_u32(r)? as usize;
    let mut v = Vec::new();
    r.take(n as u64).read_to_end(&mut v).ok()?;
    (v.len() == n).then_some(v)
}

fn read_string(r: &mut impl Read) -> Option<String> {
    String::from_utf8(read_bytes(r)?).ok()
}

/// One reply from a child; `None` at the end of its pipe (or on a garbled reply, which
/// ends the child's work the same way).
fn read_reply(r: &mut impl Read) -> Option<Reply> {
    let i = read_u32(r)? as usize;
    let mut head = [0u8; 2];
    r.read_exact(&mut head).ok()?;
    let halt = head[0] != 0;
    let done = match head[1] {
        0 => Done::Built {
            sha256: read_string(r)?,
            pages: usize::try_from(read_u64(r)?).ok()?,
            size: read_u64(r)?,
        },
        1 => return Some(Reply::Redo(i)),
        2 => Done::Template(read_string(r)?),
        3 => Done::Io(read_string(r)?),
        4 => Done::Signed(PathBuf::from(std::ffi::OsStr::from_bytes(&read_bytes(r)?))),
        _ => return None,
    };
    Some(Reply::Done { i, done, halt })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(done: Done, halt: bool) -> Reply {
        let mut buf = Vec::new();
        write_reply(&mut buf, 7, &done, halt).unwrap();
        let mut r = &buf[..];
        let reply = read_reply(&mut r).expect("a reply");
        assert!(r.is_empty(), "the reply was read to its end");
        reply
    }

    #[test]
    fn replies_survive_the_pipe() {
        match round_trip(
            Done::Built {
                sha256: "ab".repeat(32),
                pages: 14,
                size: 226_000,
            },
            false,
        ) {
            Reply::Done {
                i: 7,
                done:
                    Done::Built {
                        sha256,
                        pages: 14,
                        size: 226_000,
                    },
                halt: false,
            } => assert_eq!(sha256, "ab".repeat(32)),
            _ => panic!("built"),
        }
        match round_trip(Done::Template("feil\tlinje\n2 æøå".into()), true) {
            Reply::Done {
                done: Done::Template(m),
                halt: true,
                ..
            } => assert_eq!(m, "feil\tlinje\n2 æøå"),
            _ => panic!("template"),
        }
        match round_trip(Done::Signed(PathBuf::from("ut/a b.pdf")), false) {
            Reply::Done {
                done: Done::Signed(p), ..
            } => assert_eq!(p, PathBuf::from("ut/a b.pdf")),
            _ => panic!("signed"),
        }
        assert!(matches!(round_trip(Done::Input(Vec::new()), false), Reply::Redo(7)));
    }

    #[test]
    fn a_cut_or_garbled_reply_ends_the_stream() {
        let mut buf = Vec::new();
        write_reply(&mut buf, 1, &Done::Io("x".repeat(40)), false).unwrap();
        for cut in 0..buf.len() {
            assert!(read_reply(&mut &buf[..cut]).is_none(), "cut at {cut}");
        }
        let mut bad = buf.clone();
        bad[5] = 9;
        assert!(read_reply(&mut &bad[..]).is_none());
        // A length far beyond the data does not allocate it.
        let mut huge = buf[..6].to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(read_reply(&mut &huge[..]).is_none());
    }
}
