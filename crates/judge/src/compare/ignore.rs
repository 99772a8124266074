//! `ignore`: the fields are never judged.

use serde_json::Value;

use super::{Comparator, Judge, Outcome, Sides, Spec};

pub static SPEC: Spec = Spec {
    name: "ignore",
    options: &[],
    absent_passes: true,
    can_fail_on_equal: false,
    what: "The fields are never judged, and differences in them are not reported as unlisted.",
    why: "For values that differ by design (hostnames, config values, sizes checked elsewhere). Placed \
          before a broader rule, it carves an exception out of it.",
    example: "[[rule]]\nid = \"config-values\"\nkinds = [\"aws.ssm.parameter\"]\nfields = [\"value\"]\nexpect = \"ignore\"",
    build: |_| Ok(Comparator::new(Ignore)),
};

#[derive(Debug)]
pub struct Ignore;

impl Judge for Ignore {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, _: &Value, _: &Value, _: Sides) -> Outcome {
        Outcome::Pass
    }
}
