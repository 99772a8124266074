//! Commands that set envparity up rather than judge anything: `init`, `completions`, `man`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::CommandFactory;

use super::{Cli, Context, Exit, print};

/// The documented example, from which `init`'s configuration is made (see [`init_config`]).
const CONFIG: &str = include_str!("../../examples/envparity.toml");

/// The example's keys that name things of the example's own (an account's role, paths, files), and its
/// organisation environment: commented out in what `init` writes, so that a config whose profiles alone are
/// edited never audits the example's account 111111111111.
const PLACEHOLDERS: &[&str] = &["role_arn", "external_id", "ssm_paths", "config_files"];
const PLACEHOLDER_ENVIRONMENT: &str = "[environments.prod-fleet]";

/// The configuration `init` writes: the example, its placeholders commented out.
fn init_config() -> String {
    let mut out = String::from(
        "# Written by `envparity init`. Keys that name the example's own accounts, paths and files are commented\n\
         # out: uncomment each once it names yours. Set the profiles and regions, then run `envparity audit`.\n",
    );
    let mut in_placeholder_table = false;
    for line in CONFIG.lines() {
        if line.starts_with('[') {
            in_placeholder_table = line.trim() == PLACEHOLDER_ENVIRONMENT;
        }
        let key = line.split('=').next().unwrap_or_default().trim();
        let placeholder = in_placeholder_table || PLACEHOLDERS.contains(&key);
        match placeholder && !line.trim_start().starts_with('#') && !line.trim().is_empty() {
            true => out.push_str(&format!("# {line}\n")),
            false => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

/// The policy `init` writes: the shipped default plus room for the team's own rules and waivers.
const POLICY: &str = r#"# This team's policy: the shipped default policy, plus the rules and waivers below.
# Rules here are tried before the shipped ones; a rule with the id of a shipped rule replaces it.
# Check it with: envparity policy check policy.toml

[policy]
name = "staging-mirrors-prod"
extends = "default"
fail_on = "error"

# [[rule]]
# id = "db-engine-version"
# kinds = ["aws.rds.*"]
# fields = ["engine_version"]
# expect = "version"
# granularity = "major"
# severity = "error"
# why = "Staging must run the database major version that prod runs."

# [[waiver]]
# rule = "engine-version"
# key = "reporting-{env}-db"
# reason = "major upgrade rehearsal, ticket OPS-812"
# owner = "data-platform"
# expires = "2027-01-31"
"#;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to write envparity.toml and policy.toml into.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Overwrite files that exist.
    #[arg(long)]
    force: bool,
}

pub(super) fn init(args: InitArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let config = init_config();
    let files = [("envparity.toml", config.as_str()), ("policy.toml", POLICY)];
    for (name, _) in files {
        let path = args.dir.join(name);
        if path.exists() && !args.force {
            anyhow::bail!(
                "{} exists; keep it, or pass --force to overwrite it",
                path.display()
            );
        }
    }
    std::fs::create_dir_all(&args.dir).with_context(|| format!("cannot create {}", args.dir.display()))?;
    for (name, text) in files {
        let path = args.dir.join(name);
        envparity_files::atomic::write(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        note!(ctx, "wrote {}", path.display());
    }
    note!(
        ctx,
        "next: set the profiles, regions and paths in envparity.toml, then run `envparity audit`"
    );
    Ok(Exit::Parity)
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub(super) fn completions(args: CompletionsArgs, _ctx: &Context) -> anyhow::Result<Exit> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "envparity", &mut out);
    print(&String::from_utf8(out).context("completions are text")?)?;
    Ok(Exit::Parity)
}

pub(super) fn man(_ctx: &Context) -> anyhow::Result<Exit> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .context("cannot render the man page")?;
    print(&String::from_utf8(out).context("the man page is text")?)?;
    Ok(Exit::Parity)
}
