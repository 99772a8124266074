//! JUnit XML, for CI systems that show test results: one suite per kind, one test case per compared resource.
//! A resource with an unwaived finding at or above the report's `fail_on` fails; one whose findings are all
//! waived is skipped; others pass. Incomplete kinds fail with an error.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::Finding;
use super::Report;
use super::escape::xml;
use crate::policy::Severity;

pub(super) fn render(report: &Report) -> String {
    let fail_on = report.fail_on;
    let mut by_resource: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for (kind, key) in &report.resources {
        by_resource.entry((kind, key)).or_default();
    }
    for f in &report.findings {
        by_resource.entry((&f.kind, &f.key)).or_default().push(f);
    }
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for ((kind, key), findings) in by_resource {
        let live: Vec<&&Finding> = findings.iter().filter(|f| !f.waived).collect();
        let describe = |fs: &[&&Finding]| {
            let text = fs
                .iter()
                .map(|f| {
                    let field = f.field.as_deref().map(|x| format!(" {x}")).unwrap_or_default();
                    let detail = f.detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
                    format!("[{}] {}{field}{detail}", f.severity.as_str(), f.rule)
                })
                .collect::<Vec<_>>()
                .join("\n");
            xml(&text).into_owned()
        };
        let status = if live.iter().any(|f| f.severity == Severity::Incomplete) {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message("could not be read: unknown, not absent");
            s.set_description(describe(&live));
            s
        } else if live.iter().any(|f| fail_on.fails_on(f.severity)) {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let rules: Vec<&str> = live.iter().map(|f| f.rule.as_str()).collect();
            s.set_message(xml(&rules.join(", ")).into_owned());
            s.set_description(describe(&live));
            s
        } else if live.is_empty() && !findings.is_empty() {
            let mut s = TestCaseStatus::skipped();
            let waived: Vec<&&Finding> = findings.iter().collect();
            s.set_message(format!("waived: {}", describe(&waived)));
            s
        } else {
            TestCaseStatus::success()
        };
        suites
            .entry(kind)
            .or_insert_with(|| TestSuite::new(xml(kind).into_owned()))
            .add_test_case(TestCase::new(xml(key).into_owned(), status));
    }
    // What each side covered: one passing case per environment, its coverage line as output.
    let mut coverage = TestSuite::new("coverage");
    for (side, line) in report.coverage_lines() {
        let mut case = TestCase::new(xml(&side).into_owned(), TestCaseStatus::success());
        case.set_system_out(xml(&line).into_owned());
        coverage.add_test_case(case);
    }
    suites.insert("coverage", coverage);
    let mut junit = quick_junit::Report::new(xml(&format!("envparity {}", report.policy)).into_owned());
    junit.add_test_suites(suites.into_values());
    junit.to_string().expect("JUnit serializes")
}
