//! The command line: parsing flags, running a command, and the exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::assets::Assets;
use crate::catalog::{CATALOGUE_FILE, Catalogue};
use crate::diag::{self, Format, Severity, Sources};
use crate::load;

/// Exit status when every agreement is fine.
pub const EXIT_OK: i32 = 0;
/// Exit status when any agreement has an error.
pub const EXIT_INVALID: i32 = 1;
/// Exit status when the tool could not do its job.
pub const EXIT_TROUBLE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "avtale",
    version,
    about = "Check consumer agreements for data sharing with Skatteetaten and build them into PDF",
    after_help = "Examples:\n  avtale check agreements/\n  avtale check --format github agreements/\n  avtale build agreements/"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate agreement and segment files; writes nothing
    #[command(
        after_help = "Examples:\n  avtale check agreements/\n  avtale check --format short --deny-warnings a.toml b.toml"
    )]
    Check(CheckArgs),
    /// Validate, then write one PDF per valid agreement: DIR/<avtale.id>.pdf
    #[command(
        after_help = "Examples:\n  avtale build agreements/\n  avtale build -o pdf/ agreements/fjordvik-kommune.toml\n  avtale build --pdf-standard a-2b agreements/"
    )]
    Build(BuildArgs),
    /// Print what an agreement turns into, without writing a PDF
    #[command(
        after_help = "Examples:\n  avtale render agreements/fjordvik-kommune.toml --format typst\n  avtale render agreements/segment-kommuner/kommuner.toml --id KA-2026-S001 --format typst"
    )]
    Render(RenderArgs),
    /// Write the agreement source and manifest attached to a PDF back out, byte for byte
    #[command(after_help = "Examples:\n  avtale extract out/KA-2026-0012.pdf\n  avtale extract -o source/ signed.pdf")]
    Extract(ExtractArgs),
    /// Check that a PDF is what its agreement makes, list its signature fields, and preflight it
    #[command(
        after_help = "Examples:\n  avtale verify out/KA-2026-0012.pdf\n  avtale verify signed.pdf --agreement agreements/fjordvik-kommune.toml\n  avtale verify --preflight posten --format json out/KA-2026-0012.pdf"
    )]
    Verify(VerifyArgs),
    /// Show what changed between two versions of an agreement, in plain words and as a diff
    #[command(
        after_help = "Each side is a file or REV:PATH, a file as it is in a git revision.\n\nExamples:\n  avtale diff old.toml new.toml\n  avtale diff HEAD:agreements/fjordvik-kommune.toml agreements/fjordvik-kommune.toml\n  avtale diff --format json main:agreements/a.toml agreements/a.toml"
    )]
    Diff(crate::review::DiffArgs),
    /// List the agreements that reference a terms version, service or rights package
    #[command(
        after_help = "Examples:\n  avtale impact --terms iskr@2023-01 agreements/\n  avtale impact --service inntekt --package sbl agreements/\n  avtale impact agreements/"
    )]
    Impact(crate::review::ImpactArgs),
    /// Print the JSON Schema of agreement and segment files (for editors)
    #[command(after_help = "Examples:\n  avtale schema > schema/avtale.schema.json")]
    Schema,
    /// Write a new, commented agreement file to fill in
    #[command(
        after_help = "Every place to fill in is marked FYLL UT; the file fails `avtale check` until they are filled.\n\nExamples:\n  avtale new --orgnr 974760673 --navn \"Fjordvik kommune\" -o agreements/fjordvik.toml\n  avtale new --orgnr 974760673 --navn \"Nordlys Sparebank\" --tjeneste inntekt --id KA-2026-0100"
    )]
    New(NewArgs),
    /// Print shell completions
    #[command(
        after_help = "Examples:\n  avtale completions bash > /etc/bash_completion.d/avtale\n  avtale completions zsh > ~/.zfunc/_avtale"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    #[command(after_help = "Examples:\n  avtale man > avtale.1 && man ./avtale.1")]
    Man,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The consumer's organisation number (main unit)
    #[arg(long, value_name = "NUMBER")]
    pub orgnr: String,
    /// The consumer's registered name
    #[arg(long, value_name = "NAME")]
    pub navn: String,
    /// The agreement id (left to fill in when not given)
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The agreement date, YYYY-MM-DD [default: today]
    #[arg(long, value_name = "DATE")]
    pub dato: Option<chrono::NaiveDate>,
    /// The consumer is part of a segment: add a [segment] table to fill in
    #[arg(long)]
    pub segment: bool,
    /// The service to request (a catalogue id) [default: summertskattegrunnlag]
    #[arg(long, value_name = "ID")]
    pub tjeneste: Option<String>,
    /// Write to this file instead of standard output (never overwrites)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// A PDF built by avtale
    #[arg(value_name = "PDF")]
    pub pdf: PathBuf,
    /// Directory to write the files to
    #[arg(short = 'o', long = "output", value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Replace files that already exist
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preflight {
    /// Limits of Norwegian e-signing services: PDF 1.7 at most, 3 MB at most, A4 portrait,
    /// no encryption, no JavaScript, all fonts embedded, PDF/A identification
    Posten,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The PDF to verify
    #[arg(value_name = "PDF")]
    pub pdf: PathBuf,
    /// The agreement file to verify against (default: the source attached to the PDF)
    #[arg(long, value_name = "FILE")]
    pub agreement: Option<PathBuf>,
    /// Also check the limits of an e-signing service
    #[arg(long, value_enum)]
    pub preflight: Option<Preflight>,
    /// Form of the result
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    pub format: VerifyFormat,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Agreement or segment files, or directories to search for `*.toml`
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Directory the PDFs are written to
    #[arg(short = 'o', long = "output", value_name = "DIR", default_value = "out")]
    pub out_dir: PathBuf,
    #[command(flatten)]
    pub pdf: PdfArgs,
    /// Rebuild every PDF, even those that are up to date
    #[arg(long)]
    pub force: bool,
    /// Build only the K-th of N deterministic shares of the agreements, e.g. `2/4`
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::build::Shard>,
    /// Write a JSON report of every agreement (source, status, output, SHA-256, pages, diagnostics)
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print nothing but problems
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub output: Output,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug, Clone)]
pub struct PdfArgs {
    /// PDF standards to meet, comma-separated (1.7, 2.0, a-1b, a-1a, a-2b, a-2u, a-2a, a-3b, a-3u, a-3a, a-4, ua-1)
    /// [default: a-3a,ua-1; a-2a,ua-1 with --no-attachments]
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub pdf_standard: Option<Vec<String>>,
    /// Leave out the unsigned signature fields over the signature boxes
    #[arg(long)]
    pub no_signature_fields: bool,
    /// Leave out the attached agreement source and manifest (allows PDF/A-2)
    #[arg(long)]
    pub no_attachments: bool,
    /// Most pages one document may have; a longer one is an error
    #[arg(long, value_name = "N", default_value_t = crate::pdf::DEFAULT_MAX_PAGES as u64, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_pages: u64,
    /// Longest time in seconds the layout of one document may take; then the run stops with an error
    #[arg(long, value_name = "SECONDS", default_value_t = crate::pdf::DEFAULT_TIME_LIMIT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub time_limit: u64,
}

