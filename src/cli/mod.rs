//! The command line: the only place that knows about arguments, terminals, the user's paths and exit statuses.

/// Prints an informational line on stderr, unless `--quiet`.
/// One line on stderr, unless `--quiet`; whatever data it holds, control characters are shown, never acted on.
macro_rules! note {
    ($ctx:expr, $($arg:tt)*) => {
        if !$ctx.quiet {
            eprintln!("{}", ::envparity_judge::report::escape::terminal(&format!($($arg)*)));
        }
    };
}

mod collect;
mod diff;
mod drift;
mod kinds;
mod merge;
mod output;
mod plan;
mod policy;
mod schema;
mod setup;
mod show;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};

use envparity_judge::policy::Policy;
use envparity_judge::report::{RenderOptions, Status};
use envparity_model::catalog::CATALOGUE;
use envparity_model::diagnostic::FileError;
use envparity_model::snapshot::Snapshot;

/// Exit statuses, the contract scripts rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Parity holds: nothing at or above `--fail-on`.
    Parity = 0,
    /// Violations at or above `--fail-on`.
    Violations = 1,
    /// Bad invocation or bad input (config, policy, snapshot).
    BadInput = 2,
    /// Incomplete data: something could not be read, so no verdict is given. Outranks 1.
    Incomplete = 3,
}

impl From<Status> for Exit {
    fn from(status: Status) -> Exit {
        match status {
            Status::Parity => Exit::Parity,
            Status::Violations => Exit::Violations,
            Status::Incomplete => Exit::Incomplete,
        }
    }
}

const AFTER_HELP: &str = "\
Exit status: 0 parity, 1 violations at or above --fail-on, 2 bad invocation or input, 3 incomplete data.

Examples:
  envparity diff snapshots/staging.json snapshots/prod.json
  envparity diff staging.json prod.json --policy mine.toml --format markdown
  envparity diff last-week.json today.json --policy drift
  envparity show snapshots/prod.json --kind 'aws.rds.*'
  envparity policy check my-policy.toml";

/// Proves that a staging environment mirrors production, or shows exactly where it does not.
#[derive(Debug, Parser)]
#[command(name = "envparity", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// When to colour output: auto colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print only the report and errors: no progress, no summaries on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Log more on stderr: -v what is collected, -vv every API call, -vvv everything (RUST_LOG overrides).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

