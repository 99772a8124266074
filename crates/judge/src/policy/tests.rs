use super::*;
use crate::compare::Granularity;
use envparity_model::catalog::CATALOGUE;

fn errors(text: &str) -> Vec<String> {
    let err = Policy::parse(text, "p.toml", &CATALOGUE).expect_err("the policy should be refused");
    err.to_string().lines().map(str::to_owned).collect()
}

const HEAD: &str = "[policy]\nname = \"t\"\n";

#[test]
fn shipped_policies_parse() {
    for (name, _) in BUILTIN {
        let p = Policy::builtin(name, &CATALOGUE).unwrap();
        // dev-parity's checks are built in: engines and keys across providers, where no kind pairs.
        assert!(!p.rules.is_empty() || *name == "dev-parity", "{name}");
        assert!(
            p.rules.iter().all(|r| r.why.is_some()),
            "every shipped rule says why: {name}"
        );
    }
}

#[test]
fn a_minimal_policy() {
    let p = Policy::parse(HEAD, "p.toml", &CATALOGUE).unwrap();
    assert_eq!(p.name, "t");
    assert_eq!(p.fail_on, FailOn::Error);
    assert_eq!(p.defaults, Defaults::default());
    assert!(p.rules.is_empty());
}

#[test]
fn unknown_keys_name_line_column_and_the_likely_spelling() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"a\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine\"]\nexpcet = \"equal\"\n"
    );
    let e = errors(&text);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].starts_with("p.toml:3:1: a rule needs `expect`"), "{e:?}");
    assert!(
        e[1].starts_with("p.toml:7:1: unknown key `expcet` (did you mean `expect`?"),
        "{e:?}"
    );
}

#[test]
fn every_problem_in_a_file_is_reported_at_once() {
    let text = r#"
[policy]
name = "t"
fail_on = "errors"

[defaults]
unlisted_difference = "loud"

[[rule]]
id = "a"
kinds = ["aws.rds.instnace"]
fields = ["engine..version"]
expect = "equals"

[[rule]]
id = "a"
kinds = ["aws.rds.*"]
fields = ["engine"]
expect = "version"
granularity = "micro"

[[waiver]]
rule = "b"
key = "x"
reason = "r"
owner = "o"
expires = "2027-02-30"

[[waiver]]
rule = "a"
key = "x"
reason = "r"
expires = "2027-01-01"
"#;
    let e = errors(text);
    let expected = [
        "p.toml:4:12: unknown fail_on `errors` (did you mean `error`?",
        "p.toml:7:24: unknown unlisted_difference `loud`",
        "p.toml:11:11: `aws.rds.instnace` matches no known kind (did you mean `aws.rds.instance`?)",
        "p.toml:12:12: bad glob `engine..version` in `fields`: empty segment",
        "p.toml:13:11: unknown comparator `equals` (did you mean `equal`?",
        "p.toml:16:7: duplicate rule id `a`",
        "p.toml:20:16: unknown granularity `micro`",
        "p.toml:23:9: unknown rule in waiver `b`",
        "p.toml:27:12: bad date `2027-02-30` in `expires`",
        "p.toml:29:1: missing field `owner`",
    ];
    assert_eq!(e.len(), expected.len(), "{e:#?}");
    for (got, want) in e.iter().zip(expected) {
        assert!(got.starts_with(want), "\n got: {got}\nwant: {want}");
    }
}

#[test]
fn syntax_errors_and_unquoted_dates() {
    let e = errors("[policy\nname = 1");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("p.toml:1:"), "{e:?}");
    let e = errors(&format!("{HEAD}[[waiver]]\nrule = \"a\"\nexpires = 2027-01-31\n"));
    assert!(e[0].contains("write dates as strings"), "{e:?}");
}

#[test]
fn missing_policy_table_and_wrong_types() {
    let e = errors("[defaults]\n");
    assert_eq!(
        e,
        [
            "p.toml: missing the [policy] table (start the file with: [policy] name = \"staging-mirrors-prod\")"
        ]
    );
    let e = errors(&format!(
        "{HEAD}[[rule]]\nid = 1\nkinds = \"aws.rds.*\"\nfields = []\nexpect = \"equal\"\n"
    ));
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(e[0].contains("expected a string, found integer"), "{e:?}");
    assert!(e[1].contains("found string"), "{e:?}");
    assert!(e[2].contains("`fields` must name at least one pattern"), "{e:?}");
}

