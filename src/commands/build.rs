//! `avtale build`: validate, then write one PDF per valid agreement, with progress, the
//! summary, and an optional JSON report.

use std::path::PathBuf;
use std::time::Instant;

use crate::base::i18n::Msg;
use crate::batch::report::write_report;
use crate::batch::{self, BatchOptions, Event};
use crate::commands::report::{DiagnosticOptions, report};
use crate::commands::setup::{SourceOptions, setup};
use crate::commands::{CommandResult, Console, Failure, Outcome};
use crate::document::{Limits, PdfSettings, Typesetter};
use crate::input::load;
use crate::msg;

/// How PDFs are made and how long each may take.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    pub settings: PdfSettings,
    pub limits: Limits,
}

impl PdfOptions {
    /// A typesetter for these options and the templates in `assets`.
    pub fn typesetter(&self, assets: &crate::catalog::assets::Assets) -> Result<Typesetter, Failure> {
        Ok(Typesetter::new(assets.clone(), &self.settings)?.with_limits(self.limits))
    }
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub paths: Vec<PathBuf>,
    pub batch: BatchOptions,
    pub pdf: PdfOptions,
    /// Write a JSON report of every agreement here.
    pub report: Option<PathBuf>,
    /// Print nothing but problems.
    pub quiet: bool,
    pub diagnostics: DiagnosticOptions,
    pub sources: SourceOptions,
}

pub fn run(console: &mut dyn Console, opts: &BuildOptions) -> CommandResult {
    let started = Instant::now();
    let setup = setup(console, &opts.sources)?;
    let typesetter = opts.pdf.typesetter(&setup.assets)?;
    let mut run = load::load_in(&opts.paths, &setup.catalogue, &opts.sources.selection);
    let outcome = {
        let mut progress = Progress::new(opts.quiet, console.err_is_terminal());
        let outcome = batch::build(
            &mut run,
            &setup.catalogue,
            &setup.assets,
            &typesetter,
            &opts.batch,
            &mut |event| progress.show(&mut *console, event),
        );
        progress.finish();
        outcome
    };
    for p in &outcome.signed {
        let message = msg!("build-signed-kept", file = p.display()).render(console.lang());
        console.error(&message);
    }
    let checked = report(console, opts.diagnostics, &run, !opts.quiet);
    let seconds = started.elapsed().as_secs_f64();
    if !opts.quiet || outcome.failed > 0 {
        let line = msg!(
            "build-summary",
            built = outcome.built,
            up_to_date = outcome.up_to_date,
            failed = outcome.failed,
            seconds = format!("{seconds:.2}"),
            output = opts.batch.out_dir.display()
        )
        .render(console.lang());
        let _ = writeln!(console.err(), "{line}");
    }
    if let Some(path) = &opts.report
        && let Err(e) = write_report(path, &run, &outcome, &opts.batch.out_dir, seconds)
    {
        return Err(Failure::new(msg!(
            "cannot-write-report",
            file = path.display(),
            error = e
        )));
    }
    let failed = if outcome.failed > 0 {
        Outcome::Invalid
    } else {
        Outcome::Ok
    };
    Ok(checked.and(failed))
}

/// A progress bar on a terminal, else a line per document built (none when quiet).
struct Progress {
    quiet: bool,
    terminal: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(quiet: bool, terminal: bool) -> Progress {
        Progress {
            quiet,
            terminal,
            bar: None,
        }
    }

    fn show(&mut self, console: &mut dyn Console, event: Event<'_>) {
        match event {
            Event::Waiting(dir) if !self.quiet => {
                let _ = writeln!(
                    console.err(),
                    "waiting for another avtale build writing to {}",
                    dir.display()
                );
            }
            Event::Waiting(_) => {}
            Event::Started { jobs } => {
                if !self.quiet && self.terminal && jobs > 0 {
                    let pb = indicatif::ProgressBar::new(jobs as u64);
                    pb.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}",
                        )
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                    );
                    self.bar = Some(pb);
                }
            }
            Event::Built { id, path, pages } => match &self.bar {
                Some(pb) => pb.set_message(id.to_string()),
                None if !self.quiet => {
                    let line = Msg::new("build-built")
                        .arg("file", path.display())
                        .count("pages", pages)
                        .render(console.lang());
                    let _ = writeln!(console.err(), "{line}");
                }
                None => {}
            },
            Event::Finished => {
                if let Some(pb) = &self.bar {
                    pb.inc(1);
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}
