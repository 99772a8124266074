//! `version`: versions must agree down to a granularity.

use std::cmp::Ordering;

use serde_json::Value;
use strum::VariantNames as _;

use super::{Comparator, Given, Judge, Opt, OptValue, Outcome, Sides, Spec};

pub static SPEC: Spec = Spec {
    name: "version",
    options: &[Opt {
        name: "granularity",
        doc: "major, minor (default) or patch: how deep the versions must agree",
        value: OptValue::Choice(Granularity::VARIANTS),
    }],
    absent_passes: false,
    can_fail_on_equal: false,
    what: "Versions must agree down to the granularity; the less specific side decides how deep to look, \
           so \"15\" against \"15.6\" passes at minor.",
    why: "A release tested on one database or runtime version can fail on another.",
    example: "[[rule]]\nid = \"engine-version\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine_version\"]\nexpect = \"version\"\ngranularity = \"minor\"",
    build,
};

fn build(given: &Given) -> Result<Comparator, String> {
    let granularity = given.choice("granularity")?.unwrap_or(Granularity::Minor);
    Ok(Comparator::new(Version(granularity)))
}

/// Versions that must agree down to the granularity.
#[derive(Debug)]
pub struct Version(pub Granularity);

impl Judge for Version {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, s: &Value, p: &Value, sides: Sides) -> Outcome {
        agree(self.0, s, p, sides)
    }
}

/// How deep two versions must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::VariantNames, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Granularity {
    Major,
    Minor,
    Patch,
}

impl Granularity {
    fn depth(self) -> usize {
        match self {
            Granularity::Major => 1,
            Granularity::Minor => 2,
            Granularity::Patch => 3,
        }
    }

    fn name(self) -> &'static str {
        self.into()
    }
}

/// Compares the first components of both versions, no deeper than the less specific side:
/// "15" and "15.6" agree at every granularity, "15.6" and "15.7" differ at minor.
fn agree(granularity: Granularity, s: &Value, p: &Value, sides: Sides) -> Outcome {
    let (Some(vs), Some(vp)) = (text(s), text(p)) else {
        return Outcome::Fail(format!("expected versions, {}", sides.holding(s, p)));
    };
    let (cs, cp) = (components(&vs), components(&vp));
    let depth = granularity.depth().min(cs.len()).min(cp.len());
    let differs = cs[..depth]
        .iter()
        .zip(&cp[..depth])
        .any(|(a, b)| compare_component(a, b) != Ordering::Equal);
    if differs {
        Outcome::Fail(format!("{vs} and {vp} differ at {} version", granularity.name()))
    } else {
        Outcome::Pass
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `v15.6-r1` gives ["15", "6", "r1"].
fn components(version: &str) -> Vec<&str> {
    let version = version.strip_prefix(['v', 'V']).unwrap_or(version);
    version.split(['.', '-', '+']).filter(|c| !c.is_empty()).collect()
}

/// Numeric components compare by value ("04" equals "4"), others as text.
fn compare_component(a: &str, b: &str) -> Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}
