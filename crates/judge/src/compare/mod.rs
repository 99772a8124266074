//! Comparators: how one attribute of a staging resource is judged against the same attribute in prod.
//!
//! Every comparator answers [`Outcome::Pass`], [`Outcome::Fail`] with a short reason, or [`Outcome::Unknown`]
//! when the data cannot decide (a secret without a fingerprint). Unknown is never a pass.

mod family;
mod version;

use serde_json::Value;

use envparity_model::snapshot::{is_redacted, redacted_fingerprint, short, type_name};

pub use family::instance_family;
pub use version::Granularity;

/// The comparison a rule asks for (`expect = "..."` in a policy).
#[derive(Debug, Clone, PartialEq)]
pub enum Comparator {
    /// Staging and prod must hold the same value.
    Equal,
    /// The attribute is never judged.
    Ignore,
    /// Staging and prod must not hold the same value (a secret reused in staging).
    Differ,
    /// Versions must agree down to the granularity; the less specific side decides how deep to look.
    Version(Granularity),
    /// Instance classes must be of one family (`m6i.large` and `m6i.2xlarge`); lists compare as sets of families.
    SameFamily,
    /// Staging's number must not exceed prod's.
    StagingAtMostProd,
    /// staging / prod must lie within the bounds.
    Ratio { min: Option<f64>, max: Option<f64> },
    /// Lists must hold the same elements, in any order.
    SetEqual,
    /// Every element of staging's list must be in prod's.
    Subset,
}

/// What a comparator is, for `envparity policy explain` and for the engine: everything about one comparator
/// besides how it judges lives here.
#[derive(Debug)]
pub struct Spec {
    /// Its name in `expect = "..."`.
    pub name: &'static str,
    /// The options it takes besides `expect`, with their meaning.
    pub options: &'static [(&'static str, &'static str)],
    /// Whether two equal values can fail it. When none of a kind's rules can, identical resources are known
    /// to pass without being parsed.
    pub can_fail_on_equal: bool,
    pub what: &'static str,
    pub why: &'static str,
    pub example: &'static str,
}

/// Every comparator, in the order `policy explain` lists them.
pub const SPECS: &[Spec] = &[
    EQUAL,
    IGNORE,
    DIFFER,
    VERSION,
    SAME_FAMILY,
    STAGING_AT_MOST_PROD,
    RATIO,
    SET_EQUAL,
    SUBSET,
];

const EQUAL: Spec = Spec {
    name: "equal",
    options: &[],
    can_fail_on_equal: false,
    what: "Staging and prod must hold the same value. Numbers compare by value (1 equals 1.0); secrets by \
           fingerprint, and without fingerprints the finding is incomplete, never a pass.",
    why: "For settings that change behaviour whatever the size of the environment: engines, protocols, \
          health checks, TLS policies.",
    example: "[[rule]]\nid = \"load-balancer-setup\"\nkinds = [\"aws.elbv2.*\"]\nfields = [\"listeners\", \"health_check\"]\nexpect = \"equal\"",
};

const IGNORE: Spec = Spec {
    name: "ignore",
    options: &[],
    can_fail_on_equal: false,
    what: "The fields are never judged, and differences in them are not reported as unlisted.",
    why: "For values that differ by design (hostnames, config values, sizes checked elsewhere). Placed \
          before a broader rule, it carves an exception out of it.",
    example: "[[rule]]\nid = \"config-values\"\nkinds = [\"aws.ssm.parameter\"]\nfields = [\"value\"]\nexpect = \"ignore\"",
};

const DIFFER: Spec = Spec {
    name: "differ",
    options: &[],
    can_fail_on_equal: true,
    what: "Staging and prod must not hold the same value. With `secrets_only = true` it applies only to \
           values stored redacted, compared by fingerprint.",
    why: "A production secret reused in staging gives everyone who can read staging access to production.",
    example: "[[rule]]\nid = \"secret-reused\"\nkinds = [\"aws.ssm.parameter\"]\nfields = [\"value\"]\nsecrets_only = true\nexpect = \"differ\"",
};

const VERSION: Spec = Spec {
    name: "version",
    options: &[(
        "granularity",
        "major, minor (default) or patch: how deep the versions must agree",
    )],
    can_fail_on_equal: false,
    what: "Versions must agree down to the granularity; the less specific side decides how deep to look, \
           so \"15\" against \"15.6\" passes at minor.",
    why: "A release tested on one database or runtime version can fail on another.",
    example: "[[rule]]\nid = \"engine-version\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine_version\"]\nexpect = \"version\"\ngranularity = \"minor\"",
};

const SAME_FAMILY: Spec = Spec {
    name: "same_family",
    options: &[],
    can_fail_on_equal: false,
    what: "Instance classes must be of one family (m6i.large and m6i.2xlarge; db.r6g.large and \
           db.r6g.xlarge); lists compare as sets of families.",
    why: "Staging may use smaller instances, but processor architecture and generation change behaviour.",
    example: "[[rule]]\nid = \"instance-family\"\nkinds = [\"aws.ec2.instance\"]\nfields = [\"instance_type\"]\nexpect = \"same_family\"",
};

