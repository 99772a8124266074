//! envparity's test helpers, in one place for every crate's tests (ripgrep's `tests/util.rs` way): snapshots
//! from JSON, policies from TOML, a judgement on a fixed date, and findings as rows to compare.

use envparity_judge::Settings;
use envparity_judge::engine::{self, Options};
use envparity_judge::policy::{FailOn, Policy};
use envparity_judge::report::{Evaluation, Finding, Format, Report};
use envparity_model::catalog::CATALOGUE;
use envparity_model::snapshot::{self, Snapshot};
use serde_json::{Value, json};

/// The date every test judges waivers on.
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 12, 1)
}

/// A snapshot with a fingerprint key, from resources and gaps.
pub fn snapshot(environment: &str, resources: Value, gaps: Value) -> Snapshot {
    parse(
        environment,
        resources,
        json!({"fingerprint_key_id": "hmac-sha256:0123456789abcdef", "gaps": gaps}),
    )
}

/// A snapshot from a document; `extra` is merged into its top level (sources, key id, time).
pub fn parse(environment: &str, resources: Value, extra: Value) -> Snapshot {
    let mut doc = json!({
        "schema": "envparity/snapshot/v1",
        "environment": environment,
        "collected_at": "2026-11-27T12:00:00Z",
        "resources": resources,
    });
    for (k, v) in extra.as_object().expect("extra is an object") {
        doc[k] = v.clone();
    }
    snapshot::parse(doc.to_string().as_bytes(), "fixture.json".as_ref()).expect("fixture is valid")
}

/// An RDS instance resource.
pub fn rds(name: &str, attributes: Value) -> Value {
    json!({"kind": "aws.rds.instance", "name": name, "attributes": attributes})
}

/// One complete SSM source of an account in eu-west-1, with the paths that held nothing.
pub fn ssm_source(account: &str, resources: u64, empty: Value) -> Value {
    json!([{
        "provider": "aws", "service": "ssm", "account": account, "region": "eu-west-1",
        "status": "complete", "resources": resources, "api_calls": 2, "empty": empty,
    }])
}

/// A SecureString parameter stored redacted with its fingerprint.
pub fn secret(name: &str, fingerprint: &str) -> Value {
    json!({
        "kind": "aws.ssm.parameter", "name": name,
        "attributes": {"type": "SecureString", "value": {"redacted": true, "fingerprint": fingerprint}},
    })
}

/// A policy named `test` from the body of a policy file.
pub fn policy(body: &str) -> Policy {
    Policy::parse(
        &format!("[policy]\nname = \"test\"\n{body}"),
        "test.toml",
        &CATALOGUE,
    )
    .expect("policy is valid")
}

/// The shipped default policy.
pub fn default_policy() -> Policy {
    Policy::builtin("default", &CATALOGUE).expect("the default policy is valid")
}

/// The engine's evaluation of a pair, keyed by the snapshots' environments, on [`today`].
pub fn run(staging: &Snapshot, prod: &Snapshot, policy: &Policy) -> Evaluation {
    engine::evaluate(
        staging,
        prod,
        policy,
        &Options::for_snapshots(staging, prod, today()),
    )
}

/// The report of a pair under `policy`, failing on `fail_on`, as `envparity diff --format json` judges it.
pub fn report(staging: &Snapshot, prod: &Snapshot, policy: &Policy, fail_on: FailOn) -> Report {
    report_in(staging, prod, policy, fail_on, Format::Json)
}

/// The report of a pair as it is judged for `format` (JUnit lists every compared resource).
pub fn report_in(
    staging: &Snapshot,
    prod: &Snapshot,
    policy: &Policy,
    fail_on: FailOn,
    format: Format,
) -> Report {
    let settings = Settings {
        policy,
        fail_on,
        options: Options::for_snapshots(staging, prod, today()),
        formats: &[format],
        baseline: None,
    };
    envparity_judge::judge(staging, prod, &settings).report
}

/// (rule, key, field, severity, waived) of a finding, for compact assertions.
pub type Brief = (String, String, Option<String>, &'static str, bool);

/// The [`Brief`] of each finding.
pub fn brief(findings: &[Finding]) -> Vec<Brief> {
    findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.key.clone(),
                f.field.clone(),
                f.severity.as_str(),
                f.waived,
            )
        })
        .collect()
}

/// One expected [`Brief`].
pub fn row(rule: &str, key: &str, field: Option<&str>, severity: &'static str, waived: bool) -> Brief {
    (rule.into(), key.into(), field.map(Into::into), severity, waived)
}

