//! Comparators: how one attribute of a staging resource is judged against the same attribute in prod.
//!
//! Every comparator answers [`Outcome::Pass`], [`Outcome::Fail`] with a short reason, or [`Outcome::Unknown`]
//! when the data cannot decide (a secret without a fingerprint). Unknown is never a pass.
//!
//! Each comparator is one file: its [`Spec`] (name, options, explanation, how a rule's options make it) and its
//! judgement ([`Judge`]); [`comparators!`] lists the files, and the policy parser finds a comparator by name.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use envparity_model::snapshot::{is_redacted, redacted_fingerprint, short, type_name};

/// Declares the comparator modules and [`SPECS`], in the order `policy explain` lists them.
macro_rules! comparators {
    ($($name:ident),* $(,)?) => {
        $(pub mod $name;)*

        /// Every comparator, in the order `policy explain` lists them.
        pub static SPECS: &[&Spec] = &[$(&$name::SPEC),*];
    };
}

comparators!(
    equal,
    ignore,
    differ,
    version,
    same_family,
    staging_at_most_prod,
    ratio,
    set_equal,
    subset,
);

pub use same_family::instance_family;
pub use version::Granularity;

/// What a comparator is, for `envparity policy explain`, the policy parser and the engine: everything about one
/// comparator besides how it judges.
#[derive(Debug)]
pub struct Spec {
    /// Its name in `expect = "..."`.
    pub name: &'static str,
    /// The options it takes besides `expect`.
    pub options: &'static [Opt],
    /// Whether a value absent on one side passes (`ignore`, `differ`) rather than fails.
    pub absent_passes: bool,
    /// Whether two equal values can fail it. When none of a kind's rules can, identical resources are known
    /// to pass without being parsed.
    pub can_fail_on_equal: bool,
    pub what: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    /// Makes the comparator a rule asks for from the options the rule gives; an error says what is wrong with
    /// them, in a line.
    pub build: fn(&Given) -> Result<Comparator, String>,
}

/// One option of a comparator (`granularity = "major"`).
#[derive(Debug)]
pub struct Opt {
    pub name: &'static str,
    /// What it means, in a line.
    pub doc: &'static str,
    pub value: OptValue,
}

/// What an option holds.
#[derive(Debug, Clone, Copy)]
pub enum OptValue {
    Number,
    /// One of these names.
    Choice(&'static [&'static str]),
}

/// The options a rule gives its comparator, checked against their [`Opt`]s by the policy parser.
#[derive(Debug, Default)]
pub struct Given(BTreeMap<&'static str, Value>);

impl Given {
    /// Records an option a rule gives.
    pub fn insert(&mut self, name: &'static str, value: Value) {
        self.0.insert(name, value);
    }

    /// A number option, if given.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.0.get(name).and_then(Value::as_f64)
    }

    /// A choice option, if given, as the type whose names its [`OptValue::Choice`] lists.
    pub fn choice<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        match self.0.get(name).and_then(Value::as_str) {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| format!("`{name}` cannot be {text:?}")),
        }
    }
}

/// How one comparator judges two present values.
pub trait Judge: std::fmt::Debug + Send + Sync {
    fn spec(&self) -> &'static Spec;
    /// Judges two present values that are not both null (and not known equal, unless equal values can fail it);
    /// a reason names them as `sides` says.
    fn judge(&self, staging: &Value, prod: &Value, sides: Sides) -> Outcome;
}

/// What a reason calls the two sides it compares: staging and prod, or what a run compares instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    pub first: &'static str,
    pub second: &'static str,
}

impl Sides {
    pub const STAGING_PROD: Sides = Sides {
        first: "staging",
        second: "prod",
    };
    /// One environment against its own earlier snapshot (drift).
    pub const OVER_TIME: Sides = Sides {
        first: "the earlier snapshot",
        second: "the newer snapshot",
    };
    /// An environment's Terraform state against a live snapshot of it.
    pub const DESIRED_ACTUAL: Sides = Sides {
        first: "the state",
        second: "the live environment",
    };
    /// A development environment against prod (dev parity).
    pub const DEV_PROD: Sides = Sides {
        first: "dev",
        second: "prod",
    };

