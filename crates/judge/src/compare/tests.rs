use serde_json::{Value, json};

use super::*;

fn judge(c: Comparator, s: Value, p: Value) -> Outcome {
    c.judge(Some(&s), Some(&p), Sides::STAGING_PROD)
}

fn fails(o: &Outcome) -> bool {
    matches!(o, Outcome::Fail(_))
}

#[test]
fn numeric_strings_count_as_numbers_in_numeric_comparators() {
    // RDS returns parameter values as strings: max_connections "100" against "400".
    assert_eq!(
        judge(
            Comparator::new(staging_at_most_prod::StagingAtMostProd),
            json!("100"),
            json!("400")
        ),
        Outcome::Pass
    );
    assert_eq!(
        judge(
            Comparator::new(staging_at_most_prod::StagingAtMostProd),
            json!("800"),
            json!(" 400 ")
        ),
        Outcome::Fail("staging 800 exceeds prod 400".into())
    );
    let ratio = Comparator::new(ratio::Ratio {
        min: Some(0.25),
        max: None,
    });
    assert_eq!(judge(ratio.clone(), json!("100"), json!(400)), Outcome::Pass);
    assert!(fails(&judge(ratio, json!("NaN"), json!(400))));
}

#[test]
fn equal_compares_numbers_by_value_and_names_type_mismatches() {
    assert_eq!(
        judge(Comparator::new(equal::Equal), json!(1), json!(1.0)),
        Outcome::Pass
    );
    assert_eq!(
        judge(
            Comparator::new(equal::Equal),
            json!({"a": [1]}),
            json!({"a": [1.0]})
        ),
        Outcome::Pass
    );
    assert_eq!(
        judge(Comparator::new(equal::Equal), json!("15"), json!(15)),
        Outcome::Fail("staging holds a string, prod holds a number".into())
    );
    assert_eq!(
        judge(Comparator::new(equal::Equal), json!(null), json!(null)),
        Outcome::Pass
    );
    assert!(fails(&judge(
        Comparator::new(equal::Equal),
        json!(null),
        json!(false)
    )));
}

#[test]
fn absence_on_one_side_fails_every_comparator_but_ignore_and_differ() {
    let v = json!("x");
    for c in [
        Comparator::new(equal::Equal),
        Comparator::new(version::Version(Granularity::Major)),
        Comparator::new(same_family::SameFamily),
        Comparator::new(staging_at_most_prod::StagingAtMostProd),
        Comparator::new(set_equal::SetEqual),
        Comparator::new(subset::Subset),
        Comparator::new(ratio::Ratio { min: None, max: None }),
    ] {
        assert_eq!(
            c.judge(None, Some(&v), Sides::STAGING_PROD),
            Outcome::Fail("absent in staging".into()),
            "{c:?}"
        );
        assert_eq!(
            c.judge(Some(&v), None, Sides::STAGING_PROD),
            Outcome::Fail("absent in prod".into()),
            "{c:?}"
        );
    }
    assert_eq!(
        Comparator::new(ignore::Ignore).judge(None, Some(&v), Sides::STAGING_PROD),
        Outcome::Pass
    );
    assert_eq!(
        Comparator::new(differ::Differ).judge(None, Some(&v), Sides::STAGING_PROD),
        Outcome::Pass
    );
}

#[test]
fn version_granularity_and_less_specific_sides() {
    let major = Comparator::new(version::Version(Granularity::Major));
    let minor = Comparator::new(version::Version(Granularity::Minor));
    let patch = Comparator::new(version::Version(Granularity::Patch));
    assert_eq!(judge(major.clone(), json!("15"), json!("15.6")), Outcome::Pass);
    assert_eq!(judge(minor.clone(), json!("15"), json!("15.6")), Outcome::Pass);
    assert_eq!(
        judge(minor.clone(), json!("15.6"), json!("15.6.2")),
        Outcome::Pass
    );
    assert_eq!(judge(major.clone(), json!("15.2"), json!("15.6")), Outcome::Pass);
    assert_eq!(
        judge(minor.clone(), json!("15.2"), json!("15.6")),
        Outcome::Fail("15.2 and 15.6 differ at minor version".into())
    );
    assert_eq!(
        judge(major, json!("14.11"), json!("15.6")),
        Outcome::Fail("14.11 and 15.6 differ at major version".into())
    );
    assert!(fails(&judge(patch.clone(), json!("7.1.0"), json!("7.1.2"))));
    assert_eq!(
        judge(patch.clone(), json!("v8.0.04"), json!("8.0.4")),
        Outcome::Pass
    );
    assert_eq!(judge(minor.clone(), json!(7.1), json!("7.1")), Outcome::Pass);
    assert!(fails(&judge(minor.clone(), json!(true), json!("7.1"))));
    assert!(fails(&judge(minor, json!(""), json!("7.1"))));
    assert!(fails(&judge(
        patch,
        json!("8.0.mysql_aurora.3.04.0"),
        json!("8.0.mysql_aurora2")
    )));
}

