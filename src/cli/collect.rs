//! `envparity collect ENV` and `envparity audit`: snapshots of live environments.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::diff::{self, Judgement};
use super::{Context, Exit, output};
use envparity_collect::config::Config;
use envparity_collect::secrets::FingerprintKey;
use envparity_collect::store;
use envparity_collect::{self as collect, Options};
use envparity_model::snapshot::{Snapshot, place};

/// The config file read when `--config` is not given.
pub(super) const DEFAULT_CONFIG: &str = "envparity.toml";

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  envparity collect staging --config envparity.toml --output staging.json")]
pub struct CollectArgs {
    /// The environment to collect, as named in the config file.
    environment: String,
    /// The config file describing the environments.
    #[arg(long, short, default_value = DEFAULT_CONFIG)]
    config: PathBuf,
    /// Where to write the snapshot. Default: ENV.json in the current folder.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Read SecureString values to fingerprint them (never stored in plain text).
    #[arg(long)]
    decrypt_secrets: bool,
    /// Collect one part of the environment's (account, region) units, INDEX/COUNT with INDEX from 0 (as
    /// Kubernetes' JOB_COMPLETION_INDEX); `envparity merge` joins the parts. Default output: ENV.shard-I-of-N.json.
    #[arg(long, value_name = "INDEX/COUNT")]
    shard: Option<envparity_model::snapshot::Shard>,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  envparity audit --config envparity.toml --snapshots audit/ --format markdown"
)]
pub struct AuditArgs {
    /// The config file describing the environments.
    #[arg(long, short, default_value = DEFAULT_CONFIG)]
    config: PathBuf,
    /// The environment playing staging.
    #[arg(long, default_value = "staging")]
    staging: String,
    /// The environment playing prod.
    #[arg(long, default_value = "prod")]
    prod: String,
    /// Where to write both snapshots (ENV.json): a folder, or an S3 prefix (s3://BUCKET/PREFIX).
    #[arg(long, value_name = "DIR", default_value = ".")]
    snapshots: PathBuf,
    /// Read SecureString values to fingerprint them (never stored in plain text).
    #[arg(long)]
    decrypt_secrets: bool,
    /// Also keep both snapshots and the JSON report in this folder or S3 prefix, named by environment and time,
    /// with a `latest.json` pointer per environment, for `--baseline` and `envparity drift`.
    #[arg(long, value_name = "DIR")]
    history: Option<PathBuf>,
    /// Gzip the snapshots and reports kept in --history (`TIME.json.gz`); envparity reads either.
    #[arg(long, requires = "history")]
    gzip: bool,
    #[command(flatten)]
    judgement: Judgement,
}

pub(super) fn run_collect(args: CollectArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let mut config = Config::read(&args.config)?;
    store::configure(config.store.clone());
    config.environment(&args.environment)?;
    let path = args.output.unwrap_or_else(|| {
        PathBuf::from(match args.shard {
            None => format!("{}.json", args.environment),
            Some(s) => format!("{}.shard-{}-of-{}.json", args.environment, s.index, s.count),
        })
    });
    output::check(&path, &[&args.config])?;
    let (mut options, bar) = options(&mut config, &[&args.environment], args.decrypt_secrets, ctx)?;
    options.shard = args.shard;
    let env = config.environment(&args.environment)?;
    let snapshot = runtime()?.block_on(collect::collect_environment(&config, env, &options));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut snapshot = snapshot?;
    write_snapshot(&path, &mut snapshot)?;
    summarise(&snapshot, &path, ctx);
    Ok(if snapshot.gaps.is_empty() {
        Exit::Parity
    } else {
        Exit::Incomplete
    })
}