    /// The reason a value present on the second side only fails.
    pub fn absent_in_first(self) -> String {
        format!("absent in {}", self.first)
    }

    /// The reason a value present on the first side only fails.
    pub fn absent_in_second(self) -> String {
        format!("absent in {}", self.second)
    }

    /// What each side holds, by type: "staging holds a string, prod holds a number".
    fn holding(self, s: &Value, p: &Value) -> String {
        format!(
            "{} holds {}, {} holds {}",
            self.first,
            type_name(s),
            self.second,
            type_name(p)
        )
    }
}

/// The comparison a rule asks for (`expect = "..."` in a policy), with its options.
#[derive(Debug, Clone)]
pub struct Comparator(Arc<dyn Judge>);

impl Comparator {
    pub fn new(judge: impl Judge + 'static) -> Comparator {
        Comparator(Arc::new(judge))
    }

    /// Its [`Spec`].
    pub fn spec(&self) -> &'static Spec {
        self.0.spec()
    }

    /// Whether it is the comparator of `spec` (`comparator.is(&ignore::SPEC)`).
    pub fn is(&self, spec: &'static Spec) -> bool {
        std::ptr::eq(self.spec(), spec)
    }

    /// Judges the attribute; `None` means the attribute is absent on that side. A reason names the sides as
    /// `sides` says.
    pub fn judge(&self, staging: Option<&Value>, prod: Option<&Value>, sides: Sides) -> Outcome {
        let spec = self.spec();
        let (s, p) = match (staging, prod) {
            // Unset on both sides: nothing to compare.
            (None, None) | (Some(Value::Null), Some(Value::Null)) => return Outcome::Pass,
            (None, Some(_)) | (Some(_), None) if spec.absent_passes => return Outcome::Pass,
            (None, Some(_)) => return Outcome::Fail(sides.absent_in_first()),
            (Some(_), None) => return Outcome::Fail(sides.absent_in_second()),
            (Some(s), Some(p)) => (s, p),
        };
        if !spec.can_fail_on_equal && same_value(s, p) == Some(true) {
            return Outcome::Pass;
        }
        self.0.judge(s, p, sides)
    }
}

/// The comparator of this name, if there is one.
pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().copied().find(|s| s.name == name)
}

/// Every option of every comparator, each name once.
pub fn options() -> Vec<&'static Opt> {
    let mut options: Vec<&'static Opt> = Vec::new();
    for opt in SPECS.iter().flat_map(|s| s.options) {
        if !options.iter().any(|o| o.name == opt.name) {
            options.push(opt);
        }
    }
    options
}

/// The names accepted by `expect`, for messages.
pub fn names() -> Vec<&'static str> {
    SPECS.iter().map(|s| s.name).collect()
}

/// The verdict on one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Fails, with what exactly differs when the two values alone do not say it (may be empty).
    Fail(String),
    Unknown(String),
}

const NO_FINGERPRINT: &str = "a secret without a fingerprint cannot be compared: collect with \
     ENVPARITY_FINGERPRINT_KEY set, and, for SecureString parameters and Secrets Manager values (read only when asked), \
     with --decrypt-secrets";

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

fn mismatch(s: &Value, p: &Value, sides: Sides) -> String {
    if type_name(s) == type_name(p) {
        String::new() // The two values say it all.
    } else {
        sides.holding(s, p)
    }
}

/// A number, or a string that holds one (AWS returns RDS parameters and many settings as strings).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        v => v.as_f64(),
    }
}

fn numbers(s: &Value, p: &Value, sides: Sides) -> Result<(f64, f64), String> {
    match (number(s), number(p)) {
        (Some(s), Some(p)) => Ok((s, p)),
        _ => Err(format!("expected numbers, {}", sides.holding(s, p))),
    }
}

fn lists<'v>(s: &'v Value, p: &'v Value, sides: Sides) -> Result<(&'v [Value], &'v [Value]), String> {
    match (s, p) {
        (Value::Array(s), Value::Array(p)) => Ok((s, p)),
        _ => Err(format!("expected lists, {}", sides.holding(s, p))),
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