#[test]
fn same_family_for_ec2_rds_and_elasticache_classes() {
    assert_eq!(
        judge(
            Comparator::new(same_family::SameFamily),
            json!("m6i.large"),
            json!("m6i.2xlarge")
        ),
        Outcome::Pass
    );
    assert_eq!(
        judge(
            Comparator::new(same_family::SameFamily),
            json!("db.r6g.large"),
            json!("db.r6g.4xlarge")
        ),
        Outcome::Pass
    );
    assert_eq!(
        judge(
            Comparator::new(same_family::SameFamily),
            json!("cache.t4g.small"),
            json!("cache.r7g.large")
        ),
        Outcome::Fail("family t4g in staging, r7g in prod".into())
    );
    assert_eq!(
        judge(
            Comparator::new(same_family::SameFamily),
            json!(["m6i.large", "m6i.xlarge"]),
            json!(["m6i.4xlarge"])
        ),
        Outcome::Pass
    );
    assert!(fails(&judge(
        Comparator::new(same_family::SameFamily),
        json!(["m6i.large", "c6i.large"]),
        json!(["m6i.large"])
    )));
    assert!(fails(&judge(
        Comparator::new(same_family::SameFamily),
        json!(3),
        json!("m6i.large")
    )));
    assert_eq!(instance_family("db.serverless"), "serverless");
}

#[test]
fn staging_at_most_prod_and_ratio() {
    assert_eq!(
        judge(
            Comparator::new(staging_at_most_prod::StagingAtMostProd),
            json!(2),
            json!(12)
        ),
        Outcome::Pass
    );
    assert_eq!(
        judge(
            Comparator::new(staging_at_most_prod::StagingAtMostProd),
            json!(12),
            json!(12)
        ),
        Outcome::Pass
    );
    assert_eq!(
        judge(
            Comparator::new(staging_at_most_prod::StagingAtMostProd),
            json!(13),
            json!(12)
        ),
        Outcome::Fail("staging 13 exceeds prod 12".into())
    );
    assert_eq!(
        judge(
            Comparator::new(staging_at_most_prod::StagingAtMostProd),
            json!("two"),
            json!(12)
        ),
        Outcome::Fail("expected numbers, staging holds a string, prod holds a number".into())
    );
    let ratio = Comparator::new(ratio::Ratio {
        min: Some(0.1),
        max: Some(0.5),
    });
    assert_eq!(judge(ratio.clone(), json!(2), json!(10)), Outcome::Pass);
    assert_eq!(
        judge(ratio.clone(), json!(1), json!(20)),
        Outcome::Fail("staging is 0.05 times prod, below 0.1".into())
    );
    assert!(fails(&judge(ratio.clone(), json!(6), json!(10))));
    assert_eq!(judge(ratio.clone(), json!(0), json!(0)), Outcome::Pass);
    assert!(fails(&judge(ratio, json!(1), json!(0))));
}

#[test]
fn set_equal_and_subset() {
    assert_eq!(
        judge(
            Comparator::new(set_equal::SetEqual),
            json!(["a", "b"]),
            json!(["b", "a", "a"])
        ),
        Outcome::Pass
    );
    assert_eq!(
        judge(
            Comparator::new(set_equal::SetEqual),
            json!(["a", "c"]),
            json!(["a", "b"])
        ),
        Outcome::Fail("missing in staging: b; only in staging: c".into())
    );
    assert_eq!(
        judge(Comparator::new(subset::Subset), json!(["a"]), json!(["a", "b"])),
        Outcome::Pass
    );
    assert_eq!(
        judge(Comparator::new(subset::Subset), json!([]), json!(["a"])),
        Outcome::Pass
    );
    assert_eq!(
        judge(Comparator::new(subset::Subset), json!(["a", "z"]), json!(["a"])),
        Outcome::Fail("not in prod: z".into())
    );
    assert!(fails(&judge(
        Comparator::new(set_equal::SetEqual),
        json!("a"),
        json!(["a"])
    )));
}

