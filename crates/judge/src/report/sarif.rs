//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one rule per policy rule (with its `why`),
//! one result per unwaived finding, waived findings as suppressed results, stable fingerprints.

use std::collections::BTreeMap;

use serde_sarif::sarif;

use super::Report;
use crate::policy::Severity;

/// The file a result points at when no policy file decided it (envparity's own findings, shipped rules):
/// findings are about environments, so they name the configuration that describes the environments.
const ARTIFACT: &str = "envparity.toml";

pub(super) fn render(report: &Report) -> String {
    let mut rules: Vec<sarif::ReportingDescriptor> = Vec::new();
    let mut index: BTreeMap<&str, i64> = BTreeMap::new();
    for f in &report.findings {
        if !index.contains_key(f.rule.as_str()) {
            index.insert(&f.rule, rules.len() as i64);
            rules.push(
                sarif::ReportingDescriptor::builder()
                    .id(&f.rule)
                    .short_description(&f.rule)
                    .full_description(&f.message)
                    .build(),
            );
        }
    }
    let results: Vec<sarif::Result> = report
        .findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error | Severity::Incomplete => sarif::ResultLevel::Error,
                Severity::Warning => sarif::ResultLevel::Warning,
            };
            let text = match (&f.field, &f.detail) {
                (Some(field), Some(detail)) => {
                    format!("{} {} {field}: {detail}. {}", f.kind, f.key, f.message)
                }
                (Some(field), None) => format!("{} {} {field} differs. {}", f.kind, f.key, f.message),
                (None, Some(detail)) => format!("{} {}: {detail}. {}", f.kind, f.key, f.message),
                (None, None) => format!("{} {}: {}", f.kind, f.key, f.message),
            };
            let name = match &f.field {
                Some(field) => format!("{}/{}", f.key, field),
                None => f.key.clone(),
            };
            // A rule or waiver of the user's policy file decided it: point at its line there.
            let (uri, line) = match &f.decided_by {
                Some(origin) if !origin.is_shipped() => (origin.path.as_str(), origin.line as i64),
                _ => (ARTIFACT, 1),
            };
            let location = sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(sarif::ArtifactLocation::builder().uri(uri).build())
                        .region(sarif::Region::builder().start_line(line).build())
                        .build(),
                )
                .logical_locations(vec![
                    sarif::LogicalLocation::builder()
                        .name(name)
                        .fully_qualified_name(format!("{}/{}", f.kind, f.key))
                        .kind("resource")
                        .build(),
                ])
                .build();
            let builder = sarif::Result::builder()
                .rule_id(&f.rule)
                .rule_index(index[f.rule.as_str()])
                .level(level)
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![location])
                .partial_fingerprints(BTreeMap::from([(
                    "envparity/v1".to_owned(),
                    f.fingerprint.clone(),
                )]));
            match &f.waiver {
                Some(w) => builder
                    .suppressions(vec![
                        sarif::Suppression::builder()
                            .kind(serde_json::json!("external"))
                            .justification(format!("{} (owner {}, until {})", w.reason, w.owner, w.expires))
                            .build(),
                    ])
                    .build(),
                None => builder.build(),
            }
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("envparity")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let coverage = serde_json::to_value(&report.coverage).expect("coverage serializes");
    let properties = sarif::PropertyBag::builder()
        .additional_properties(BTreeMap::from([("coverage".to_owned(), coverage)]))
        .build();
    let run = sarif::Run::builder()
        .tool(driver)
        .results(results)
        .properties(properties)
        .build();
    let log = sarif::Sarif::builder()
        .version(sarif::Version::V2_1_0.to_string())
        .schema(sarif::SCHEMA_URL)
        .runs(vec![run])
        .build();
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    out.push('\n');
    out
}
