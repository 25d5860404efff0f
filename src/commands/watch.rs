//! `avtale watch`: build, then rebuild what changed on every save, printing the diagnostics
//! and the time from the save to the new PDFs; errors never stop it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::commands::build::{self, BuildOptions};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::msg;

#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub build: BuildOptions,
    /// Stop after this many rebuilds (for scripts and tests); `None` runs until interrupted.
    pub max_rebuilds: Option<usize>,
}

/// Saves that come this close together are one change (editors write a file in steps).
const SETTLE: Duration = Duration::from_millis(200);

pub fn run(console: &mut dyn Console, opts: &WatchOptions) -> CommandResult {
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| Failure::new(msg!("watch-cannot", error = e)))?;
    for p in &opts.build.paths {
        watcher
            .watch(p, RecursiveMode::Recursive)
            .map_err(|e| Failure::new(msg!("watch-cannot-file", file = p.display(), error = e)))?;
    }
    let out_dir = std::fs::create_dir_all(&opts.build.batch.out_dir)
        .and_then(|()| opts.build.batch.out_dir.canonicalize())
        .unwrap_or_else(|_| opts.build.batch.out_dir.clone());
    let first = build::run(console, &opts.build);
    show(console, first);
    let _ = writeln!(
        console.err(),
        "watching {} path(s) for changes; stop with Ctrl-C",
        opts.build.paths.len()
    );
    let mut rebuilds = 0;
    while opts.max_rebuilds.is_none_or(|max| rebuilds < max) {
        let Some(saved) = next_change(&rx, &out_dir) else {
            break;
        };
        let result = build::run(console, &opts.build);
        show(console, result);
        rebuilds += 1;
        let _ = writeln!(
            console.err(),
            "rebuilt {:.0} ms after the save",
            saved.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(Outcome::Ok)
}

/// Wait for a change to an agreement, segment or member file (not in the output
/// directory), then for the saves to settle; when the first of them happened. `None` when
/// the watcher has stopped.
fn next_change(rx: &Receiver<notify::Result<notify::Event>>, out_dir: &Path) -> Option<Instant> {
    loop {
        let event = rx.recv().ok()?;
        if relevant(&event, out_dir) {
            break;
        }
    }
    let first = Instant::now();
    loop {
        match rx.recv_timeout(SETTLE) {
            Ok(_) => continue,
            Err(RecvTimeoutError::Timeout) => return Some(first),
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

fn relevant(event: &notify::Result<notify::Event>, out_dir: &Path) -> bool {
    let Ok(event) = event else { return false };
    if event.kind.is_access() {
        return false;
    }
    event.paths.iter().any(|p: &PathBuf| {
        let ours = p.extension().is_some_and(|e| e == "toml" || e == "csv" || e == "xlsx");
        let output = p.canonicalize().unwrap_or_else(|_| p.clone()).starts_with(out_dir);
        ours && !output
    })
}

/// Say how a build ended; a failed one is said and watching goes on.
fn show(console: &mut dyn Console, result: CommandResult) {
    match result {
        Ok(Outcome::Ok) => {}
        Ok(_) => {
            let line = msg!("watch-problems").render(console.lang());
            let _ = writeln!(console.err(), "{line}");
        }
        Err(failure) => {
            let lang = console.lang();
            for m in &failure.0 {
                console.error(&m.render(lang));
            }
        }
    }
}