#[test]
fn secrets_compare_by_fingerprint_and_never_pass_without_one() {
    let a = json!({"redacted": true, "fingerprint": "hmac-sha256:aa"});
    let b = json!({"redacted": true, "fingerprint": "hmac-sha256:bb"});
    let bare = json!({"redacted": true});
    assert_eq!(
        judge(Comparator::new(differ::Differ), a.clone(), b.clone()),
        Outcome::Pass
    );
    assert_eq!(
        judge(Comparator::new(differ::Differ), a.clone(), a.clone()),
        Outcome::Fail("the same secret on both sides".into())
    );
    assert!(matches!(
        judge(Comparator::new(differ::Differ), bare.clone(), a.clone()),
        Outcome::Unknown(_)
    ));
    assert!(matches!(
        judge(Comparator::new(equal::Equal), bare.clone(), bare.clone()),
        Outcome::Unknown(_)
    ));
    assert!(fails(&judge(Comparator::new(equal::Equal), a, b)));
    assert_eq!(
        judge(Comparator::new(differ::Differ), json!("x"), json!("x")),
        Outcome::Fail("the same value on both sides".into())
    );
    assert_eq!(
        judge(Comparator::new(differ::Differ), json!("x"), json!("y")),
        Outcome::Pass
    );
}

#[test]
fn expected_values() {
    assert_eq!(expect_value(&json!(true), &json!(true)), Outcome::Pass);
    assert_eq!(
        expect_value(&json!(true), &json!(false)),
        Outcome::Fail("expected true, found false".into())
    );
    assert_eq!(
        expect_value(&json!("gp3"), &json!(null)),
        Outcome::Fail("expected gp3, found null".into())
    );
}

/// The policy parser reads an option by its name before it knows the comparator: a name two comparators
/// shared with different kinds of value would be read as the first one's.
#[test]
fn an_option_name_means_one_kind_of_value_across_comparators() {
    for a in SPECS.iter().flat_map(|s| s.options) {
        for b in SPECS.iter().flat_map(|s| s.options) {
            if a.name == b.name {
                assert_eq!(format!("{:?}", a.value), format!("{:?}", b.value), "{}", a.name);
            }
        }
    }
}

#[test]
fn every_reason_names_the_sides_it_is_given() {
    let state_live = Sides::DESIRED_ACTUAL;
    let fail =
        |c: Comparator, s: Option<Value>, p: Option<Value>| match c.judge(s.as_ref(), p.as_ref(), state_live)
        {
            Outcome::Fail(why) => why,
            other => panic!("{c:?} gave {other:?}"),
        };
    let ratio = || {
        Comparator::new(ratio::Ratio {
            min: Some(0.5),
            max: None,
        })
    };
    let cases = [
        (
            Comparator::new(equal::Equal),
            None,
            Some(json!(1)),
            "absent in the state",
        ),
        (
            Comparator::new(equal::Equal),
            Some(json!(1)),
            None,
            "absent in the live environment",
        ),
        (
            Comparator::new(equal::Equal),
            Some(json!("15")),
            Some(json!(15)),
            "the state holds a string, the live environment holds a number",
        ),
        (
            Comparator::new(version::Version(Granularity::Major)),
            Some(json!(true)),
            Some(json!("15")),
            "expected versions, the state holds a boolean, the live environment holds a string",
        ),
        (
            Comparator::new(same_family::SameFamily),
            Some(json!("db.r6g.large")),
            Some(json!("db.m6g.large")),
            "family r6g in the state, m6g in the live environment",
        ),
        (
            Comparator::new(staging_at_most_prod::StagingAtMostProd),
            Some(json!(4)),
            Some(json!(2)),
            "the state 4 exceeds the live environment 2",
        ),
        (
            ratio(),
            Some(json!(1)),
            Some(json!(4)),
            "the state is 0.25 times the live environment, below 0.5",
        ),
        (
            ratio(),
            Some(json!(1)),
            Some(json!(0)),
            "the live environment is 0, the state is 1",
        ),
        (
            ratio(),
            Some(json!("many")),
            Some(json!(0)),
            "expected numbers, the state holds a string, the live environment holds a number",
        ),
        (
            Comparator::new(set_equal::SetEqual),
            Some(json!(["a", "b"])),
            Some(json!(["a", "c"])),
            "missing in the state: c; only in the state: b",
        ),
        (
            Comparator::new(subset::Subset),
            Some(json!(["a", "b"])),
            Some(json!("a")),
            "expected lists, the state holds a list, the live environment holds a string",
        ),
        (
            Comparator::new(subset::Subset),
            Some(json!(["a", "b"])),
            Some(json!(["a"])),
            "not in the live environment: b",
        ),
    ];
    for (c, s, p, why) in cases {
        assert_eq!(fail(c, s, p), why);
    }
}