/// (rule, kind, key, field, severity) of a finding in a JSON report; absent fields are empty.
pub type ReportRow = (String, String, String, String, String);

/// The [`ReportRow`] of each finding of a JSON report, in the report's order.
pub fn report_rows(report: &Value) -> Vec<ReportRow> {
    report["findings"]
        .as_array()
        .expect("a JSON report has findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("rule"), s("kind"), s("key"), s("field"), s("severity"))
        })
        .collect()
}

/// One expected [`ReportRow`].
pub fn report_row(rule: &str, kind: &str, key: &str, field: &str, severity: &str) -> ReportRow {
    (
        rule.into(),
        kind.into(),
        key.into(),
        field.into(),
        severity.into(),
    )
}

/// The repository's root folder, where the shipped snapshots, policies and fixtures are.
pub fn repository() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The envparity binary, run in `dir` with none of the variables that would reach past the test: no AWS
/// credentials, profile, region or endpoint, no fingerprint key, no `NO_COLOR`. A suite adds what it needs.
pub fn envparity(dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd =
        assert_cmd::Command::cargo_bin("envparity").expect("the envparity binary is built for the tests");
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "ENVPARITY_FINGERPRINT_KEY",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd.current_dir(dir);
    cmd
}

/// Writes a file below `dir`, creating its folders.
pub fn write(dir: &std::path::Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("the folder is made");
    std::fs::write(path, text).expect("the file is written");
}

/// Asserts that every resource of a snapshot holds exactly its kind's typed attributes (see
/// `envparity_model::catalog::typed`): what ties a collector's output, and the shipped examples, to the catalogue.
pub fn assert_typed(snapshot: &Snapshot) {
    let mut wrong = Vec::new();
    for r in &snapshot.resources {
        let Some(kind) = CATALOGUE.kind(&r.kind) else {
            wrong.push(format!("{}: not a kind of the catalogue", r.kind));
            continue;
        };
        if let Err(e) = kind.check_typed(&r.attributes) {
            wrong.push(format!(
                "{} {}: {}\n  {e}",
                r.kind,
                r.label(),
                r.attributes.text()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "attributes that are not their kind's:\n{}",
        wrong.join("\n")
    );
}

/// Every command line of the README's `sh` blocks (continuations joined), in order.
pub fn readme_commands(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find("```sh\n") {
        let body = &rest[start + 6..];
        let end = body.find("```").expect("a block ends");
        let mut joined = String::new();
        let mut in_heredoc: Option<String> = None;
        for line in body[..end].lines() {
            if let Some(marker) = &in_heredoc {
                if line.trim() == marker {
                    in_heredoc = None;
                }
                continue;
            }
            if let Some((_, marker)) = line.split_once("<<'") {
                in_heredoc = marker.split('\'').next().map(str::to_owned);
            }
            match line.strip_suffix('\\') {
                Some(part) => joined.push_str(part),
                None => {
                    joined.push_str(line);
                    let command = joined.trim().to_owned();
                    if !command.is_empty() && !command.starts_with('#') {
                        out.push(command);
                    }
                    joined.clear();
                }
            }
        }
        rest = &body[end + 3..];
    }
    out
}

/// Copies a folder's files into `to`, recursively.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The README commands that need an AWS account: `aws::the_readme_s_aws_commands_run_as_written` runs them as
/// written against moto, and the README test leaves them to it.
pub const README_AWS_COMMANDS: &[&str] = &[
    "envparity audit --config envparity.toml",
    "envparity collect staging --config envparity.toml",
    "envparity drift prod --history history",
    "envparity plan prod --shards 4",
];

/// The starts of the README's desired-against-actual commands (Terraform and OpenTofu), which need an account:
/// run as written against moto in `aws::terraform::the_readme_s_desired_against_actual_runs_as_written`.
pub const README_TERRAFORM_COMMANDS: &[&str] = &[
    "envparity collect prod --config envparity.toml --decrypt-secrets --output prod-live.json",
    "envparity collect prod --config terraform.toml",
    "envparity diff prod-terraform.json prod-live.json",
];

/// The exit status a line's `# ... exit N` comment names.
pub fn documented_exit(line: &str) -> Option<i32> {
    let comment = line.split_once("  #")?.1;
    let at = comment.find("exit ")? + 5;
    let digits: String = comment[at..].chars().take_while(char::is_ascii_digit).collect();
    // "exit 3 if anything could not be read" is a condition, not the status this run has.
    if comment[at + digits.len()..].starts_with(" if ") {
        return None;
    }
    digits.parse().ok()
}
