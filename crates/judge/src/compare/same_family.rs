//! `same_family`: instance classes must be of one family. `m6i.large` and `m6i.2xlarge` are one family; so
//! are `db.r6g.large` and `db.r6g.xlarge`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Comparator, Judge, Outcome, Sides, Spec};

pub static SPEC: Spec = Spec {
    name: "same_family",
    options: &[],
    absent_passes: false,
    can_fail_on_equal: false,
    what: "Instance classes must be of one family (m6i.large and m6i.2xlarge; db.r6g.large and \
           db.r6g.xlarge); lists compare as sets of families.",
    why: "Staging may use smaller instances, but processor architecture and generation change behaviour.",
    example: "[[rule]]\nid = \"instance-family\"\nkinds = [\"aws.ec2.instance\"]\nfields = [\"instance_type\"]\nexpect = \"same_family\"",
    build: |_| Ok(Comparator::new(SameFamily)),
};

#[derive(Debug)]
pub struct SameFamily;

impl Judge for SameFamily {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, s: &Value, p: &Value, sides: Sides) -> Outcome {
        families_agree(s, p, sides)
    }
}

/// The family of an EC2, RDS or ElastiCache instance class: `db.r6g.large` gives `r6g`.
pub fn instance_family(class: &str) -> &str {
    let class = class.trim();
    let class = class
        .strip_prefix("db.")
        .or_else(|| class.strip_prefix("cache."))
        .unwrap_or(class);
    class.split('.').next().unwrap_or(class)
}

fn families_agree(s: &Value, p: &Value, sides: Sides) -> Outcome {
    match (families(s), families(p)) {
        (Some(fs), Some(fp)) if fs == fp => Outcome::Pass,
        (Some(fs), Some(fp)) => Outcome::Fail(format!(
            "family {} in {}, {} in {}",
            show(&fs),
            sides.first,
            show(&fp),
            sides.second
        )),
        _ => Outcome::Fail(format!("expected instance classes, {}", sides.holding(s, p))),
    }
}

/// The set of families of a class or a list of classes.
fn families(v: &Value) -> Option<BTreeSet<String>> {
    match v {
        Value::String(s) => Some(BTreeSet::from([instance_family(s).to_ascii_lowercase()])),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(|s| instance_family(s).to_ascii_lowercase()))
            .collect(),
        _ => None,
    }
}

fn show(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}
