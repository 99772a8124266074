//! A single self-contained HTML page (no network fetches): the verdict, counts by severity and kind, a filterable
//! list of findings, and for each resource with findings its staging and prod values side by side.
//!
//! Opened with `#selftest` the page exercises its own filters and reports in its title, which the tests read
//! from a headless browser.

use super::escape::html as esc;
use std::collections::BTreeMap;
use std::fmt::Write;

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
.sev { font-weight: 600; border-radius: 4px; padding: 0 .4rem; }
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
  const shown = set('aws.rds', '', true);
  const visible = rows.filter(r => !r.hidden);
  if (shown === 0 || visible.some(r => !r.dataset.text.includes('aws.rds'))) failures.push('text filter');
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

pub(super) fn render(report: &Report) -> String {
    let (staging_label, prod_label) = report.side_labels();
    let s = &report.summary;
    let mut out = String::new();
    let status = s.status.as_str();
    let title = format!(
        "envparity: {} vs {}",
        report.staging.environment, report.prod.environment
    );
    write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n<script>{SCRIPT}</script>\n</head>\n<body>\n",
        content_security_policy(),
        esc(&title)
    )
    .unwrap();
    writeln!(out, "<h1>{}</h1>", esc(&title)).unwrap();
    writeln!(
        out,
        "<p class=\"muted\">{} collected {} &middot; {} collected {} &middot; policy <code>{}</code>, fails on <code>{}</code></p>",
        esc(&report.staging.environment),
        esc(&report.staging.collected_at),
        esc(&report.prod.environment),
        esc(&report.prod.collected_at),
        esc(&report.policy),
        esc(report.fail_on.as_str())
    )
    .unwrap();
    let verdict_class = match report.headline() {
        Headline::Parity => "parity",
        Headline::NotFailing | Headline::Violations => "violations",
        Headline::Incomplete => "incomplete",
    };
    writeln!(
        out,
        "<div class=\"verdict {verdict_class}\" id=\"verdict\" data-status=\"{status}\">{}</div>",
        esc(&verdict_line(report))
    )
    .unwrap();

    let columns = s.columns(report.over_time());
    writeln!(
        out,
        "<h2>Counts</h2>\n<table><tr>{}</tr>\n<tr>{}</tr></table>",
        columns
            .iter()
            .map(|(name, _)| format!("<th>{name}</th>"))
            .collect::<String>(),
        columns
            .iter()
            .map(|(_, n)| format!("<td class=\"num\">{n}</td>"))
            .collect::<String>()
    )
    .unwrap();

    let mut by_kind: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for f in &report.findings {
        let counts = by_kind.entry(&f.kind).or_default();
        let column = if f.waived {
            3
        } else {
            match f.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Incomplete => 2,
            }
        };
        counts[column] += 1;
    }
    if !by_kind.is_empty() {
        out.push_str("<table><tr><th>kind</th><th>errors</th><th>warnings</th><th>incomplete</th><th>waived</th></tr>\n");
        for (kind, c) in &by_kind {
            writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(kind), c[0], c[1], c[2], c[3]
            )
            .unwrap();
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Coverage</h2>\n<ul id=\"coverage\">\n");
    for (side, line) in report.coverage_lines() {
        writeln!(out, "<li><strong>{}</strong>: {}</li>", esc(&side), esc(&line)).unwrap();
    }
    out.push_str("</ul>\n");

    writeln!(
        out,
        "<h2>Findings (<span id=\"shown\">{}</span> shown)</h2>",
        report.findings.len()
    )
    .unwrap();
    out.push_str(
        "<div class=\"controls\"><input type=\"search\" id=\"filter-text\" placeholder=\"filter: kind, key, field, rule, text\">\
         <select id=\"filter-severity\"><option value=\"\">every severity</option><option value=\"error\">error</option>\
         <option value=\"warning\">warning</option><option value=\"incomplete\">incomplete</option></select>\
         <label><input type=\"checkbox\" id=\"filter-waived\"> show waived</label></div>\n",
    );
    writeln!(
        out,
        "<table id=\"findings\"><thead><tr><th>severity</th><th>kind</th><th>key</th><th>field</th><th>rule</th><th>detail</th></tr></thead><tbody>"
    )
    .unwrap();
    for f in &report.findings {
        let searchable = format!(
            "{} {} {} {} {} {}",
            f.kind,
            f.key,
            f.field.as_deref().unwrap_or(""),
            f.rule,
            f.detail.as_deref().unwrap_or(""),
            f.message
        )
        .to_lowercase();
        let waived = match &f.waiver {
            Some(w) => format!(" (waived by {} until {}: {})", w.owner, w.expires, w.reason),
            None => String::new(),
        };
        writeln!(
            out,
            "<tr data-severity=\"{sev}\" data-waived=\"{}\" data-text=\"{}\"{}><td><span class=\"sev sev-{sev}\">{sev}</span></td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td><code title=\"{}\">{}</code></td><td>{}{}</td></tr>",
            f.waived,
            esc(&searchable),
            if f.waived { " class=\"waived\"" } else { "" },
            esc(&f.kind),
            esc(&f.key),
            esc(f.field.as_deref().unwrap_or("")),
            esc(&f.message),
            esc(&f.rule),
            esc(f.detail.as_deref().unwrap_or("")),
            esc(&waived),
            sev = f.severity.as_str(),
        )
        .unwrap();
    }
    out.push_str("</tbody></table>\n");

    // Side by side: every resource with a finding on one of its attributes.
    let mut resources: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.field.is_some()) {
        resources.entry((&f.kind, &f.key)).or_default().push(f);
    }
    if !resources.is_empty() {
        out.push_str("<h2>Resources side by side</h2>\n");
        for ((kind, key), findings) in resources {
            writeln!(
                out,
                "<h3><code>{}</code> <span class=\"muted\">{}</span></h3>\n<div class=\"side\"><div class=\"head\">field</div><div class=\"head\">{}</div><div class=\"head\">{}</div>",
                esc(key),
                esc(kind),
                esc(&staging_label),
                esc(&prod_label)
            )
            .unwrap();
            for f in findings {
                let value = |v: Option<&serde_json::Value>| match v {
                    None => format!("<span class=\"muted\">{}</span>", f.missing_value()),
                    Some(serde_json::Value::String(s)) => format!("<pre>{}</pre>", esc(s)),
                    Some(v) => format!(
                        "<pre>{}</pre>",
                        esc(&serde_json::to_string_pretty(v).unwrap_or_default())
                    ),
                };
                let differs = if f.waived { "waived" } else { "differs" };
                writeln!(
                    out,
                    "<div class=\"{differs}\"><code>{}</code></div><div class=\"{differs}\">{}</div><div class=\"{differs}\">{}</div>",
                    esc(f.field.as_deref().unwrap_or("")),
                    value(f.staging.as_ref()),
                    value(f.prod.as_ref())
                )
                .unwrap();
            }
            out.push_str("</div>\n");
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}