/// A choice among one of the library's enums, named and documented as the library names and documents it, so
/// that the library needs no clap.
fn choice<E>() -> impl clap::builder::TypedValueParser<Value = E>
where
    E: strum::IntoEnumIterator
        + strum::EnumMessage
        + Into<&'static str>
        + std::str::FromStr
        + Clone
        + Send
        + Sync,
    E: 'static,
{
    let values = E::iter().map(|value| {
        let help = value.get_documentation().map(|doc| doc.trim_end_matches('.'));
        let name: &'static str = value.into();
        clap::builder::PossibleValue::new(name).help(help)
    });
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(values).map(|name| match name.parse::<E>() {
        Ok(value) => value,
        Err(_) => unreachable!("clap accepts only the names the enum gave it"),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Judge the differences between two snapshots under a policy.
    Diff(diff::Args),
    /// Collect one environment into a snapshot (exit 3 when something could not be read).
    Collect(collect::CollectArgs),
    /// Collect both environments concurrently, keep both snapshots, and judge them as `diff` does.
    Audit(collect::AuditArgs),
    /// Show what a snapshot holds: sources, gaps, counts by kind and its resources.
    Show(show::Args),
    /// Compare the newest snapshot of one environment with the one before it (drift policy).
    Drift(drift::Args),
    /// Merge snapshots of one environment collected separately (shards, accounts, regions) into one.
    Merge(merge::Args),
    /// Show an environment's (account, region) units and the shard that collects each (--format json for a matrix).
    Plan(plan::Args),
    /// Work with policy files.
    #[command(subcommand)]
    Policy(policy::Command),
    /// List the kinds of resources envparity collects, or one kind's fields.
    Kinds(kinds::Args),
    /// Print the JSON Schema of a file format.
    Schema(schema::Args),
    /// Write a commented envparity.toml and a policy.toml to start from.
    Init(setup::InitArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    Completions(setup::CompletionsArgs),
    /// Print the man page (roff).
    Man,
    /// Evaluate Rego rules for a parent envparity, under its limits (started by envparity itself).
    #[command(name = "rego-worker", hide = true)]
    RegoWorker,
}

/// Runs the command line and returns the process exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { Exit::BadInput as u8 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let color = cli.color;
    init_logging(cli.verbose, color);
    let exit = match run(cli) {
        Ok(exit) => exit,
        Err(err) => {
            report_error(&err, color);
            Exit::BadInput
        }
    };
    ExitCode::from(exit as u8)
}

/// Logs go to stderr, never stdout: reports stay parseable. `RUST_LOG` takes precedence over `-v`.
fn init_logging(verbose: u8, color: ColorChoice) {
    let level = match verbose {
        0 => "envparity=warn",
        1 => "envparity=info",
        2 => "envparity=debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let ctx = Context { color, quiet: false };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ctx.color_stderr())
        .try_init();
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    let ctx = Context {
        color: cli.color,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Diff(args) => diff::run(args, &ctx),
        Command::Collect(args) => collect::run_collect(args, &ctx),
        Command::Audit(args) => collect::run_audit(args, &ctx),
        Command::Show(args) => show::run(args, &ctx),
        Command::Merge(args) => merge::run(args, &ctx),
        Command::Plan(args) => plan::run(args, &ctx),
        Command::Drift(args) => drift::run(args, &ctx),
        Command::Policy(cmd) => policy::run(cmd, &ctx),
        Command::Kinds(args) => kinds::run(args, &ctx),
        Command::Schema(args) => schema::run(args, &ctx),
        Command::Init(args) => setup::init(args, &ctx),
        Command::Completions(args) => setup::completions(args, &ctx),
        Command::Man => setup::man(&ctx),
        Command::RegoWorker => {
            let (stdin, stdout) = (std::io::stdin().lock(), std::io::stdout());
            envparity_judge::engine::rego::worker::serve(stdin, stdout)
                .map_err(|e| anyhow::anyhow!("rego-worker: {e}"))?;
            Ok(Exit::Parity)
        }
    }
}

/// What every subcommand may need to know about how it was called.
struct Context {
    color: ColorChoice,
    quiet: bool,
}

impl Context {
    /// Whether to colour output written to stdout.
    fn color_stdout(&self) -> bool {
        self.wants_color(std::io::stdout().is_terminal())
    }

    fn color_stderr(&self) -> bool {
        self.wants_color(std::io::stderr().is_terminal())
    }

    fn wants_color(&self, terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// Render options for stdout: colour as chosen, tables wrapped to the terminal's width.
    fn render_options(&self) -> RenderOptions {
        let width = std::io::stdout()
            .is_terminal()
            .then(|| comfy_table::Table::new().width())
            .flatten();
        RenderOptions {
            color: self.color_stdout(),
            width,
        }
    }
}

fn report_error(err: &anyhow::Error, color: ColorChoice) {
    let ctx = Context { color, quiet: false };
    let mut stderr = std::io::stderr().lock();
    if let Some(file_error) = err.downcast_ref::<FileError>() {
        let _ = writeln!(stderr, "{}", file_error.render(ctx.color_stderr()));
        return;
    }
    let prefix = if ctx.color_stderr() {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    let message = format!("{err:#}");
    let _ = writeln!(
        stderr,
        "{prefix}: {}",
        envparity_judge::report::escape::visible(&message, true)
    );
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("cannot write to stdout"),
        _ => Ok(()),
    }
}

/// A snapshot from a file or an S3 object, gzipped or not. A policy or a config given in its place is named as such.
fn read_snapshot(path: &Path) -> anyhow::Result<Snapshot> {
    let read = envparity_collect::store::read_snapshot(path);
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") if read.is_err() => anyhow::bail!(
            "{}: not a snapshot but a TOML file: a policy is given with --policy, a config with --config",
            path.display()
        ),
        _ => Ok(read?),
    }
}

/// `--as-of`: a date as YYYY-MM-DD, the format named when it is not one.
fn date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse::<jiff::civil::Date>()
        .map_err(|_| "expected a date as YYYY-MM-DD, such as 2026-12-01".to_owned())
}

/// Loads `--policy`: a file if one exists at that path, else a shipped policy by name, else the default.
fn load_policy(arg: Option<&Path>) -> anyhow::Result<Policy> {
    let Some(path) = arg else {
        return Ok(Policy::builtin("default", &CATALOGUE).expect("the default policy is shipped"));
    };
    if !path.exists()
        && let Some(policy) = path.to_str().and_then(|name| Policy::builtin(name, &CATALOGUE))
    {
        return Ok(policy);
    }
    let text = std::fs::read_to_string(path).with_context(|| {
        let names: Vec<&str> = envparity_judge::policy::BUILTIN.iter().map(|(n, _)| *n).collect();
        format!(
            "cannot read policy {} (give a policy file, or a shipped policy: {})",
            path.display(),
            names.join(", ")
        )
    })?;
    Ok(Policy::parse(
        envparity_model::diagnostic::without_bom(&text),
        &path.display().to_string(),
        &CATALOGUE,
    )?)
}

/// Today's date in UTC: the day waivers are judged against unless `--as-of` says otherwise.
fn today_utc() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
}

/// Writes `text` to `--output` atomically, or prints it.
fn emit(text: &str, output: Option<&PathBuf>) -> anyhow::Result<()> {
    match output {
        Some(path) => envparity_files::atomic::write(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display())),
        None => print(text),
    }
}