#[test]
fn comparator_options_belong_to_their_comparator() {
    let base = format!("{HEAD}[[rule]]\nid = \"a\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine\"]\n");
    let e = errors(&format!(
        "{base}expect = \"equal\"\ngranularity = \"major\"\nmin = 1\n"
    ));
    assert_eq!(e.len(), 2, "{e:?}");
    let e = errors(&format!("{base}expect = \"ratio\"\n"));
    assert!(e[0].contains("needs `min`, `max` or both"), "{e:?}");
    let e = errors(&format!("{base}expect = \"ratio\"\nmin = 2\nmax = 1\n"));
    assert!(e[0].contains("reversed"), "{e:?}");
    let e = errors(&format!("{base}expect = \"equal\"\nprod = true\n"));
    assert!(e[0].contains("not both"), "{e:?}");
    let p = Policy::parse(
        &format!("{base}expect = \"ratio\"\nmin = 0.1\nmax = 1\n"),
        "p",
        &CATALOGUE,
    )
    .unwrap();
    let Check::Compare(comparator) = &p.rules[0].check else {
        panic!("a comparison")
    };
    let expected = Comparator::new(crate::compare::ratio::Ratio {
        min: Some(0.1),
        max: Some(1.0),
    });
    assert_eq!(
        format!("{comparator:?}"),
        format!("{expected:?}"),
        "the comparator and its options"
    );
}

#[test]
fn reserved_ids_are_refused() {
    let e = errors(&format!(
        "{HEAD}[[rule]]\nid = \"missing-in-staging\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine\"]\nexpect = \"equal\"\n"
    ));
    assert!(e[0].contains("reserved"), "{e:?}");
}

#[test]
fn extends_puts_local_rules_first_and_replaces_by_id() {
    let text = r#"
[policy]
name = "mine"
extends = "default"
fail_on = "warning"

[defaults]
extra_in_staging = "ignore"

[[rule]]
id = "engine-version"
kinds = ["aws.rds.*"]
fields = ["engine_version"]
expect = "version"
granularity = "major"
why = "We allow minor drift."

[[waiver]]
rule = "secret-reused"
key = "/a/{env}/B"
reason = "r"
owner = "o"
expires = "2027-01-01"
"#;
    let p = Policy::parse(text, "p.toml", &CATALOGUE).unwrap();
    let default = Policy::builtin("default", &CATALOGUE).unwrap();
    assert_eq!(p.name, "mine");
    assert_eq!(p.fail_on, FailOn::Warning);
    assert_eq!(p.defaults.level(BuiltinRule::ExtraInStaging), Level::Ignore);
    assert_eq!(
        p.defaults.level(BuiltinRule::MissingInStaging),
        default.defaults.level(BuiltinRule::MissingInStaging)
    );
    assert_eq!(p.rules.len(), default.rules.len());
    assert_eq!(p.rules[0].id, "engine-version");
    let Check::Compare(comparator) = &p.rules[0].check else {
        panic!("a comparison")
    };
    let expected = Comparator::new(crate::compare::version::Version(Granularity::Major));
    assert_eq!(
        format!("{comparator:?}"),
        format!("{expected:?}"),
        "the comparator and its options"
    );
    assert_eq!(p.rules.iter().filter(|r| r.id == "engine-version").count(), 1);
    assert_eq!(p.waivers.len(), 1);

    let e = errors("[policy]\nname = \"x\"\nextends = \"defualt\"\n");
    assert!(
        e[0].starts_with("p.toml:3:12: unknown policy to extend `defualt` (did you mean `default`?"),
        "{e:?}"
    );
}

#[test]
fn first_matching_comparison_wins() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"narrow\"\nkinds = [\"aws.rds.parameter_group\"]\nfields = [\"parameters.max_connections\"]\nexpect = \"ignore\"\n\
         [[rule]]\nid = \"broad\"\nkinds = [\"aws.rds.*\"]\nfields = [\"parameters\"]\nexpect = \"equal\"\n"
    );
    let p = Policy::parse(&text, "p", &CATALOGUE).unwrap();
    let id = |kind: &str, path: &str| {
        p.comparison_for(kind, "any", path, false)
            .map(|i| p.rules[i].id.as_str())
    };
    assert_eq!(
        id("aws.rds.parameter_group", "parameters.max_connections"),
        Some("narrow")
    );
    assert_eq!(
        id("aws.rds.parameter_group", "parameters.work_mem"),
        Some("broad")
    );
    assert_eq!(
        id("aws.rds.cluster_parameter_group", "parameters.max_connections"),
        Some("broad")
    );
    assert_eq!(id("aws.rds.cluster", "engine"), None);
}

