//! `ratio`: staging / prod must lie within the bounds.

use serde_json::Value;

use super::{Comparator, Given, Judge, Opt, OptValue, Outcome, Sides, Spec, numbers};

pub static SPEC: Spec = Spec {
    name: "ratio",
    options: &[
        Opt {
            name: "min",
            doc: "the smallest staging/prod ratio allowed",
            value: OptValue::Number,
        },
        Opt {
            name: "max",
            doc: "the largest staging/prod ratio allowed",
            value: OptValue::Number,
        },
    ],
    absent_passes: false,
    can_fail_on_equal: true,
    what: "staging / prod must lie within the bounds; at least one of min and max is required. Strings that \
           hold numbers count as numbers.",
    why: "For sizes that must scale together, such as a staging database at least a quarter of prod's.",
    example: "[[rule]]\nid = \"storage-ratio\"\nkinds = [\"aws.rds.instance\"]\nfields = [\"allocated_storage\"]\nexpect = \"ratio\"\nmin = 0.25\nmax = 1",
    build,
};

fn build(given: &Given) -> Result<Comparator, String> {
    let (min, max) = (given.number("min"), given.number("max"));
    match (min, max) {
        (None, None) => Err("`expect = \"ratio\"` needs `min`, `max` or both".into()),
        (Some(lo), Some(hi)) if lo > hi => Err(format!("ratio bounds are reversed: min {lo} > max {hi}")),
        _ => Ok(Comparator::new(Ratio { min, max })),
    }
}

/// The bounds of staging / prod.
#[derive(Debug)]
pub struct Ratio {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Judge for Ratio {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, s: &Value, p: &Value, sides: Sides) -> Outcome {
        let (s, p) = match numbers(s, p, sides) {
            Ok(pair) => pair,
            Err(why) => return Outcome::Fail(why),
        };
        if p == 0.0 {
            return if s == 0.0 {
                Outcome::Pass
            } else {
                Outcome::Fail(format!("{} is 0, {} is {s}", sides.second, sides.first))
            };
        }
        let r = s / p;
        let shown = (r * 1000.0).round() / 1000.0;
        let ratio = format!("{} is {shown} times {}", sides.first, sides.second);
        match (self.min, self.max) {
            (Some(min), _) if r < min => Outcome::Fail(format!("{ratio}, below {min}")),
            (_, Some(max)) if r > max => Outcome::Fail(format!("{ratio}, above {max}")),
            _ => Outcome::Pass,
        }
    }
}
