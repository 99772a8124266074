//! Reports cannot be forged by data: hostile strings in every field of a finding and in the environment names,
//! rendered in every format, keep each format's shape.

use envparity_judge::policy::{FailOn, Severity};
use envparity_judge::report::{self, Format, RenderOptions, Report};
use envparity_judge::report::{Accounts, Affected, Evaluation, Finding, WaiverNote};
use envparity_model::snapshot::{COVERAGE_SERVICE, Snapshot, Source, SourceStatus, Unaudited};
use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser};
use serde_json::json;

/// Pieces that break one medium or another: code span and fence closers, line breaks, cell breaks, markup,
/// terminal escapes, characters XML cannot hold.
const PIECES: &[&str] = &[
    "``",
    "```",
    "\r",
    "\n",
    "|",
    "<img src=x onerror=alert(1)>",
    "<a href=//evil>x</a>",
    "\u{1b}[2K\u{1b}[1A",
    "\u{1b}]8;;http://evil\u{7}",
    "\u{8}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{0}",
    "]]>",
    "## envparity: parity",
    "![i](http://evil/i.png)",
    "[l](http://evil)",
    "\\",
    "*",
    "_",
    "&amp;",
    "\u{202e}",
    "\"",
    "'",
    "x",
];

fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(PIECES), 1..6).prop_map(|p| p.concat())
}

/// The same text with every character replaced by as many `x` as its bytes, newlines kept: a benign string that
/// takes the same layout decisions (inline or as a diff, by length and line breaks).
fn benign(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => "\n".to_owned(),
            c => "x".repeat(c.len_utf8()),
        })
        .collect()
}

/// A snapshot of `environment` whose tagging API was asked (what was not audited is known).
fn asked(environment: String) -> Snapshot {
    let mut s = Snapshot::new(environment, "2026-11-27T12:00:00Z");
    s.sources.push(Source {
        provider: "aws".into(),
        service: COVERAGE_SERVICE.into(),
        account: None,
        region: None,
        status: SourceStatus::Complete,
        resources: 0,
        api_calls: 1,
        empty: Vec::new(),
        by_default: false,
    });
    s
}

fn report_with(text: &dyn Fn(usize) -> String) -> Report {
    // What each side covered comes from the account too: the kinds read and the types no collector reads.
    let covered = |environment: String| {
        let mut s = asked(environment);
        s.unaudited.push(Unaudited {
            provider: "aws".into(),
            account: None,
            region: None,
            resource_type: text(61),
            count: 2,
        });
        s
    };
    let staging = covered(text(0));
    let prod = covered(text(1));
    let finding = |severity, waived: bool, i: usize| {
        let waiver = waived.then(|| WaiverNote {
            reason: text(i + 7),
            owner: text(i + 8),
            expires: "2027-01-01".into(),
        });
        Finding {
            fingerprint: format!("{i:032}"),
            // Distinct per finding on both sides, as reports list each rule's reason once.
            rule: format!("r{i}{}", text(i + 2)),
            severity,
            kind: text(i + 3),
            key: text(i + 4),
            field: Some(text(i + 5)),
            staging: Some(json!(text(i + 6))),
            prod: Some(json!(text(i + 9))),
            side: None,
            message: text(i + 10),
            detail: Some(text(i + 11)),
            waived,
            waiver,
            baseline: None,
            decided_by: None,
            accounts: Some(Accounts {
                staging: Some(text(i + 12)),
                prod: Some(text(i + 13)),
            }),
            affected: vec![Affected {
                provider: text(i + 14),
                service: text(i + 15),
                account: Some(text(i + 16)),
                region: Some(text(i + 17)),
                kinds: vec![text(i + 18)],
            }],
        }
    };
    let evaluation = Evaluation {
        findings: vec![
            finding(Severity::Incomplete, false, 0),
            finding(Severity::Error, false, 20),
            finding(Severity::Warning, true, 40),
        ],
        paired: 1,
        ..Default::default()
    };
    Report::new(&staging, &prod, &text(60), FailOn::Error, evaluation)
}

