//! The command line: parse the arguments, turn them into the commands' plain options, run
//! the command on the terminal, and turn its outcome into the exit status. The only place
//! that decides an exit status or writes `error: …`.

pub mod args;
pub mod config;
mod convert;
mod parse_error;
mod terminal;

use clap::Parser;

use crate::base::i18n::Lang;
use crate::cli::args::{Cli, Command, LangArg, ManArgs};
use crate::cli::config::Config;
use crate::cli::terminal::Terminal;
use crate::commands::{self, CommandResult, Console, Outcome};

/// Exit status when every agreement is fine.
pub const EXIT_OK: i32 = 0;
/// Exit status when any agreement has an error.
pub const EXIT_INVALID: i32 = 1;
/// Exit status when the tool could not do its job.
pub const EXIT_TROUBLE: i32 = 2;

/// Run the command line of this process; the exit status.
pub fn main() -> i32 {
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            match parse_error::render(&e, parse_error::lang_of(&args, || lang(None))) {
                Some(text) => eprint!("{text}"),
                None => {
                    let _ = e.print();
                }
            }
            return if e.use_stderr() { EXIT_TROUBLE } else { EXIT_OK };
        }
    };
    let mut terminal = Terminal::new(cli.color, lang(cli.lang));
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let config = match Config::find(&cwd) {
        Ok(c) => c,
        Err(e) => return exit_status(&mut terminal, Err(commands::Failure::new(e))),
    };
    let result = run(&mut terminal, cli.command, &config);
    exit_status(&mut terminal, result)
}

/// Run one parsed command.
fn run(console: &mut dyn Console, command: Command, cfg: &Config) -> CommandResult {
    match command {
        Command::Check(a) => commands::check::run(console, &convert::check(a, cfg)),
        Command::Build(a) => commands::build::run(console, &convert::build(a, cfg)),
        Command::Render(a) => commands::render::run(console, &convert::render(a, cfg)),
        Command::Extract(a) => commands::extract::run(console, &convert::extract(a)),
        Command::Verify(a) => commands::verify::run(console, &convert::verify(a, cfg)),
        Command::Sign(a) => commands::sign::run(console, &convert::sign(a)),
        Command::Diff(a) => commands::diff::run(console, &convert::diff(a, cfg)),
        Command::Impact(a) => commands::impact::run(console, &convert::impact(a, cfg)),
        Command::Schema => commands::schema::run(console),
        Command::New(a) => commands::new::run(console, &convert::new(a, cfg)),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "avtale", console.out());
            Ok(Outcome::Ok)
        }
        Command::Man(a) => man(console, &a),
        Command::Watch(a) => commands::watch::run(console, &convert::watch(a, cfg)),
        Command::Serve(a) => commands::serve::run(console, &convert::serve(a, cfg)),
    }
}

/// The exit status of a command's result, saying first why it failed, if it did.
fn exit_status(console: &mut dyn Console, result: CommandResult) -> i32 {
    match result {
        Ok(Outcome::Ok) => EXIT_OK,
        Ok(Outcome::Invalid) => EXIT_INVALID,
        Ok(Outcome::Trouble) => EXIT_TROUBLE,
        Err(failure) => {
            let lang = console.lang();
            for message in &failure.0 {
                console.error(&message.render(lang));
            }
            EXIT_TROUBLE
        }
    }
}

/// The language of messages: `--lang`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`),
/// else English.
fn lang(flag: Option<LangArg>) -> Lang {
    match flag {
        Some(LangArg::Nb) => Lang::Nb,
        Some(LangArg::En) => Lang::En,
        None => {
            let var = |name| std::env::var(name).ok();
            let values = [var("LC_ALL"), var("LC_MESSAGES"), var("LANG")];
            Lang::from_locale_env([values[0].as_deref(), values[1].as_deref(), values[2].as_deref()])
        }
    }
}

/// The manual page of the tool or of one subcommand, or every page written into a directory.
fn man(console: &mut dyn Console, args: &ManArgs) -> CommandResult {
    let cmd = <Cli as clap::CommandFactory>::command();
    let fail = |e: std::io::Error| commands::Failure::new(e.to_string());
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).map_err(fail)?;
        clap_mangen::generate_to(cmd, dir).map_err(fail)?;
        return Ok(Outcome::Ok);
    }
    let page = match &args.subcommand {
        None => clap_mangen::Man::new(cmd),
        Some(name) => {
            let sub = cmd
                .find_subcommand(name)
                .ok_or_else(|| commands::Failure::new(crate::msg!("cli-no-subcommand", name = name)))?
                .clone();
            clap_mangen::Man::new(sub).title(format!("avtale-{name}"))
        }
    };
    match page.render(console.out()) {
        // A reader that stops early (`| head`) is not a failure.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(fail(e)),
        _ => Ok(Outcome::Ok),
    }
}
