//! `subset`: every element of staging's list must be in prod's.

use serde_json::Value;

use super::{Comparator, Judge, Outcome, Sides, Spec, join, lists, missing_from};

pub static SPEC: Spec = Spec {
    name: "subset",
    options: &[],
    absent_passes: false,
    can_fail_on_equal: false,
    what: "Every element of staging's list must be in prod's.",
    why: "Staging may run fewer of something (availability zones, instance types), never one prod lacks.",
    example: "[[rule]]\nid = \"instance-types\"\nkinds = [\"aws.autoscaling.group\"]\nfields = [\"instance_types\"]\nexpect = \"subset\"",
    build: |_| Ok(Comparator::new(Subset)),
};

#[derive(Debug)]
pub struct Subset;

impl Judge for Subset {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, s: &Value, p: &Value, sides: Sides) -> Outcome {
        match lists(s, p, sides) {
            Ok((s, p)) => match missing_from(s, p) {
                extra if extra.is_empty() => Outcome::Pass,
                extra => Outcome::Fail(format!("not in {}: {}", sides.second, join(&extra))),
            },
            Err(why) => Outcome::Fail(why),
        }
    }
}
