//! Every clap type of the command line: subcommands, flags and their help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::batch::plan::Shard;
use crate::document::settings::{DEFAULT_MAX_PAGES, DEFAULT_TIME_LIMIT_SECS};

#[derive(Parser, Debug)]
#[command(
    name = "avtale",
    version,
    long_version = LONG_VERSION,
    about = "Check consumer agreements for data sharing with Skatteetaten and build them into PDF",
    after_help = "Examples:\n  avtale check agreements/\n  avtale check --diagnostic-format github agreements/\n  avtale build agreements/"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to use colours in human output (before or after the subcommand)
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// Language of messages: nb (bokmål) or en; default from LC_ALL, LC_MESSAGES or LANG
    #[arg(long, value_enum, global = true)]
    pub lang: Option<LangArg>,
}

/// The Typst version the PDFs are made with: the same input gives the same bytes only with
/// the same Typst, so `--version` names it (a test holds it to Cargo.lock).
pub const TYPST_VERSION: &str = "0.15.1";

/// `avtale --version`: the tool's version and the Typst version.
pub const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (typst 0.15.1)");

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate agreement and segment files; writes nothing
    #[command(
        after_help = "Examples:\n  avtale check agreements/\n  avtale check --diagnostic-format short --deny-warnings a.toml b.toml"
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
    /// Sign a signature field of a PDF with an enterprise certificate (PAdES baseline B-B)
    #[command(
        after_help = "The password of the PKCS#12 file is asked for, or read with --password-env or --password-file.\n\nExamples:\n  avtale sign out/KA-2026-0012.pdf --field signatar-1 --p12 virksomhet.p12 -o signert.pdf\n  AVTALE_P12_PASSWORD=... avtale sign a.pdf --field signatar-2 --p12 v.p12 --password-env AVTALE_P12_PASSWORD -o b.pdf"
    )]
    Sign(SignArgs),
    /// Show what changed between two versions of an agreement, in plain words and as a diff
    #[command(
        after_help = "Each side is a file or REV:PATH, a file as it is in a git revision.\n\nExamples:\n  avtale diff old.toml new.toml\n  avtale diff HEAD:agreements/fjordvik-kommune.toml agreements/fjordvik-kommune.toml\n  avtale diff --format json main:agreements/a.toml agreements/a.toml"
    )]
    Diff(DiffArgs),
    /// List the agreements that reference a terms version, service or rights package
    #[command(
        after_help = "Examples:\n  avtale impact --terms iskr@2023-01 agreements/\n  avtale impact --service inntekt --package sbl agreements/\n  avtale impact agreements/"
    )]
    Impact(ImpactArgs),
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
    /// Print the manual page (roff), of the tool or of one subcommand, or write them all
    #[command(
        after_help = "Examples:\n  avtale man > avtale.1 && man ./avtale.1\n  avtale man build > avtale-build.1\n  avtale man --dir man/"
    )]
    Man(ManArgs),
    /// Build, then rebuild what changed on every save and print the diagnostics each time
    #[command(
        after_help = "Stops with Ctrl-C; problems in a file are shown and watching goes on.\n\nExamples:\n  avtale watch agreements/\n  avtale watch -o pdf/ agreements/fjordvik-kommune.toml"
    )]
    Watch(WatchArgs),
    /// Edit agreements in the browser: a form with live checks and preview (local web editor)
    #[command(
        after_help = "Listens on 127.0.0.1 only and prints the address with a random access token, new on every start.\nStops with Ctrl-C.\n\nExamples:\n  avtale serve agreements/\n  avtale serve --open --port 8080 agreements/"
    )]
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The directory of agreement files to edit
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Port on 127.0.0.1 (0: any free port)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,
    /// Open the editor in the default browser
    #[arg(long)]
    pub open: bool,
    /// Where `build` writes PDFs, to say whether each is current [default: out]
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    #[command(flatten)]
    pub pdf: PdfArgs,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print (default: the tool's own page)
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
    /// Write every page (`avtale.1`, `avtale-<subcommand>.1`) into this directory instead
    #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
    pub dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    /// Stop after this many rebuilds (for scripts and tests)
    #[arg(long, value_name = "N", hide = true)]
    pub max_rebuilds: Option<usize>,
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
    /// A trust anchor for signatures: a certificate file (PEM or DER, may hold several);
    /// repeat for more. A signature counts as trusted only with a chain to one of them
    #[arg(long, value_name = "FILE")]
    pub trust: Vec<PathBuf>,
    /// Form of the result
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    pub format: VerifyFormat,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// The PDF to sign (built by avtale, or already signed in other fields)
    #[arg(value_name = "PDF")]
    pub pdf: PathBuf,
    /// The signature field to fill, e.g. `signatar-1`
    #[arg(long, value_name = "NAME")]
    pub field: String,
    /// The enterprise certificate (virksomhetssertifikat) with its private key, as PKCS#12
    #[arg(long, value_name = "FILE")]
    pub p12: PathBuf,
    /// Read the PKCS#12 password from this environment variable (default: ask for it)
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// Read the PKCS#12 password from the first line of this file (default: ask for it)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Write the signed PDF here (never over the input or an existing file)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Agreement or segment files, or directories to search for `*.toml`
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Directory the PDFs are written to
    /// [default: `output` of .avtale.toml, else `out`]
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    #[command(flatten)]
    pub pdf: PdfArgs,
    /// Rebuild every PDF, even those that are up to date
    #[arg(long)]
    pub force: bool,
    /// Build only the K-th of N deterministic shares of the agreements, e.g. `2/4`
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
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
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PAGES as u64, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_pages: u64,
    /// Longest time in seconds the layout of one document may take; then the run stops with an error
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIME_LIMIT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub time_limit: u64,
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
}

#[derive(Args, Debug, Clone)]
pub struct Output {
    /// Form of the diagnostics
    #[arg(
        long = "diagnostic-format",
        visible_alias = "format",
        value_name = "FORMAT",
        value_enum,
        default_value_t = DiagnosticFormat::Human
    )]
    pub format: DiagnosticFormat,
    /// Treat warnings as errors
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Agreement or segment files, or directories to search for `*.toml`; `-` reads one
    /// agreement from standard input
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The file name to report for standard input (`-`); a segment's member list is read
    /// beside it
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
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

/// Language of the tool's messages: Norwegian bokmål or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Nb,
    En,
}

/// Form of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    Human,
    Short,
    Json,
    Github,
    // One SARIF 2.1.0 document, for GitHub code scanning.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The old version: a file, or REV:PATH for a file in a git revision
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new version: a file, or REV:PATH
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Form of the result
    #[arg(long, value_enum, default_value_t = ReviewFormat::Human)]
    pub format: ReviewFormat,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct ImpactArgs {
    /// Agreement or segment files, or directories to search
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// A terms version, as DOCUMENT@VERSION (e.g. `iskr@2023-01`, `delingsvilkaar@2020-06`)
    #[arg(long, value_name = "DOC@VERSION")]
    pub terms: Option<String>,
    /// A service id (e.g. `inntekt`)
    #[arg(long, value_name = "ID")]
    pub service: Option<String>,
    /// A rights package (e.g. `sbl`)
    #[arg(long, value_name = "ID")]
    pub package: Option<String>,
    /// Form of the result
    #[arg(long, value_enum, default_value_t = ReviewFormat::Human)]
    pub format: ReviewFormat,
    #[command(flatten)]
    pub common: Common,
}
