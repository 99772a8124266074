//! `envparity diff STAGING PROD`: judge two snapshots under a policy.

use std::path::PathBuf;

use std::path::Path;

use anyhow::Context as _;

use super::{Context, Exit, emit, load_policy, read_snapshot, today_utc};
use envparity_judge::engine::Options;
use envparity_judge::policy::{FailOn, Policy};
use envparity_judge::report::{self, Format, Report, Resolved};
use envparity_model::snapshot::Snapshot;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  envparity diff snapshots/staging.json snapshots/prod.json
  envparity diff staging.json prod.json --format json --output report.json
  envparity diff last-week.json today.json --policy drift")]
pub struct Args {
    /// The staging snapshot (or, for drift, the earlier one).
    staging: PathBuf,
    /// The prod snapshot (or, for drift, the newer one).
    prod: PathBuf,
    /// A tag whose value pairs resources across environments, such as Service. It replaces the keys the snapshots
    /// store.
    #[arg(long, value_name = "TAG")]
    key_tag: Option<String>,
    /// Name segments that stand for staging's environment (comma-separated), replacing the keys its snapshot stores.
    /// Default: the stored keys; for resources without one, its name and common spellings.
    #[arg(long, value_name = "TOKENS", value_delimiter = ',')]
    staging_tokens: Option<Vec<String>>,
    /// Name segments that stand for prod's environment (comma-separated), replacing the keys its snapshot stores.
    /// Default: the stored keys; for resources without one, its name and common spellings.
    #[arg(long, value_name = "TOKENS", value_delimiter = ',')]
    prod_tokens: Option<Vec<String>>,
    #[command(flatten)]
    judgement: Judgement,
}

/// How two snapshots are judged and reported: shared by `diff` and `audit`.
#[derive(Debug, clap::Args)]
pub struct Judgement {
    /// A policy file, or a shipped policy by name (default, drift). Default: the shipped default policy.
    #[arg(long, short)]
    policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_parser = super::choice::<Format>(), default_value = "table")]
    format: Format,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Also write the report in FORMAT to PATH (atomically), beside --format/--output: repeatable, such as
    /// `--report sarif=envparity.sarif --report html=report.html`.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = report_target)]
    reports: Vec<(Format, PathBuf)>,
    /// Fail (exit 1) on findings of this severity or worse; overrides the policy's `fail_on`.
    #[arg(long, value_parser = super::choice::<FailOn>())]
    fail_on: Option<FailOn>,
    /// Judge waivers as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_name = "DATE", value_parser = super::date)]
    as_of: Option<jiff::civil::Date>,
    /// An earlier JSON report: mark each finding new or known, and list what was resolved since.
    #[arg(long, value_name = "REPORT")]
    baseline: Option<PathBuf>,
}

/// The judgement's flags resolved once, before any work: the policy read, the date fixed, the baseline read.
pub(super) struct Settled {
    pub policy: Policy,
    pub today: jiff::civil::Date,
    fail_on: FailOn,
    format: Format,
    output: Option<PathBuf>,
    /// Every `--report FORMAT=PATH`.
    reports: Vec<(Format, PathBuf)>,
    baseline: Option<Vec<Resolved>>,
    /// With a history (`audit --history`): the earlier runs, oldest first; this run is added to them.
    pub trend: Option<Vec<report::TrendPoint>>,
}

/// `FORMAT=PATH` of `--report`.
fn report_target(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not FORMAT=PATH (such as sarif=envparity.sarif)"))?;
    let format: Format = format.parse().map_err(|_| {
        let names: Vec<&str> = <Format as strum::VariantNames>::VARIANTS.to_vec();
        format!("{format:?} is not a format: {}", names.join(", "))
    })?;
    match path.is_empty() {
        true => Err(format!("{text:?} names no file after `=`")),
        false => Ok((format, PathBuf::from(path))),
    }
}

impl Judgement {
    /// Resolves the flags; `fallback_policy` applies when `--policy` is not given (the config's policy, or
    /// `drift` for `envparity drift`). `--output` is checked against `inputs` (and the policy and baseline
    /// files): an output that would destroy an input is refused before any work.
    pub(super) fn settle(&self, fallback_policy: Option<&Path>, inputs: &[&Path]) -> anyhow::Result<Settled> {
        let given = [self.policy.as_deref(), self.baseline.as_deref()];
        let inputs: Vec<&Path> = inputs
            .iter()
            .copied()
            .chain(given.into_iter().flatten())
            .collect();
        let outputs: Vec<&Path> = self
            .output
            .iter()
            .chain(self.reports.iter().map(|(_, path)| path))
            .map(PathBuf::as_path)
            .collect();
        for (i, output) in outputs.iter().enumerate() {
            super::output::check(output, &inputs)?;
            // Two reports into one file would leave only the last.
            if outputs[..i].iter().any(|earlier| earlier == output) {
                anyhow::bail!("{} is named as the output of two reports", output.display());
            }
        }
        let policy = load_policy(self.policy.as_deref().or(fallback_policy))?;
        let baseline = self.baseline.as_deref().map(read_baseline).transpose()?;
        Ok(Settled {
            fail_on: self.fail_on.unwrap_or(policy.fail_on),
            policy,
            today: self.as_of.unwrap_or_else(today_utc),
            format: self.format,
            output: self.output.clone(),
            reports: self.reports.clone(),
            baseline,
            trend: None,
        })
    }
}

