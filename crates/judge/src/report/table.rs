//! The table format: what a person at a terminal or reading a CI log wants to see.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

use super::Baseline;
use super::escape::terminal as v;
use super::{Headline, RenderOptions, Report, rule_reasons, shown_values, value_diff, verdict_line};
use crate::policy::Severity;

pub(super) fn render(report: &Report, options: RenderOptions) -> String {
    let (staging_label, prod_label) = report.side_labels();
    let mut out = String::new();
    writeln!(
        out,
        "envparity: {} ({}) vs {} ({}), policy {}",
        v(&report.staging.environment),
        v(&report.staging.collected_at),
        v(&report.prod.environment),
        v(&report.prod.collected_at),
        v(&report.policy)
    )
    .unwrap();

    let live: Vec<_> = report.findings.iter().filter(|f| !f.waived).collect();
    let mut diffs = Vec::new();
    if live.is_empty() {
        out.push_str("\nNo findings.\n");
    } else {
        let mut table = new_table(options);
        table.set_header([
            "severity",
            "kind",
            "key",
            "field",
            &v(&staging_label),
            &v(&prod_label),
            "rule",
            "detail",
        ]);
        for f in &live {
            let (s, p) = shown_values(f).unwrap_or_else(|| {
                diffs.push(*f);
                let note = format!("see diff {}", diffs.len());
                (note.clone(), note)
            });
            table.add_row([
                severity_cell(f.severity, f.baseline == Some(Baseline::New), options.color),
                Cell::new(v(&f.kind)),
                Cell::new(v(&f.key)),
                Cell::new(v(f.field.as_deref().unwrap_or(""))),
                Cell::new(v(&s)),
                Cell::new(v(&p)),
                Cell::new(v(&f.rule)),
                Cell::new(v(f.detail.as_deref().unwrap_or(""))),
            ]);
        }
        writeln!(out, "\n{table}").unwrap();
    }

    for (i, f) in diffs.iter().enumerate() {
        writeln!(
            out,
            "\ndiff {}: {} {} {} ({})",
            i + 1,
            v(&f.kind),
            v(&f.key),
            v(f.field.as_deref().unwrap_or("")),
            v(&f.rule)
        )
        .unwrap();
        let diff = value_diff(f.staging.as_ref(), f.prod.as_ref(), (&staging_label, &prod_label));
        let diff = super::escape::visible(&diff, true);
        out.push_str(&colorize_diff(&diff, options.color));
    }

    let reasons = rule_reasons(report);
    if !reasons.is_empty() {
        out.push_str("\nwhy:\n");
        for (rule, why) in reasons {
            writeln!(out, "  {}: {}", v(rule), v(why)).unwrap();
        }
    }

    let waived: Vec<_> = report.findings.iter().filter(|f| f.waived).collect();
    if !waived.is_empty() {
        let mut table = new_table(options);
        table.set_header(["waived", "kind", "key", "field", "owner", "expires", "reason"]);
        for f in waived {
            let w = f.waiver.as_ref().expect("a waived finding names its waiver");
            table.add_row(
                [
                    &f.rule,
                    &f.kind,
                    &f.key,
                    f.field.as_deref().unwrap_or(""),
                    &w.owner,
                    &w.expires,
                    &w.reason,
                ]
                .map(|text| v(text).into_owned()),
            );
        }
        writeln!(out, "\n{table}").unwrap();
    }

    writeln!(out, "\nCoverage:").unwrap();
    for (side, line) in report.coverage_lines() {
        writeln!(out, "  {}: {}", v(&side), v(&line)).unwrap();
    }
    if let Some(line) = report.baseline_line() {
        writeln!(out, "\n{line}").unwrap();
    }
    let verdict = v(&verdict_line(report)).into_owned();
    let color = match report.headline() {
        Headline::Parity => "\x1b[1;32m",
        Headline::Violations => "\x1b[1;31m",
        Headline::NotFailing | Headline::Incomplete => "\x1b[1;33m",
    };
    if options.color {
        writeln!(out, "\n{color}{verdict}\x1b[0m").unwrap();
    } else {
        writeln!(out, "\n{verdict}").unwrap();
    }
    out
}

fn new_table(options: RenderOptions) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    if options.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    match options.width {
        Some(width) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(width);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

fn severity_cell(severity: Severity, new: bool, color: bool) -> Cell {
    let cell = Cell::new(if new {
        format!("{} (new)", severity.as_str())
    } else {
        severity.as_str().to_owned()
    });
    if !color {
        return cell;
    }
    match severity {
        Severity::Error => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::Warning => cell.fg(Color::Yellow),
        Severity::Incomplete => cell.fg(Color::Magenta).add_attribute(Attribute::Bold),
    }
}

fn colorize_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_owned();
    }
    diff.lines()
        .map(|line| {
            let code = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => "\x1b[32m",
                Some(b'-') if !line.starts_with("---") => "\x1b[31m",
                Some(b'@') => "\x1b[36m",
                _ => return format!("{line}\n"),
            };
            format!("{code}{line}\x1b[0m\n")
        })
        .collect()
}
