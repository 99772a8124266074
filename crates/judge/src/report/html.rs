//! A single self-contained HTML page (no network fetches): the verdict, counts by severity and kind, a filterable
//! list of findings, and for each resource with findings its staging and prod values side by side.
//!
//! Opened with `#selftest` the page exercises its own filters and reports in its title, which the tests read
//! from a headless browser.
//!
//! The page is the template `templates/report.html`; every value it shows is escaped by [`super::escape::html`]
//! (the escaper `askama.toml` sets for `.html` templates), and only the page's own style, script and content
//! security policy are written unescaped.

use std::collections::BTreeMap;

use super::Finding;
use super::{Headline, Report, verdict_line};
use crate::policy::Severity;

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #1d2330; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.verdict { font-size: 1.2rem; font-weight: 600; padding: .6rem 1rem; border-radius: 6px; display: inline-block; }
.parity { background: #e3f6e8; color: #136c2e; } .violations { background: #fde7e7; color: #a11d1d; }
.incomplete { background: #fff3d6; color: #7a5200; }
table { border-collapse: collapse; margin-top: .5rem; } th, td { border: 1px solid #d9dde5; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f3f5f9; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; } pre { margin: 0; white-space: pre-wrap; }
.sev { font-weight: 600; border-radius: 4px; padding: 0 .4rem; white-space: nowrap; }
mark { background: #ffd27a; color: inherit; border-radius: 2px; } .line { display: block; }
.changed { background: #fff0c2; }
.why { color: #475467; font-size: 13px; } #rules td:first-child { white-space: nowrap; }
.sev-error { background: #fde7e7; color: #a11d1d; } .sev-warning { background: #fff3d6; color: #7a5200; }
.sev-incomplete { background: #ece8ff; color: #4b2a9e; }
.controls { display: flex; gap: .8rem; align-items: center; margin: .6rem 0; flex-wrap: wrap; }
.controls input[type=search] { padding: .3rem .5rem; min-width: 18rem; }
.side { display: grid; grid-template-columns: 14rem 1fr 1fr; gap: 0; margin-bottom: 1rem; border: 1px solid #d9dde5; }
.side > div { padding: .3rem .55rem; border-top: 1px solid #eef0f4; overflow-wrap: anywhere; }
.side .head { background: #f3f5f9; font-weight: 600; border-top: none; }
.differs { background: #fff7e0; } .waived { opacity: .6; }
.muted { color: #667085; } #findings td { max-width: 26rem; overflow-wrap: anywhere; }
"#;

/// Nothing runs or loads but the page's own style and script, named by their hashes: even markup that escaped
/// escaping could neither run a script, nor load an image, nor send a form anywhere.
fn content_security_policy() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = |text: &str| base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text));
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src 'none'; form-action 'none'; \
         base-uri 'none'",
        hash(STYLE),
        hash(SCRIPT)
    )
}

const SCRIPT: &str = r#"
const errors = [];
window.addEventListener('error', e => errors.push(String(e.message)));
function applyFilters() {
  const text = document.getElementById('filter-text').value.toLowerCase();
  const severity = document.getElementById('filter-severity').value;
  const showWaived = document.getElementById('filter-waived').checked;
  let shown = 0;
  for (const row of document.querySelectorAll('#findings tbody tr')) {
    const visible = (!text || row.dataset.text.includes(text))
      && (!severity || row.dataset.severity === severity)
      && (showWaived || row.dataset.waived !== 'true');
    row.hidden = !visible;
    if (visible) shown++;
  }
  document.getElementById('shown').textContent = shown;
  return shown;
}
function selftest() {
  const rows = [...document.querySelectorAll('#findings tbody tr')];
  const failures = [];
  const set = (text, severity, waived) => {
    document.getElementById('filter-text').value = text;
    document.getElementById('filter-severity').value = severity;
    document.getElementById('filter-waived').checked = waived;
    return applyFilters();
  };
  const all = set('', '', true);
  if (all !== rows.length) failures.push('all ' + all + '/' + rows.length);
  const errorsOnly = rows.filter(r => r.dataset.severity === 'error').length;
  if (set('', 'error', true) !== errorsOnly) failures.push('severity filter');
  const unwaived = rows.filter(r => r.dataset.waived !== 'true').length;
  if (set('', '', false) !== unwaived) failures.push('waived filter');
  // The first row's kind, which at least that row holds.
  const probe = rows.length ? rows[0].dataset.text.split(' ')[0] : '';
  const shown = set(probe, '', true);
  const visible = rows.filter(r => !r.hidden);
  if ((rows.length && shown === 0) || visible.some(r => !r.dataset.text.includes(probe))) failures.push('text filter');
  set('', '', false);
  document.title = 'selftest: ' + (failures.length ? 'FAIL ' + failures.join(', ') : 'pass') + ' errors=' + errors.length;
}
document.addEventListener('DOMContentLoaded', () => {
  for (const id of ['filter-text', 'filter-severity', 'filter-waived']) {
    document.getElementById(id).addEventListener('input', applyFilters);
  }
  applyFilters();
  if (location.hash === '#selftest') selftest();
});
"#;

/// The page: the report and what the template shows of it, computed once.
#[derive(askama::Template)]
#[template(path = "report.html")]
struct Page<'r> {
    report: &'r Report,
    csp: String,
    style: &'static str,
    script: &'static str,
    title: String,
    verdict_class: &'static str,
    verdict: String,
    columns: [(&'static str, usize); 8],
    /// Counts by kind: errors, warnings, incomplete, waived.
    by_kind: BTreeMap<&'r str, [usize; 4]>,
    coverage: [(String, String); 2],
    rows: Vec<Row<'r>>,
    /// The history's trend, when there are two runs or more to draw.
    trend: Option<Trend>,
    /// Each rule with findings, once, and why it matters: the rule cells link here.
    rules: Vec<(&'r str, &'r str)>,
    staging_label: String,
    prod_label: String,
    sides: Vec<Side<'r>>,
}

/// The trend of an audit's history as an inline SVG chart: a line per severity, a point per run.
struct Trend {
    /// The chart's drawing box.
    width: u32,
    height: u32,
    /// Per severity: its name, its colour and the line's points (`x,y x,y`), numbers only.
    lines: Vec<(&'static str, &'static str, String)>,
    /// The most findings of one severity in one run: the top of the scale.
    most: usize,
    first: String,
    last: String,
    runs: usize,
}

impl Trend {
    const WIDTH: u32 = 640;
    const HEIGHT: u32 = 160;

    fn of(points: &[super::TrendPoint]) -> Option<Trend> {
        let (first, last) = (points.first()?, points.last()?);
        if points.len() < 2 {
            return None;
        }
        let most = points
            .iter()
            .flat_map(|p| [p.errors, p.warnings, p.incomplete])
            .max()
            .unwrap_or(0)
            .max(1);
        let step = f64::from(Self::WIDTH - 20) / (points.len() - 1) as f64;
        let line = |count: fn(&super::TrendPoint) -> usize| {
            points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let x = 10.0 + step * i as f64;
                    let y = f64::from(Self::HEIGHT - 10)
                        - f64::from(Self::HEIGHT - 20) * count(p) as f64 / most as f64;
                    format!("{x:.1},{y:.1}")
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        Some(Trend {
            width: Self::WIDTH,
            height: Self::HEIGHT,
            lines: vec![
                ("errors", "#a11d1d", line(|p| p.errors)),
                ("warnings", "#b7791f", line(|p| p.warnings)),
                ("incomplete", "#4b2a9e", line(|p| p.incomplete)),
            ],
            most,
            first: first.collected_at.clone(),
            last: last.collected_at.clone(),
            runs: points.len(),
        })
    }
}

/// A finding's row, with the text the filter searches, its waiver's note and the anchor of its rule's why.
struct Row<'r> {
    finding: &'r Finding,
    searchable: String,
    waiver: String,
    /// The index of the rule in the page's list of rules (`#why-3`): an id from data is never an anchor.
    rule: usize,
}

/// A resource with findings on its attributes, its fields side by side.
struct Side<'r> {
    kind: &'r str,
    key: &'r str,
    fields: Vec<SideField<'r>>,
}

struct SideField<'r> {
    path: &'r str,
    /// `differs`, or `waived`.
    class: &'static str,
    staging: Cell,
    prod: Cell,
}

/// One side's value of a field.
enum Cell {
    /// No value: `(absent)`, or nothing for a Rego finding that gave none.
    Missing(&'static str),
    /// The value, a string as it is and anything else as pretty JSON, line by line: a line the other side does
    /// not have is marked, and in it the words that differ.
    Shown(Vec<Line>),
}

/// One line of a value: whether the other side lacks it, and its text in pieces, each marked or not.
struct Line {
    changed: bool,
    pieces: Vec<(bool, String)>,
}

/// A value as the side-by-side view shows it.
fn text_of(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        v => serde_json::to_string_pretty(v).unwrap_or_default(),
    }
}

impl Cell {
    /// Both sides' cells of a finding, their differing lines and words marked against each other.
    fn pair(finding: &Finding) -> (Cell, Cell) {
        let (Some(staging), Some(prod)) = (finding.staging.as_ref(), finding.prod.as_ref()) else {
            let one = |value: Option<&serde_json::Value>| match value {
                None => Cell::Missing(finding.missing_value()),
                Some(v) => Cell::Shown(
                    text_of(v)
                        .lines()
                        .map(|l| Line {
                            changed: false,
                            pieces: vec![(false, l.to_owned())],
                        })
                        .collect(),
                ),
            };
            return (one(finding.staging.as_ref()), one(finding.prod.as_ref()));
        };
        let (old, new) = (text_of(staging), text_of(prod));
        let diff = similar::TextDiff::from_lines(&old, &new);
        let (mut left, mut right) = (Vec::new(), Vec::new());
        for op in diff.ops() {
            for change in diff.iter_inline_changes(op) {
                let pieces: Vec<(bool, String)> = change
                    .iter_strings_lossy()
                    .map(|(emphasized, text)| (emphasized, text.trim_end_matches('\n').to_owned()))
                    .filter(|(_, text)| !text.is_empty())
                    .collect();
                let changed = change.tag() != similar::ChangeTag::Equal;
                // A line changed as a whole has no word to single out: the line's own mark says it.
                let pieces = match pieces.iter().all(|(marked, _)| *marked) {
                    true => pieces.into_iter().map(|(_, text)| (false, text)).collect(),
                    false => pieces,
                };
                let line = Line { changed, pieces };
                match change.tag() {
                    similar::ChangeTag::Equal => {
                        left.push(Line {
                            changed: false,
                            pieces: line.pieces.clone(),
                        });
                        right.push(line);
                    }
                    similar::ChangeTag::Delete => left.push(line),
                    similar::ChangeTag::Insert => right.push(line),
                }
            }
        }
        (Cell::Shown(left), Cell::Shown(right))
    }
}

pub(super) fn render(report: &Report) -> String {
    let (staging_label, prod_label) = report.side_labels();
    let mut by_kind: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for f in &report.findings {
        let column = match (f.waived, f.severity) {
            (true, _) => 3,
            (false, Severity::Error) => 0,
            (false, Severity::Warning) => 1,
            (false, Severity::Incomplete) => 2,
        };
        by_kind.entry(&f.kind).or_default()[column] += 1;
    }
    // Each rule once, in the order the findings name them, with why it matters.
    let mut rules: Vec<(&str, &str)> = Vec::new();
    for f in &report.findings {
        if !rules.iter().any(|(rule, _)| *rule == f.rule) {
            rules.push((&f.rule, &f.message));
        }
    }
    let rows = report
        .findings
        .iter()
        .map(|f| Row {
            rule: rules.iter().position(|(rule, _)| *rule == f.rule).unwrap_or(0),
            finding: f,
            searchable: [
                f.kind.as_str(),
                &f.key,
                f.field.as_deref().unwrap_or(""),
                &f.rule,
                f.detail.as_deref().unwrap_or(""),
                &f.message,
            ]
            .join(" ")
            .to_lowercase(),
            waiver: match &f.waiver {
                Some(w) => format!(" (waived by {} until {}: {})", w.owner, w.expires, w.reason),
                None => String::new(),
            },
        })
        .collect();
    // Side by side: every resource with a finding on one of its attributes.
    let mut resources: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.field.is_some()) {
        resources.entry((&f.kind, &f.key)).or_default().push(f);
    }
    let sides = resources
        .into_iter()
        .map(|((kind, key), findings)| Side {
            kind,
            key,
            fields: findings
                .into_iter()
                .map(|f| {
                    let (staging, prod) = Cell::pair(f);
                    SideField {
                        path: f.field.as_deref().unwrap_or(""),
                        class: if f.waived { "waived" } else { "differs" },
                        staging,
                        prod,
                    }
                })
                .collect(),
        })
        .collect();
    let page = Page {
        report,
        csp: content_security_policy(),
        style: STYLE,
        script: SCRIPT,
        title: format!(
            "envparity: {} vs {}",
            report.staging.environment, report.prod.environment
        ),
        verdict_class: match report.headline() {
            Headline::Parity => "parity",
            Headline::NotFailing | Headline::Violations => "violations",
            Headline::Incomplete => "incomplete",
        },
        verdict: verdict_line(report),
        columns: report.summary.columns(report.relation()),
        by_kind,
        coverage: report.coverage_lines(),
        rows,
        trend: Trend::of(&report.trend),
        rules,
        staging_label,
        prod_label,
        sides,
    };
    askama::Template::render(&page).expect("rendering into a string does not fail")
}