/// The shape of a markdown document: its block and inline structure, without the text.
fn shape(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, Options::ENABLE_TABLES)
        .filter_map(|event| match event {
            Event::Start(tag) => Some(format!("start {tag:?}").split(['(', ' ', '{']).take(2).collect()),
            Event::End(tag) => Some(format!("end {tag:?}")),
            Event::Html(_) | Event::InlineHtml(_) => Some("html".to_owned()),
            _ => None,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn hostile_data_keeps_every_format_in_shape(strings in proptest::collection::vec(hostile(), 64)) {
        let hostile = report_with(&|i| strings[i % strings.len()].clone());
        let calm = report_with(&|i| benign(&strings[i % strings.len()]));
        let render = |r: &Report, f| report::render(r, f, RenderOptions::default());

        // Markdown: the same tables, headings, code and HTML blocks as the benign report; nothing more.
        let (md, calm_md) = (render(&hostile, Format::Markdown), render(&calm, Format::Markdown));
        prop_assert_eq!(shape(&md), shape(&calm_md), "{}", md);

        // The terminal table: no control character but newlines.
        let table = render(&hostile, Format::Table);
        prop_assert!(!table.chars().any(|c| c.is_control() && c != '\n'), "{:?}", table);

        // JUnit parses as XML.
        let junit = render(&hostile, Format::Junit);
        prop_assert!(quick_junit::Report::deserialize_from_str(&junit).is_ok(), "{}", junit);

        // HTML: the page's own script and no other markup from data.
        let html = render(&hostile, Format::Html).to_lowercase();
        prop_assert_eq!(html.matches("<script").count(), 1);
        prop_assert!(!html.contains("<img") && !html.contains("<a href=//evil"));

        // JSON and SARIF stay JSON.
        for format in [Format::Json, Format::Sarif] {
            prop_assert!(serde_json::from_str::<serde_json::Value>(&render(&hostile, format)).is_ok());
        }
    }
}

/// A report with `text` in every `n`th of its fields, starting with the first, and a plain word elsewhere.
fn report_with_every(n: usize, text: &str) -> Report {
    report_with(&|i| match i % n {
        0 => text.to_owned(),
        _ => "plain".to_owned(),
    })
}

#[test]
fn a_key_with_two_backticks_stays_inside_its_code_span() {
    let report = report_with(&|i| match i % 5 {
        4 => "a``<img src=x>``b".to_owned(),
        _ => "plain".to_owned(),
    });
    let md = report::render(&report, Format::Markdown, RenderOptions::default());
    assert!(md.contains("```a``<img src=x>``b```"), "{md}");
    assert!(
        !Parser::new_ext(&md, Options::ENABLE_TABLES).any(|e| matches!(e, Event::InlineHtml(_))),
        "{md}"
    );
}

#[test]
fn a_carriage_return_in_a_name_starts_no_markdown_block() {
    let report = report_with(&|i| match i {
        0 => "staging\r## envparity: parity\r![x](http://evil/x.png)".to_owned(),
        _ => "plain".to_owned(),
    });
    let md = report::render(&report, Format::Markdown, RenderOptions::default());
    let headings = Parser::new_ext(&md, Options::ENABLE_TABLES)
        .filter(|e| matches!(e, Event::Start(pulldown_cmark::Tag::Heading { .. })))
        .count();
    let calm = report::render(
        &report_with(&|_| "plain".into()),
        Format::Markdown,
        RenderOptions::default(),
    );
    let calm_headings = Parser::new_ext(&calm, Options::ENABLE_TABLES)
        .filter(|e| matches!(e, Event::Start(pulldown_cmark::Tag::Heading { .. })))
        .count();
    assert_eq!(headings, calm_headings, "{md}");
    assert!(!md.contains('\r'));
}

#[test]
fn escape_sequences_in_a_name_are_shown_not_run_in_the_terminal() {
    let report = report_with_every(4, "web\u{1b}[2K\u{1b}[1A");
    let table = report::render(&report, Format::Table, RenderOptions::default());
    assert!(table.contains("web\\u{1b}[2K\\u{1b}[1A"), "{table}");
    assert!(!table.contains('\u{1b}'));
}

#[test]
fn a_key_with_u_fffe_gives_junit_that_parses() {
    let report = report_with_every(3, "key\u{fffe}\u{ffff}");
    let junit = report::render(&report, Format::Junit, RenderOptions::default());
    quick_junit::Report::deserialize_from_str(&junit).unwrap();
}

#[test]
fn the_html_report_has_a_strict_content_security_policy() {
    let html = report::render(
        &report_with(&|_| "plain".into()),
        Format::Html,
        RenderOptions::default(),
    );
    let csp = html
        .lines()
        .find(|l| l.contains("Content-Security-Policy"))
        .expect("a CSP meta element");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[test]
fn the_html_report_shows_a_right_to_left_override_and_an_escape_as_text() {
    let report = report_with_every(3, "exe.\u{202e}fdp\u{1b}[31m");
    let html = report::render(&report, Format::Html, RenderOptions::default());
    assert!(
        !html.contains('\u{202e}') && !html.contains('\u{1b}'),
        "raw controls in the page"
    );
    assert!(html.contains("exe.\\u{202e}fdp\\u{1b}[31m"), "{html}");
}

#[test]
fn urls_and_mentions_from_data_neither_link_nor_notify_in_markdown() {
    let report = report_with_every(
        3,
        "ping @security-team at https://evil.example/x or www.evil.example",
    );
    let md = report::render(&report, Format::Markdown, RenderOptions::default());
    assert!(md.contains("@security-team"), "{md}");
    // Every text of the report holding a mention or a URL is inside a code span, where GitHub neither autolinks
    // nor notifies.
    for event in Parser::new_ext(&md, Options::ENABLE_TABLES) {
        if let Event::Text(text) = event {
            assert!(
                !text.contains('@') && !text.contains("://") && !text.contains("www."),
                "live text: {text:?}"
            );
        }
    }
}

#[test]
fn two_huge_unaudited_counts_saturate_instead_of_overflowing() {
    let mut snapshot = asked("prod".into());
    for region in ["eu-west-1", "us-east-1"] {
        snapshot.unaudited.push(Unaudited {
            provider: "aws".into(),
            account: None,
            region: Some(region.into()),
            resource_type: "ec2:volume".into(),
            count: u64::MAX - 1,
        });
    }
    let coverage = envparity_judge::report::EnvironmentCoverage::of(&snapshot);
    assert_eq!(coverage.unaudited.unwrap()["ec2:volume"], u64::MAX);
}