pub(super) fn run_audit(args: AuditArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let mut config = Config::read(&args.config)?;
    store::configure(config.store.clone());
    config.environment(&args.staging)?;
    config.environment(&args.prod)?;
    // The policy, the baseline and every place written to are checked before anything is collected: a typo
    // should cost nothing.
    let config_policy = config.policy.as_ref().map(|p| config.base_dir.join(p));
    let snapshot_paths =
        [&args.staging, &args.prod].map(|env| store::join(&args.snapshots, &format!("{env}.json")));
    // The history first: a bucket that is not there leaves nothing behind, not even the snapshots' folder.
    if let Some(history) = &args.history {
        output::folder(history)?;
    }
    output::folder(&args.snapshots)?;
    let mut inputs: Vec<&Path> = snapshot_paths.iter().map(PathBuf::as_path).collect();
    inputs.push(&args.config);
    let mut settled = args.judgement.settle(config_policy.as_deref(), &inputs)?;
    if let Some(history) = &args.history {
        settled.trend = Some(earlier_runs(history));
    }
    let (options, bar) = options(
        &mut config,
        &[&args.staging, &args.prod],
        args.decrypt_secrets,
        ctx,
    )?;
    let staging_env = config.environment(&args.staging)?;
    let prod_env = config.environment(&args.prod)?;

    // Each environment on a thread of its own, so that one's local sources and egress check (work for a core,
    // not waits) hold up neither the other's nor its AWS calls; its snapshot's text is made there too, and
    // written once both are collected.
    let runtime = runtime()?;
    let collect = |env| {
        let mut snapshot = runtime.block_on(collect::collect_environment(&config, env, &options))?;
        let text = envparity_model::snapshot::to_json(&mut snapshot);
        Ok::<_, collect::ConnectError>((snapshot, text))
    };
    let (staging, prod) = std::thread::scope(|s| {
        let staging = s.spawn(|| collect(staging_env));
        let prod = collect(prod_env);
        let staging = staging
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (staging, prod)
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let ((mut staging, staging_text), (mut prod, prod_text)) = (staging?, prod?);
    // Collected resources carry their keys already; the report is judged as `diff` would judge the files, while
    // the snapshots are written. It waits for them: a snapshot that cannot be written ends the audit, with no
    // report.
    let options = envparity_judge::engine::Options::for_snapshots(&staging, &prod, settled.today);
    let (written, decided) = std::thread::scope(|s| {
        let writing = s.spawn(|| {
            [&staging_text, &prod_text]
                .into_iter()
                .zip(&snapshot_paths)
                .try_for_each(|(text, path)| write_text(path, text))
        });
        let decided = diff::decide(&staging, &prod, &options, &settled);
        let written = writing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (written, decided)
    });
    written?;
    for (snapshot, path) in [&staging, &prod].into_iter().zip(&snapshot_paths) {
        summarise(snapshot, path, ctx);
    }
    let judged = diff::publish(decided, &settled, ctx)?;
    if let Some(history) = &args.history {
        let extension = if args.gzip { "json.gz" } else { "json" };
        keep_history(
            history,
            extension,
            &mut [&mut staging, &mut prod],
            &judged.report,
            ctx,
        )?;
    }
    Ok(judged.exit)
}

/// The collection options that come from the command line and the process environment, and the progress
/// display (only on a terminal, never with --quiet) to clear once collection is done. A fingerprint key too
/// short to be safe, or decryption asked for without a key to fingerprint with, is refused before any call.
fn options(
    config: &mut Config,
    environments: &[&str],
    decrypt_secrets: bool,
    ctx: &Context,
) -> anyhow::Result<(Options, Option<indicatif::ProgressBar>)> {
    use std::io::IsTerminal;
    config.collect.decrypt_secrets |= decrypt_secrets;
    let fingerprint_key = std::env::var_os("ENVPARITY_FINGERPRINT_KEY")
        .filter(|k| !k.is_empty())
        .map(|k| FingerprintKey::new(k.into_encoded_bytes()))
        .transpose()?;
    if config.collect.decrypt_secrets && fingerprint_key.is_none() {
        anyhow::bail!(
            "decrypting secrets needs ENVPARITY_FINGERPRINT_KEY: a decrypted value is only ever stored as its \
             fingerprint, and without a key there is none (set it, for instance to the output of \
             `openssl rand -hex 32`, or drop --decrypt-secrets / decrypt_secrets)"
        );
    }
    let bar = (std::io::stderr().is_terminal() && !ctx.quiet).then(|| {
        let environments: Vec<_> = environments
            .iter()
            .filter_map(|e| config.environments.get(*e))
            .collect();
        // An organisation's accounts are known only once discovered: no total then.
        let (bar, template) = match environments.iter().any(|e| e.organization.is_some()) {
            true => (
                indicatif::ProgressBar::no_length(),
                "{spinner} collecting {pos} (service, account, region) {wide_msg}",
            ),
            false => {
                let total: usize = environments
                    .iter()
                    .map(|e| e.regions.len().max(1) * config.collect.services.len())
                    .sum();
                (
                    indicatif::ProgressBar::new(total as u64),
                    "{spinner} collecting {pos}/{len} (service, region) {wide_msg}",
                )
            }
        };
        bar.set_style(indicatif::ProgressStyle::with_template(template).expect("the template is valid"));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let progress = bar.clone().map(|bar| {
        let found = std::sync::atomic::AtomicUsize::new(0);
        std::sync::Arc::new(move |p: collect::Progress<'_>| {
            let total = found.fetch_add(p.resources.unwrap_or(0), std::sync::atomic::Ordering::Relaxed)
                + p.resources.unwrap_or(0);
            let last = match p.resources {
                Some(n) => format!("{} {} {}: {n}", p.environment, p.service.name(), p.region),
                None => format!(
                    "{} {} {}: NOT COLLECTED",
                    p.environment,
                    p.service.name(),
                    p.region
                ),
            };
            bar.set_message(format!("{total} resources; last {last}"));
            bar.inc(1);
        }) as std::sync::Arc<collect::ProgressFn>
    });
    Ok((
        Options {
            fingerprint_key,
            progress,
            shard: None,
            pacing: std::sync::Arc::new(envparity_collect::Pacing::new(config.collect.rate_limits.clone())),
        },
        bar,
    ))
}

/// The history layout: `DIR/ENV/TIME.json` for snapshots (and `DIR/ENV/latest.json`, naming the newest),
/// `DIR/reports/TIME.json` for reports, where TIME is the collection time with `:` replaced (names sort by time).
/// DIR is a folder or an S3 prefix; with `--gzip` the names end in `.json.gz`. The environment and the time come
/// from a snapshot, which may have been written by anyone (`merge` reads parts): both are checked as the config
/// checks names before they become a path.
fn history_place(
    dir: &Path,
    environment: &str,
    collected_at: &str,
    extension: &str,
) -> anyhow::Result<PathBuf> {
    if !envparity_model::snapshot::is_safe_name(environment) {
        anyhow::bail!(
            "cannot keep history: the environment {environment:?} cannot name a folder (letters, digits, `-`, `_` \
             and `.`, not starting with `.`)"
        );
    }
    let name = store::history_name(collected_at, extension)
        .with_context(|| format!("cannot keep history: {collected_at:?} is not a time"))?;
    Ok(store::join(&store::join(dir, environment), &name))
}

/// Whether a name in a folder of parts is a snapshot (`.json`, `.json.gz`), not a history's pointer.
pub(super) fn is_snapshot_file(name: &str) -> bool {
    name != store::LATEST && (name.ends_with(".json") || name.ends_with(".json.gz"))
}

/// Keeps one snapshot in a history folder or prefix, and points its `latest.json` at it unless a newer one is
/// there already.
pub(super) fn keep_snapshot(
    dir: &Path,
    extension: &str,
    snapshot: &mut Snapshot,
    ctx: &Context,
) -> anyhow::Result<()> {
    use store::Latest;
    let path = history_place(dir, &snapshot.environment, &snapshot.collected_at, extension)?;
    let (folder, name) = (
        path.parent().expect("a history path has a folder").to_path_buf(),
        path.file_name()
            .expect("a history path has a name")
            .to_string_lossy()
            .into_owned(),
    );
    store::check_folder(&folder).context("cannot keep history")?;
    write_snapshot(&path, snapshot)?;
    match store::advance_latest(&folder, &name, &snapshot.collected_at)
        .context("cannot point latest.json at the new snapshot")?
    {
        Latest::Advanced => {}
        Latest::Newer(newer) => note!(
            ctx,
            "{}: latest.json stays on {newer}, newer than this snapshot (another audit finished later)",
            snapshot.environment
        ),
    }
    Ok(())
}

/// How many earlier runs the trend of an audit's history shows.
const TREND_RUNS: usize = 29;

/// The unwaived findings of the last runs kept in a history (`DIR/reports/TIME.json`), oldest first: what the
/// HTML report draws as a trend. The newest report carries the trend up to itself, so one read serves; reports
/// without one (written before envparity kept trends) are read back one by one. A report that cannot be read
/// is left out; the history is envparity's own.
fn earlier_runs(dir: &Path) -> Vec<envparity_judge::report::TrendPoint> {
    #[derive(serde::Deserialize)]
    struct Earlier {
        prod: Collected,
        summary: Counts,
        #[serde(default)]
        trend: Vec<envparity_judge::report::TrendPoint>,
    }
    #[derive(serde::Deserialize)]
    struct Collected {
        collected_at: String,
    }
    #[derive(serde::Deserialize)]
    struct Counts {
        errors: usize,
        warnings: usize,
        incomplete: usize,
    }
    let folder = store::join(dir, "reports");
    let mut names: Vec<(jiff::Timestamp, String)> = store::list(&folder)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|name| Some((store::history_time(&name)?, name)))
        .collect();
    names.sort();
    // Newest first, until a report's own trend gives the rest or there are enough.
    let mut points = Vec::new();
    for (_, name) in names.iter().rev() {
        let Ok(bytes) = store::read(&store::join(&folder, name)) else {
            continue;
        };
        let Ok(earlier) = serde_json::from_slice::<Earlier>(&bytes) else {
            continue;
        };
        if !earlier.trend.is_empty() {
            points.extend(earlier.trend.into_iter().rev());
            break;
        }
        points.push(envparity_judge::report::TrendPoint {
            collected_at: earlier.prod.collected_at,
            errors: earlier.summary.errors,
            warnings: earlier.summary.warnings,
            incomplete: earlier.summary.incomplete,
        });
        if points.len() >= TREND_RUNS {
            break;
        }
    }
    points.truncate(TREND_RUNS);
    points.reverse();
    points
}

fn keep_history(
    dir: &Path,
    extension: &str,
    snapshots: &mut [&mut Snapshot],
    report: &envparity_judge::report::Report,
    ctx: &Context,
) -> anyhow::Result<()> {
    for snapshot in snapshots.iter_mut() {
        keep_snapshot(dir, extension, snapshot, ctx)?;
    }
    let path = history_place(dir, "reports", &report.prod.collected_at, extension)?;
    store::check_folder(path.parent().expect("a history path has a folder"))
        .context("cannot keep history")?;
    let text =
        envparity_judge::report::render(report, envparity_judge::report::Format::Json, Default::default());
    store::write(&path, text.as_bytes()).context("cannot keep the report")?;
    note!(ctx, "kept history in {}", dir.display());
    Ok(())
}

pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Writes a snapshot in its canonical form (`collect`, `merge`, history); the store's error names the place.
pub(super) fn write_snapshot(path: &Path, snapshot: &mut Snapshot) -> anyhow::Result<()> {
    store::write_snapshot(path, snapshot).context("cannot write snapshot")
}

/// Writes a snapshot's text (see [`envparity_model::snapshot::to_json`]).
fn write_text(path: &Path, text: &str) -> anyhow::Result<()> {
    // The store's error names the place.
    store::write(path, text.as_bytes()).context("cannot write snapshot")
}

/// What a snapshot's fleet spans: "2 accounts x 2 regions (shard 1/4), units ..." for people.
pub(super) fn fleet_line(fleet: &envparity_model::snapshot::Fleet) -> String {
    let units: Vec<&str> = fleet
        .accounts
        .iter()
        .map(|a| a.organizational_unit.as_deref().unwrap_or(""))
        .filter(|u| !u.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    format!(
        "fleet: {} account{} x {} region{}{}{}",
        fleet.accounts.len(),
        if fleet.accounts.len() == 1 { "" } else { "s" },
        fleet.regions.len(),
        if fleet.regions.len() == 1 { "" } else { "s" },
        fleet.shard.map(|s| format!(", shard {s}")).unwrap_or_default(),
        match units.is_empty() {
            true => String::new(),
            false => format!(", found in {}", units.join(", ")),
        }
    )
}

/// One line per source and per gap on stderr, then where the snapshot went.
fn summarise(snapshot: &Snapshot, path: &Path, ctx: &Context) {
    let env = &snapshot.environment;
    if let Some(fleet) = &snapshot.fleet {
        note!(ctx, "{env}: {}", fleet_line(fleet));
    }
    let at = |account: &Option<String>, region: &Option<String>| match place(account, region) {
        p if p.is_empty() => String::new(),
        p => format!(" {p}"),
    };
    for s in &snapshot.sources {
        note!(
            ctx,
            "{env}: {} {}{}: {} resources, {} API calls",
            s.provider,
            s.service,
            at(&s.account, &s.region),
            s.resources,
            s.api_calls
        );
        for scope in &s.empty {
            note!(
                ctx,
                "{env}: {} {}{}: {scope} held nothing",
                s.provider,
                s.service,
                at(&s.account, &s.region)
            );
        }
    }
    // Gaps of one cause are said once, with what they cost.
    let mut causes: Vec<(&str, Vec<&envparity_model::snapshot::Gap>)> = Vec::new();
    for g in &snapshot.gaps {
        match causes.iter_mut().find(|(cause, _)| *cause == g.cause()) {
            Some((_, gaps)) => gaps.push(g),
            None => causes.push((g.cause(), vec![g])),
        }
    }
    for (cause, gaps) in causes {
        match gaps.as_slice() {
            [g] => note!(
                ctx,
                "{env}: {} {}{}: NOT COLLECTED: {}",
                g.provider,
                g.service,
                at(&g.account, &g.region),
                g.error
            ),
            _ => {
                let parts: Vec<String> = gaps
                    .iter()
                    .map(|g| format!("{} {}{}", g.provider, g.service, at(&g.account, &g.region)))
                    .collect();
                note!(
                    ctx,
                    "{env}: NOT COLLECTED ({} parts: {}): {cause}",
                    gaps.len(),
                    parts.join(", ")
                );
            }
        }
    }
    note!(
        ctx,
        "{env}: wrote {} ({} resources{})",
        path.display(),
        snapshot.resources.len(),
        if snapshot.gaps.is_empty() {
            String::new()
        } else {
            format!(", {} gaps", snapshot.gaps.len())
        }
    );
}
