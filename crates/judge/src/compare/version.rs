//! Version comparison at a chosen granularity.

use std::cmp::Ordering;

use serde_json::Value;

use super::Outcome;
use envparity_model::snapshot::type_name;

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
pub(super) fn judge(granularity: Granularity, s: &Value, p: &Value) -> Outcome {
    let (Some(vs), Some(vp)) = (text(s), text(p)) else {
        return Outcome::Fail(format!(
            "expected versions, staging holds {}, prod holds {}",
            type_name(s),
            type_name(p)
        ));
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