impl PdfArgs {
    pub fn settings(&self) -> crate::pdf::PdfSettings {
        let defaults = if self.no_attachments {
            crate::pdf::DEFAULT_STANDARDS_NO_ATTACHMENTS
        } else {
            crate::pdf::DEFAULT_STANDARDS
        };
        crate::pdf::PdfSettings {
            standards: self
                .pdf_standard
                .clone()
                .unwrap_or_else(|| defaults.iter().map(|s| s.to_string()).collect()),
            signature_fields: !self.no_signature_fields,
            attachments: !self.no_attachments,
        }
    }

    /// The page and time limits these flags set.
    pub fn limits(&self) -> crate::pdf::Limits {
        crate::pdf::Limits {
            max_pages: usize::try_from(self.max_pages).unwrap_or(usize::MAX),
            time: std::time::Duration::from_secs(self.time_limit),
            ..crate::pdf::Limits::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    /// The generated Typst source
    Typst,
    /// The whole agreement, appendices included, as plain text with stable line wrapping
    Text,
    /// The resolved agreement with the catalogue's facts and the terms fingerprints
    Json,
    /// One PNG per page, written to --output
    Png,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// An agreement or segment file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Pick one agreement of a segment file by its id
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// What to print
    #[arg(long, value_enum, default_value_t = RenderFormat::Typst)]
    pub format: RenderFormat,
    /// Directory for PNG pages (`--format png`)
    #[arg(short = 'o', long = "output", value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    #[command(flatten)]
    pub pdf: PdfArgs,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Use this catalogue instead of the built-in one (terms files are read beside it)
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<PathBuf>,
    /// Read templates, terms texts and the catalogue from this directory instead of the built-in ones
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// When to use colours in human output
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
}

#[derive(Args, Debug, Clone)]
pub struct Output {
    /// Form of the diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Agreement or segment files, or directories to search for `*.toml`
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: Output,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_TROUBLE } else { EXIT_OK };
        }
    };
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Build(args) => crate::build::build(&args),
        Command::Render(args) => crate::build::render(&args),
        Command::Extract(args) => crate::verify::extract(&args),
        Command::Verify(args) => crate::verify::verify(&args),
        Command::Diff(args) => crate::review::diff(&args),
        Command::Impact(args) => crate::review::impact(&args),
        Command::Schema => {
            print!("{}", crate::schema::schema_json());
            EXIT_OK
        }
        Command::New(args) => new(&args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "avtale", &mut std::io::stdout());
            EXIT_OK
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    eprintln!("error: {e}");
                    EXIT_TROUBLE
                }
            }
        }
    }
}