const STAGING_AT_MOST_PROD: Spec = Spec {
    name: "staging_at_most_prod",
    options: &[],
    can_fail_on_equal: false,
    what: "Staging's number must not exceed prod's. A string that holds a number counts as that number (AWS \
           returns RDS parameters as strings).",
    why: "Staging may run smaller than prod, never larger: a larger staging hides capacity problems.",
    example: "[[rule]]\nid = \"scale\"\nkinds = [\"aws.autoscaling.group\"]\nfields = [\"desired_capacity\"]\nexpect = \"staging_at_most_prod\"",
};

const RATIO: Spec = Spec {
    name: "ratio",
    options: &[
        ("min", "the smallest staging/prod ratio allowed"),
        ("max", "the largest staging/prod ratio allowed"),
    ],
    can_fail_on_equal: true,
    what: "staging / prod must lie within the bounds; at least one of min and max is required. Strings that \
           hold numbers count as numbers.",
    why: "For sizes that must scale together, such as a staging database at least a quarter of prod's.",
    example: "[[rule]]\nid = \"storage-ratio\"\nkinds = [\"aws.rds.instance\"]\nfields = [\"allocated_storage\"]\nexpect = \"ratio\"\nmin = 0.25\nmax = 1",
};

const SET_EQUAL: Spec = Spec {
    name: "set_equal",
    options: &[],
    can_fail_on_equal: false,
    what: "Lists must hold the same elements, in any order.",
    why: "For sets whose order carries no meaning, such as security groups or target groups.",
    example: "[[rule]]\nid = \"security-groups\"\nkinds = [\"aws.ec2.instance\"]\nfields = [\"security_groups\"]\nexpect = \"set_equal\"",
};

const SUBSET: Spec = Spec {
    name: "subset",
    options: &[],
    can_fail_on_equal: false,
    what: "Every element of staging's list must be in prod's.",
    why: "Staging may run fewer of something (availability zones, instance types), never one prod lacks.",
    example: "[[rule]]\nid = \"instance-types\"\nkinds = [\"aws.autoscaling.group\"]\nfields = [\"instance_types\"]\nexpect = \"subset\"",
};

/// The comparator of this name, if there is one.
pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name == name)
}

/// The names accepted by `expect`, for messages.
pub fn names() -> Vec<&'static str> {
    SPECS.iter().map(|s| s.name).collect()
}

impl Comparator {
    /// Its entry in [`SPECS`]; the engine asks on every compared attribute, so no lookup by name.
    pub fn spec(&self) -> &'static Spec {
        match self {
            Comparator::Equal => &EQUAL,
            Comparator::Ignore => &IGNORE,
            Comparator::Differ => &DIFFER,
            Comparator::Version(_) => &VERSION,
            Comparator::SameFamily => &SAME_FAMILY,
            Comparator::StagingAtMostProd => &STAGING_AT_MOST_PROD,
            Comparator::Ratio { .. } => &RATIO,
            Comparator::SetEqual => &SET_EQUAL,
            Comparator::Subset => &SUBSET,
        }
    }
}

/// The verdict on one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Fails, with what exactly differs when the two values alone do not say it (may be empty).
    Fail(String),
    Unknown(String),
}

const NO_FINGERPRINT: &str =
    "a secret without a fingerprint cannot be compared: collect with ENVPARITY_FINGERPRINT_KEY set";

impl Comparator {
    /// Judges the attribute; `None` means the attribute is absent on that side.
    pub fn judge(&self, staging: Option<&Value>, prod: Option<&Value>) -> Outcome {
        let (s, p) = match (self, staging, prod) {
            (Comparator::Ignore, _, _) | (_, None, None) => return Outcome::Pass,
            // Unset on both sides: nothing to compare.
            (_, Some(Value::Null), Some(Value::Null)) => return Outcome::Pass,
            (Comparator::Differ, Some(s), Some(p)) => return differ(s, p),
            (Comparator::Differ, _, _) => return Outcome::Pass,
            (_, None, Some(_)) => return Outcome::Fail("absent in staging".into()),
            (_, Some(_), None) => return Outcome::Fail("absent in prod".into()),
            (_, Some(s), Some(p)) => (s, p),
        };
        if !self.spec().can_fail_on_equal && same_value(s, p) == Some(true) {
            return Outcome::Pass;
        }
        match self {
            Comparator::Equal => match same_value(s, p) {
                Some(true) => Outcome::Pass,
                Some(false) => Outcome::Fail(mismatch(s, p)),
                None => Outcome::Unknown(NO_FINGERPRINT.into()),
            },
            Comparator::Version(granularity) => version::judge(*granularity, s, p),
            Comparator::SameFamily => family::judge(s, p),
            Comparator::StagingAtMostProd => match numbers(s, p) {
                Ok((s, p)) if s <= p => Outcome::Pass,
                Ok((s, p)) => Outcome::Fail(format!("staging {s} exceeds prod {p}")),
                Err(why) => Outcome::Fail(why),
            },
            Comparator::Ratio { min, max } => ratio(s, p, *min, *max),
            Comparator::SetEqual => match lists(s, p) {
                Ok((s, p)) => {
                    let extra = missing_from(s, p);
                    let missing = missing_from(p, s);
                    if extra.is_empty() && missing.is_empty() {
                        return Outcome::Pass;
                    }
                    let mut parts = Vec::new();
                    if !missing.is_empty() {
                        parts.push(format!("missing in staging: {}", join(&missing)));
                    }
                    if !extra.is_empty() {
                        parts.push(format!("only in staging: {}", join(&extra)));
                    }
                    Outcome::Fail(parts.join("; "))
                }
                Err(why) => Outcome::Fail(why),
            },
            Comparator::Subset => match lists(s, p) {
                Ok((s, p)) => match missing_from(s, p) {
                    extra if extra.is_empty() => Outcome::Pass,
                    extra => Outcome::Fail(format!("not in prod: {}", join(&extra))),
                },
                Err(why) => Outcome::Fail(why),
            },
            Comparator::Ignore | Comparator::Differ => unreachable!("handled above"),
        }
    }
}

