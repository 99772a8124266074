//! The markdown format: a CI step summary or a pull-request comment.

use std::fmt::Write;

use super::escape::{self, markdown as escape, markdown_code as code};
use super::{Baseline, Finding};
use super::{Headline, Report, rule_reasons, shown_values, value_diff, verdict_line};
use crate::policy::Severity;

pub(super) fn render(report: &Report) -> String {
    let s = &report.summary;
    let (staging_label, prod_label) = report.side_labels();
    let mut out = String::new();
    let headline = match report.headline() {
        Headline::Parity => "✅ parity",
        Headline::NotFailing => "⚠️ errors found, not failing (fail on never)",
        Headline::Violations => "❌ violations",
        Headline::Incomplete => "⚠️ incomplete: some data could not be read",
    };
    writeln!(out, "## envparity: {headline}\n").unwrap();
    writeln!(
        out,
        "**{}** ({}) vs **{}** ({}), policy {}, fails on `{}`\n",
        escape(&report.staging.environment),
        code(&report.staging.collected_at),
        escape(&report.prod.environment),
        code(&report.prod.collected_at),
        code(&report.policy),
        report.fail_on.as_str()
    )
    .unwrap();
    let columns = s.columns(report.relation());
    let row =
        |cell: &dyn Fn(&(&str, usize)) -> String| columns.iter().map(cell).collect::<Vec<_>>().join(" | ");
    writeln!(out, "| {} |", row(&|(name, _)| name.to_string())).unwrap();
    writeln!(out, "|{}|", columns.map(|_| "---:").join("|")).unwrap();
    writeln!(out, "| {} |", row(&|(_, n)| n.to_string())).unwrap();

    let (incomplete, findings): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .filter(|f| !f.waived)
        .partition(|f| f.severity == Severity::Incomplete);

    let mut diffs = Vec::new();
    if !findings.is_empty() {
        writeln!(out, "\n### Findings\n").unwrap();
        writeln!(
            out,
            "| severity | kind | key | field | {} | {} | rule | detail |",
            escape(&staging_label),
            escape(&prod_label)
        )
        .unwrap();
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        for f in findings {
            let (sv, pv) = match shown_values(f) {
                Some((sv, pv)) => (code_or_empty(&sv), code_or_empty(&pv)),
                None => {
                    diffs.push(f);
                    let note = format!("see diff {}", diffs.len());
                    (note.clone(), note)
                }
            };
            writeln!(
                out,
                "| {}{} | {} | {} | {} | {sv} | {pv} | {} | {} |",
                icon(f.severity),
                if f.baseline == Some(Baseline::New) {
                    " 🆕"
                } else {
                    ""
                },
                code(&f.kind),
                code(&f.key),
                f.field.as_deref().map(code).unwrap_or_default(),
                code(&f.rule),
                escape(f.detail.as_deref().unwrap_or("")),
            )
            .unwrap();
        }
    }
    for (i, f) in diffs.iter().enumerate() {
        writeln!(
            out,
            "\n<details><summary>diff {}: <code>{}</code> <code>{}</code> <code>{}</code></summary>\n\n{}\n\n</details>",
            i + 1,
            html(&f.kind),
            html(&f.key),
            html(f.field.as_deref().unwrap_or("")),
            escape::markdown_fence(
                "diff",
                &value_diff(f.staging.as_ref(), f.prod.as_ref(), (&staging_label, &prod_label))
            ),
        )
        .unwrap();
    }

    if !incomplete.is_empty() {
        writeln!(
            out,
            "\n### Incomplete\n\nThese kinds could not be read; nothing is claimed about them.\n"
        )
        .unwrap();
        out.push_str("| kind | where | error |\n|---|---|---|\n");
        for f in incomplete {
            writeln!(
                out,
                "| {} | {} | {} |",
                code(&f.kind),
                code(&f.key),
                escape(f.detail.as_deref().unwrap_or(""))
            )
            .unwrap();
        }
    }

    let waived: Vec<&Finding> = report.findings.iter().filter(|f| f.waived).collect();
    if !waived.is_empty() {
        writeln!(out, "\n### Waived\n").unwrap();
        out.push_str(
            "| rule | kind | key | field | owner | expires | reason |\n|---|---|---|---|---|---|---|\n",
        );
        for f in waived {
            let w = f.waiver.as_ref().expect("a waived finding names its waiver");
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                code(&f.rule),
                code(&f.kind),
                code(&f.key),
                f.field.as_deref().map(code).unwrap_or_default(),
                escape(&w.owner),
                escape(&w.expires),
                escape(&w.reason)
            )
            .unwrap();
        }
    }

    let reasons = rule_reasons(report);
    if !reasons.is_empty() {
        writeln!(out, "\n### Why these rules matter\n").unwrap();
        for (rule, why) in reasons {
            writeln!(out, "- {}: {}", code(rule), escape(why)).unwrap();
        }
    }
    writeln!(out, "\n### Coverage\n").unwrap();
    for (side, line) in report.coverage_lines() {
        writeln!(out, "- {}: {}", code(&side), escape(&line)).unwrap();
    }
    if let Some(line) = report.baseline_line() {
        writeln!(out, "\n{line}").unwrap();
    }
    writeln!(out, "\n{}", escape(&verdict_line(report))).unwrap();
    out
}

fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟡 warning",
        Severity::Incomplete => "⚪ incomplete",
    }
}

fn code_or_empty(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        code(text)
    }
}

/// Text inside the HTML of a `<summary>`: entities for markup, every control character visible.
fn html(text: &str) -> String {
    escape::terminal(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