/// The catalogue and template source a run works with.
pub struct Setup {
    pub assets: Assets,
    pub catalogue: Catalogue,
}

/// Load the catalogue; on failure print located errors and return the exit status.
pub fn setup(common: &Common) -> Result<Setup, i32> {
    let assets = match &common.templates {
        Some(dir) => match Assets::from_dir(dir) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                return Err(EXIT_TROUBLE);
            }
        },
        None => Assets::Embedded,
    };
    let (cat_assets, cat_name) = match &common.catalogue {
        Some(file) => {
            let dir = file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match Assets::from_dir(dir) {
                Ok(a) => (a, name),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Err(EXIT_TROUBLE);
                }
            }
        }
        None => (assets.clone(), CATALOGUE_FILE.to_string()),
    };
    let mut sources = Sources::default();
    match Catalogue::load(&cat_assets, &cat_name, &mut sources) {
        Ok(catalogue) => Ok(Setup { assets, catalogue }),
        Err(errors) => {
            let mut out = stderr(common.color);
            let _ = diag::emit(&mut out, Format::Human, &sources, &errors);
            let _ = writeln!(out, "error: the catalogue is broken; nothing was checked");
            Err(EXIT_TROUBLE)
        }
    }
}

fn color_choice(c: Color, tty: bool) -> ColorChoice {
    match c {
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
        Color::Auto if tty && std::env::var_os("NO_COLOR").is_none() => ColorChoice::Auto,
        Color::Auto => ColorChoice::Never,
    }
}

pub fn stdout(c: Color) -> StandardStream {
    StandardStream::stdout(color_choice(c, std::io::stdout().is_terminal()))
}

pub fn stderr(c: Color) -> StandardStream {
    StandardStream::stderr(color_choice(c, std::io::stderr().is_terminal()))
}

/// Print diagnostics and tool errors, then return the exit status for them. The summary
/// line is left out when `show_summary` is false (quiet builds) and there is nothing wrong.
pub fn report(common: &Common, output: &Output, run: &load::Run, verb: &str, show_summary: bool) -> i32 {
    let diags = run.all_diags();
    let mut out = stdout(common.color);
    let _ = diag::emit(&mut out, output.format, &run.sources, &diags);
    let _ = out.flush();
    for e in &run.tool_errors {
        eprintln!("error: {e}");
    }
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    if show_summary || !diags.is_empty() || !run.tool_errors.is_empty() {
        eprintln!(
            "{verb} {} {}, {} {}: {} {}, {} {}",
            run.files,
            plural(run.files, "file", "files"),
            run.agreements.len(),
            plural(run.agreements.len(), "agreement", "agreements"),
            errors,
            plural(errors, "error", "errors"),
            warnings,
            plural(warnings, "warning", "warnings"),
        );
    }
    if !run.tool_errors.is_empty() {
        EXIT_TROUBLE
    } else if errors > 0 || (output.deny_warnings && warnings > 0) {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn new(args: &NewArgs) -> i32 {
    let setup = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some(t) = &args.tjeneste
        && setup.catalogue.service(t).is_none()
    {
        eprintln!("error: unknown service `{t}`");
        return EXIT_TROUBLE;
    }
    let opts = crate::scaffold::NewOptions {
        orgnr: args.orgnr.clone(),
        navn: args.navn.clone(),
        id: args.id.clone(),
        dato: args.dato.unwrap_or_else(|| chrono::Utc::now().date_naive()),
        segment: args.segment,
        tjeneste: args.tjeneste.clone(),
    };
    let text = crate::scaffold::new_agreement_with_catalogue(&opts, &setup.catalogue);
    match &args.output {
        None => {
            print!("{text}");
            EXIT_OK
        }
        Some(path) if path.exists() => {
            eprintln!("error: {} exists; new never overwrites a file", path.display());
            EXIT_TROUBLE
        }
        Some(path) => match crate::build::write_new(path, text.as_bytes()) {
            Ok(()) => {
                eprintln!(
                    "wrote {}; fill in every FYLL UT, then run avtale check {}",
                    path.display(),
                    path.display()
                );
                EXIT_OK
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                EXIT_TROUBLE
            }
        },
    }
}

fn check(args: &CheckArgs) -> i32 {
    let setup = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let run = load::load(&args.paths, &setup.catalogue);
    report(&args.common, &args.output, &run, "checked", true)
}
