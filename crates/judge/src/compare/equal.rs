//! `equal`: staging and prod must hold the same value.

use serde_json::Value;

use super::{Comparator, Judge, NO_FINGERPRINT, Outcome, Sides, Spec, mismatch, same_value};

pub static SPEC: Spec = Spec {
    name: "equal",
    options: &[],
    absent_passes: false,
    can_fail_on_equal: false,
    what: "Staging and prod must hold the same value. Numbers compare by value (1 equals 1.0); secrets by \
           fingerprint, and without fingerprints the finding is incomplete, never a pass.",
    why: "For settings that change behaviour whatever the size of the environment: engines, protocols, \
          health checks, TLS policies.",
    example: "[[rule]]\nid = \"load-balancer-setup\"\nkinds = [\"aws.elbv2.*\"]\nfields = [\"listeners\", \"health_check\"]\nexpect = \"equal\"",
    build: |_| Ok(Comparator::new(Equal)),
};

#[derive(Debug)]
pub struct Equal;

impl Judge for Equal {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, s: &Value, p: &Value, sides: Sides) -> Outcome {
        match same_value(s, p) {
            Some(true) => Outcome::Pass,
            Some(false) => Outcome::Fail(mismatch(s, p, sides)),
            None => Outcome::Unknown(NO_FINGERPRINT.into()),
        }
    }
}
