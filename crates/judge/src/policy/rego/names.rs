//! What a module names that envparity does not have: a kind (`"aws.s3.buckets"`) or an attribute
//! (`bucket.attributes.versionig`) the catalogue lacks, found in the module's text, each with the nearest name the
//! catalogue has. A rule comparing against a kind no snapshot holds never fires: `policy check` says so, as it
//! does for a TOML rule.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use envparity_model::catalog::CATALOGUE;
use envparity_model::diagnostic::closest;
use regex::Regex;

/// A kind written as a string (`"aws.rds.instance"`), and an attribute read as `.attributes.NAME` or
/// `.attributes["NAME"]`.
static KIND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""((?:aws|k8s|compose|file)\.[a-z0-9_]+(?:\.[a-z0-9_]+)?)""#).expect("valid")
});
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\.attributes(?:\.([A-Za-z_][A-Za-z0-9_]*)|\["([^"]+)"\])"#).expect("valid")
});

/// Each name of `text` (a module, shown as `shown`) the catalogue lacks: `shown:line: ...`.
pub fn unknown(shown: &str, text: &str) -> Vec<String> {
    let kinds: Vec<&str> = CATALOGUE.kinds().iter().map(|k| k.name).collect();
    let fields: BTreeSet<&str> = CATALOGUE
        .kinds()
        .iter()
        .flat_map(|k| k.attributes.fields.iter().map(|f| f.path))
        .collect();
    let fields: Vec<&str> = fields.into_iter().collect();
    let suggest = |found: &str, names: &[&str]| match closest(found, names) {
        Some(close) => format!(" (did you mean {close}?)"),
        None => String::new(),
    };
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        // A comment names nothing.
        let code = line.split('#').next().unwrap_or_default();
        for found in KIND
            .captures_iter(code)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str())
        {
            if CATALOGUE.kind(found).is_none() {
                out.push(format!(
                    "{shown}:{}: names the kind {found:?}, which envparity does not collect{}",
                    index + 1,
                    suggest(found, &kinds)
                ));
            }
        }
        for found in ATTRIBUTE
            .captures_iter(code)
            .filter_map(|c| c.get(1).or(c.get(2)))
            .map(|m| m.as_str())
        {
            if !fields.contains(&found) {
                out.push(format!(
                    "{shown}:{}: reads the attribute {found:?}, which no kind has{}",
                    index + 1,
                    suggest(found, &fields)
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_kind_or_attribute_is_named_with_the_nearest_one() {
        let module = "package x\n# \"aws.s3.nothing\" in a comment is no kind\ndeny contains m if {\n\
                      \tsome b in input.prod.resources\n\tb.kind == \"aws.s3.buckets\"\n\
                      \tb.attributes.versionig != \"Enabled\"\n\tb.attributes[\"encryption\"] == \"none\"\n\tm := \"x\"\n}\n";
        assert_eq!(
            unknown("rules/x.rego", module),
            [
                "rules/x.rego:5: names the kind \"aws.s3.buckets\", which envparity does not collect (did you mean \
                 aws.s3.bucket?)",
                "rules/x.rego:6: reads the attribute \"versionig\", which no kind has (did you mean versioning?)",
            ]
        );
        // Custom resources' kinds are kinds of the catalogue.
        assert!(unknown("y.rego", "x := \"k8s.custom.monitoring.coreos.com/Prometheus\"").is_empty());
    }
}
