//! `staging_at_most_prod`: staging's number must not exceed prod's.

use serde_json::Value;

use super::{Comparator, Judge, Outcome, Sides, Spec, numbers};

pub static SPEC: Spec = Spec {
    name: "staging_at_most_prod",
    options: &[],
    absent_passes: false,
    can_fail_on_equal: false,
    what: "Staging's number must not exceed prod's. A string that holds a number counts as that number (AWS \
           returns RDS parameters as strings).",
    why: "Staging may run smaller than prod, never larger: a larger staging hides capacity problems.",
    example: "[[rule]]\nid = \"scale\"\nkinds = [\"aws.autoscaling.group\"]\nfields = [\"desired_capacity\"]\nexpect = \"staging_at_most_prod\"",
    build: |_| Ok(Comparator::new(StagingAtMostProd)),
};

#[derive(Debug)]
pub struct StagingAtMostProd;

impl Judge for StagingAtMostProd {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, s: &Value, p: &Value, sides: Sides) -> Outcome {
        match numbers(s, p, sides) {
            Ok((s, p)) if s <= p => Outcome::Pass,
            Ok((s, p)) => Outcome::Fail(format!("{} {s} exceeds {} {p}", sides.first, sides.second)),
            Err(why) => Outcome::Fail(why),
        }
    }
}