#[test]
fn rendered_errors_show_the_line_and_a_caret() {
    let err = Policy::parse(
        "[policy]\nname = \"t\"\nfail_on = \"sometimes\"\n",
        "p.toml",
        &CATALOGUE,
    )
    .unwrap_err();
    let text = err.render(false);
    assert!(text.contains("--> p.toml:3:12"), "{text}");
    assert!(text.contains("fail_on = \"sometimes\""), "{text}");
    assert!(text.contains("           ^^^^^^^^^\n"), "{text}");
    assert!(text.ends_with("p.toml: 1 problem in the policy"), "{text}");
}

/// Every comparator `policy explain` lists is one `expect` accepts, and its claim about equal values holds: the
/// engine skips identical resources on the strength of that claim.
#[test]
fn every_comparator_spec_parses_and_its_equal_values_claim_holds() {
    for spec in crate::compare::SPECS {
        let options = match spec.name {
            "ratio" => "min = 2\n",
            _ => "",
        };
        let text = format!(
            "{HEAD}[[rule]]\nid = \"r\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine\"]\nexpect = \"{}\"\n{options}",
            spec.name
        );
        let p = Policy::parse(&text, "p.toml", &CATALOGUE).unwrap();
        let Check::Compare(comparator) = &p.rules[0].check else {
            panic!("{} is a comparison", spec.name)
        };
        assert_eq!(comparator.spec().name, spec.name);
        let same = serde_json::json!(5);
        let fails_on_equal = comparator.judge(Some(&same), Some(&same), crate::compare::Sides::STAGING_PROD)
            != crate::compare::Outcome::Pass;
        assert_eq!(fails_on_equal, spec.can_fail_on_equal, "{}", spec.name);
    }
}

#[test]
fn a_path_inside_a_redacted_secret_is_refused_not_silently_never_matched() {
    let e = errors(&format!(
        "{HEAD}[[rule]]\nid = \"r\"\nkinds = [\"aws.ssm.parameter\"]\nfields = [\"value.fingerprint\"]\nexpect = \"differ\"\n"
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("p.toml:6:12: `value.fingerprint` names a part of a redacted secret"),
        "{e:?}"
    );
    assert!(e[0].contains("name the field `value`"), "{e:?}");
}

#[test]
fn field_patterns_are_checked_in_waivers_too() {
    let e = errors(&format!(
        "{HEAD}[[waiver]]\nrule = \"unlisted-difference\"\nkey = \"x\"\nkind = \"aws.rds.parameter_group\"\nfield = \"paramters\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"2027-01-01\"\n"
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("`paramters` matches no field of aws.rds.parameter_group (did you mean `parameters`?)"),
        "{e:?}"
    );
}

#[test]
fn rule_ids_of_a_user_may_start_with_rule() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"rule-of-thumb\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine\"]\nexpect = \"equal\"\n"
    );
    Policy::parse(&text, "p.toml", &CATALOGUE).unwrap();
    let e = errors(&format!(
        "{HEAD}[[rule]]\nid = \"rule-unused\"\nkinds = [\"aws.rds.*\"]\nfields = [\"engine\"]\nexpect = \"equal\"\n"
    ));
    assert!(e[0].contains("reserved"), "{e:?}");
}

#[test]
fn defaults_keys_are_the_rules_own_and_one_key_sets_every_rule_it_names() {
    let keys: Vec<&str> = Defaults::keys().collect();
    assert_eq!(
        keys,
        [
            "missing_in_staging",
            "extra_in_staging",
            "unlisted_difference",
            "ambiguous_key",
            "empty_source",
            "same_environment",
            "foreign_environment",
            "references_prod",
            "references_staging",
            "unaudited",
            "engine_missing",
            "engine_version",
            "config_key_missing",
        ]
    );
    let p = Policy::parse(
        "[policy]\nname = \"p\"\n[defaults]\nengine_missing = \"warning\"\n",
        "p.toml",
        &CATALOGUE,
    )
    .unwrap();
    let warning = Level::Report(Severity::Warning);
    assert_eq!(p.defaults.level(BuiltinRule::EngineMissing), warning);
    assert_eq!(p.defaults.level(BuiltinRule::EngineAmbiguous), warning);
    assert_eq!(p.defaults.level(BuiltinRule::EngineMajorVersion), Level::Ignore);
    assert_eq!(
        p.defaults.level(BuiltinRule::MissingInStaging),
        Level::Report(Severity::Error)
    );
}