/// Judges a value that one environment must hold itself (`prod = true`).
pub fn expect_value(expected: &Value, actual: &Value) -> Outcome {
    match same_value(expected, actual) {
        Some(true) => Outcome::Pass,
        Some(false) => Outcome::Fail(format!("expected {}, found {}", short(expected), short(actual))),
        None => Outcome::Unknown(NO_FINGERPRINT.into()),
    }
}

/// Value equality where numbers compare by value (`1` equals `1.0`) and secrets by fingerprint.
/// `None` when a secret has no fingerprint, so equality cannot be told.
pub fn same_value(a: &Value, b: &Value) -> Option<bool> {
    match (is_redacted(a), is_redacted(b)) {
        (true, true) => match (redacted_fingerprint(a), redacted_fingerprint(b)) {
            (Some(fa), Some(fb)) => Some(fa == fb),
            _ => None,
        },
        (false, false) => Some(plain_equal(a, b)),
        _ => Some(false),
    }
}

fn plain_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| plain_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && plain_equal(va, vb))
        }
        _ => a == b,
    }
}

fn differ(s: &Value, p: &Value) -> Outcome {
    match same_value(s, p) {
        Some(false) => Outcome::Pass,
        Some(true) if is_redacted(s) => Outcome::Fail("the same secret on both sides".into()),
        Some(true) => Outcome::Fail("the same value on both sides".into()),
        None => Outcome::Unknown(NO_FINGERPRINT.into()),
    }
}

fn mismatch(s: &Value, p: &Value) -> String {
    let (ts, tp) = (type_name(s), type_name(p));
    if ts == tp {
        String::new() // The two values say it all.
    } else {
        format!("staging holds {ts}, prod holds {tp}")
    }
}

/// A number, or a string that holds one (AWS returns RDS parameters and many settings as strings).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        v => v.as_f64(),
    }
}

fn numbers(s: &Value, p: &Value) -> Result<(f64, f64), String> {
    match (number(s), number(p)) {
        (Some(s), Some(p)) => Ok((s, p)),
        _ => Err(format!(
            "expected numbers, staging holds {}, prod holds {}",
            type_name(s),
            type_name(p)
        )),
    }
}

fn ratio(s: &Value, p: &Value, min: Option<f64>, max: Option<f64>) -> Outcome {
    let (s, p) = match numbers(s, p) {
        Ok(pair) => pair,
        Err(why) => return Outcome::Fail(why),
    };
    if p == 0.0 {
        return if s == 0.0 {
            Outcome::Pass
        } else {
            Outcome::Fail(format!("prod is 0, staging is {s}"))
        };
    }
    let r = s / p;
    let shown = (r * 1000.0).round() / 1000.0;
    match (min, max) {
        (Some(min), _) if r < min => Outcome::Fail(format!("staging/prod is {shown}, below {min}")),
        (_, Some(max)) if r > max => Outcome::Fail(format!("staging/prod is {shown}, above {max}")),
        _ => Outcome::Pass,
    }
}

fn lists<'v>(s: &'v Value, p: &'v Value) -> Result<(&'v [Value], &'v [Value]), String> {
    match (s, p) {
        (Value::Array(s), Value::Array(p)) => Ok((s, p)),
        _ => Err(format!(
            "expected lists, staging holds {}, prod holds {}",
            type_name(s),
            type_name(p)
        )),
    }
}

/// The elements of `a` not found in `b`, each once.
fn missing_from<'v>(a: &'v [Value], b: &[Value]) -> Vec<&'v Value> {
    let mut out: Vec<&Value> = Vec::new();
    for x in a {
        if !b.iter().any(|y| plain_equal(x, y)) && !out.iter().any(|y| plain_equal(x, y)) {
            out.push(x);
        }
    }
    out
}

fn join(values: &[&Value]) -> String {
    values.iter().map(|v| short(v)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests;
