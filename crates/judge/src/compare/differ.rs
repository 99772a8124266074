//! `differ`: staging and prod must not hold the same value.

use serde_json::Value;

use super::{Comparator, Judge, NO_FINGERPRINT, Outcome, Sides, Spec, same_value};
use envparity_model::snapshot::is_redacted;

pub static SPEC: Spec = Spec {
    name: "differ",
    options: &[],
    absent_passes: true,
    can_fail_on_equal: true,
    what: "Staging and prod must not hold the same value. With `secrets_only = true` it applies only to \
           values stored redacted, compared by fingerprint.",
    why: "A production secret reused in staging gives everyone who can read staging access to production.",
    example: "[[rule]]\nid = \"secret-reused\"\nkinds = [\"aws.ssm.parameter\"]\nfields = [\"value\"]\nsecrets_only = true\nexpect = \"differ\"",
    build: |_| Ok(Comparator::new(Differ)),
};

#[derive(Debug)]
pub struct Differ;

impl Judge for Differ {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn judge(&self, s: &Value, p: &Value, _: Sides) -> Outcome {
        match same_value(s, p) {
            Some(false) => Outcome::Pass,
            Some(true) if is_redacted(s) => Outcome::Fail("the same secret on both sides".into()),
            Some(true) => Outcome::Fail("the same value on both sides".into()),
            None => Outcome::Unknown(NO_FINGERPRINT.into()),
        }
    }
}
