//! `set_equal`: lists must hold the same elements, in any order.

use serde_json::Value;

use super::{Comparator, Judge, Outcome, Sides, Spec, join, lists, missing_from};

pub static SPEC: Spec = Spec {
    name: "set_equal",
    options: &[],
    absent_passes: false,
    can_fail_on_equal: false,
    what: "Lists must hold the same elements, in any order.",
    why: "For sets whose order carries no meaning, such as security groups or target groups.",
    example: "[[rule]]\nid = \"security-groups\"\nkinds = [\"aws.ec2.instance\"]\nfields = [\"security_groups\"]\nexpect = \"set_equal\"",
    build: |_| Ok(Comparator::new(SetEqual)),
};

#[derive(Debug)]
pub struct SetEqual;

impl Judge for SetEqual {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, s: &Value, p: &Value, sides: Sides) -> Outcome {
        let (s, p) = match lists(s, p, sides) {
            Ok(lists) => lists,
            Err(why) => return Outcome::Fail(why),
        };
        let extra = missing_from(s, p);
        let missing = missing_from(p, s);
        if extra.is_empty() && missing.is_empty() {
            return Outcome::Pass;
        }
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing in {}: {}", sides.first, join(&missing)));
        }
        if !extra.is_empty() {
            parts.push(format!("only in {}: {}", sides.first, join(&extra)));
        }
        Outcome::Fail(parts.join("; "))
    }
}