/// The findings of an earlier JSON report, for `--baseline`.
fn read_baseline(path: &Path) -> anyhow::Result<Vec<Resolved>> {
    #[derive(serde::Deserialize)]
    struct Earlier {
        findings: Vec<Resolved>,
    }
    let text = envparity_collect::store::read(path).context("cannot read baseline report")?;
    let invalid = || {
        format!(
            "{}: not an envparity JSON report ({})",
            path.display(),
            report::SCHEMA
        )
    };
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&text);
    #[derive(serde::Deserialize)]
    struct Probe {
        schema: Option<String>,
    }
    // A snapshot given where the report belongs is the likely mistake: say that, not which field is missing.
    if let Ok(Probe { schema: Some(schema) }) = serde_json::from_slice(text)
        && schema != report::SCHEMA
    {
        let what = match schema == envparity_model::snapshot::SCHEMA {
            true => "an envparity snapshot, not a report".to_owned(),
            false => format!("schema {schema:?}, not an envparity report"),
        };
        anyhow::bail!(
            "{}: {what}: --baseline takes the JSON report (--format json) of an earlier run",
            path.display()
        );
    }
    let earlier: Earlier = serde_json::from_slice(text).with_context(invalid)?;
    Ok(earlier.findings)
}

pub(super) fn run(args: Args, ctx: &Context) -> anyhow::Result<Exit> {
    let settled = args.judgement.settle(None, &[&args.staging, &args.prod])?;
    // The two files are independent: read and parse them side by side.
    let (staging, prod) = std::thread::scope(|scope| {
        let staging = scope.spawn(|| read_snapshot(&args.staging));
        let prod = read_snapshot(&args.prod);
        (staging.join().expect("reading a snapshot does not panic"), prod)
    });
    let (staging, prod) = (staging?, prod?);
    let mut options = Options::for_snapshots(&staging, &prod, settled.today);
    // A key flag re-keys the side it names: the same rule collection applies, in place of the stored keys.
    for (rule, tokens) in [
        (&mut options.staging_keys, args.staging_tokens),
        (&mut options.prod_keys, args.prod_tokens),
    ] {
        rule.key_tag = args.key_tag.clone();
        rule.rekey = args.key_tag.is_some() || tokens.is_some();
        if let Some(tokens) = tokens {
            rule.tokens = tokens;
        }
    }
    Ok(judge(&staging, &prod, &options, &settled, ctx)?.exit)
}

/// A judged pair: the report, and the exit status its verdict gives.
pub(super) struct Judged {
    pub report: Report,
    pub exit: Exit,
}

/// Judges, renders and writes the report; the exit status follows its verdict.
pub(super) fn judge(
    staging: &Snapshot,
    prod: &Snapshot,
    options: &Options,
    settled: &Settled,
    ctx: &Context,
) -> anyhow::Result<Judged> {
    publish(decide(staging, prod, options, settled), settled, ctx)
}

/// The report on a pair under the settled judgement, its trend included, and what the rules printed: decided,
/// not yet said.
pub(super) fn decide(
    staging: &Snapshot,
    prod: &Snapshot,
    options: &Options,
    settled: &Settled,
) -> envparity_judge::Judged {
    let formats: Vec<Format> = std::iter::once(settled.format)
        .chain(settled.reports.iter().map(|(format, _)| *format))
        .collect();
    let settings = envparity_judge::Settings {
        policy: &settled.policy,
        fail_on: settled.fail_on,
        options: options.clone(),
        formats: &formats,
        baseline: settled.baseline.as_deref(),
    };
    let envparity_judge::Judged { mut report, prints } = envparity_judge::judge(staging, prod, &settings);
    if let Some(earlier) = &settled.trend {
        report.trend = earlier.clone();
        report.trend.push(report::TrendPoint {
            collected_at: report.prod.collected_at.clone(),
            errors: report.summary.errors,
            warnings: report.summary.warnings,
            incomplete: report.summary.incomplete,
        });
    }
    envparity_judge::Judged { report, prints }
}

/// Says what was decided: what the rules printed, then the report, in every file asked for and in its own
/// place; the exit status follows its verdict.
pub(super) fn publish(
    decided: envparity_judge::Judged,
    settled: &Settled,
    ctx: &Context,
) -> anyhow::Result<Judged> {
    let envparity_judge::Judged { report, prints } = decided;
    // What the rules printed, for their authors: shown like every other terminal text, escaped.
    for line in &prints {
        note!(ctx, "print: {line}");
    }

    let render_options = match settled.output {
        Some(_) => report::RenderOptions::default(),
        None => ctx.render_options(),
    };
    // The files first: a report on stdout is the last thing said.
    for (format, path) in &settled.reports {
        let text = report::render(&report, *format, report::RenderOptions::default());
        emit(&text, Some(path))?;
        note!(ctx, "wrote {}", path.display());
    }
    let text = report::render(&report, settled.format, render_options);
    emit(&text, settled.output.as_ref())?;
    if let Some(path) = &settled.output {
        note!(
            ctx,
            "wrote {}: {}",
            path.display(),
            report.summary.status.as_str()
        );
    }
    Ok(Judged {
        exit: Exit::from(report.summary.status),
        report,
    })
}
