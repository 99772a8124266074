//! The rule ids envparity gives its own findings: one declaration per rule (its id, whether a waiver may
//! silence it, the `[defaults]` key that sets its level and that level, its wording), so a policy can neither
//! shadow them nor waive the ones that must not be waived, and nothing is listed twice.

use super::{Level, Severity};

/// What is declared of one built-in rule.
struct Declaration {
    id: &'static str,
    waivable: bool,
    default: Option<(&'static str, Level)>,
    message: &'static str,
}

/// Declares the built-in rules: the enum, [`BuiltinRule::ALL`] in the order given, and each rule's
/// [`Declaration`].
macro_rules! builtin_rules {
    ($($(#[doc = $doc:literal])* $rule:ident {
        id: $id:literal,
        waivable: $waivable:literal,
        default: $default:expr,
        message: $message:expr,
    })*) => {
        /// A finding that no policy rule decided.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum BuiltinRule {
            $($(#[doc = $doc])* $rule,)*
        }

        impl BuiltinRule {
            /// Every built-in rule, in the order reports list them.
            pub const ALL: &[BuiltinRule] = &[$(BuiltinRule::$rule),*];

            fn declaration(self) -> Declaration {
                match self {
                    $(BuiltinRule::$rule => Declaration {
                        id: $id,
                        waivable: $waivable,
                        default: $default,
                        message: $message,
                    },)*
                }
            }
        }
    };
}

builtin_rules! {
    /// A resource prod has and staging lacks.
    MissingInStaging {
        id: "missing-in-staging",
        waivable: true,
        default: Some(("missing_in_staging", Level::Report(Severity::Error))),
        message: "Present in prod, absent in staging.",
    }
    /// A resource staging has and prod lacks.
    ExtraInStaging {
        id: "extra-in-staging",
        waivable: true,
        default: Some(("extra_in_staging", Level::Report(Severity::Warning))),
        message: "Present in staging, absent in prod.",
    }
    /// A differing attribute that no rule names.
    UnlistedDifference {
        id: "unlisted-difference",
        waivable: true,
        default: Some(("unlisted_difference", Level::Report(Severity::Warning))),
        message: "No rule covers this attribute, and it differs.",
    }
    /// Several resources of one kind share a key on one side.
    AmbiguousKey {
        id: "ambiguous-key",
        waivable: true,
        default: Some(("ambiguous_key", Level::Report(Severity::Error))),
        message: "Several resources share this key on one side, so they were not compared; give them distinct \
             names or a key tag.",
    }
    /// Something could not be read or judged.
    Incomplete {
        id: "incomplete",
        waivable: false,
        default: None,
        message: "Could not be read, so it is unknown, not absent: a gate cannot pass on what it did not see.",
    }
    /// A waiver past its date.
    WaiverExpired {
        id: "waiver-expired",
        waivable: false,
        default: None,
        message: "A waiver expired; renew it or fix what it waived.",
    }
    /// A waiver that silenced nothing.
    WaiverUnused {
        id: "waiver-unused",
        waivable: false,
        default: None,
        message: "A waiver matched no finding; remove it.",
    }
    /// A rule of the policy file that decided nothing in this run.
    RuleUnused {
        id: "rule-unused",
        waivable: false,
        default: None,
        message: "A rule of the policy decided no attribute in this run: its kinds or fields name nothing these \
             snapshots hold, or an earlier rule decides them first.",
    }
    /// Neither side holds a resource, or nothing paired: no verdict can be earned.
    NothingCompared {
        id: "nothing-compared",
        waivable: false,
        default: None,
        message: "Nothing was compared, so there is no verdict to give: a run that compared nothing is not parity.",
    }
    /// A configured source (service in a region, SSM path, config file) that held nothing.
    EmptySource {
        id: "empty-source",
        waivable: true,
        default: Some(("empty_source", Level::Report(Severity::Warning))),
        message: "A configured source held nothing: a typo in a path, region or account looks exactly like this.",
    }
    /// Both snapshots are of one environment, or are one snapshot.
    SameEnvironment {
        id: "same-environment",
        waivable: false,
        default: Some(("same_environment", Level::Report(Severity::Warning))),
        message: "Both sides are the same environment: this compares it with itself, not staging with prod.",
    }
    /// A resource whose name or tags carry the other environment's token.
    ForeignEnvironment {
        id: "foreign-environment",
        waivable: true,
        default: Some(("foreign_environment", Level::Report(Severity::Error))),
        message: "Its name or tags say it belongs to the other environment: a shared account or a filter that lets \
             the other environment's resources in.",
    }
    /// A staging value that names a prod resource or account.
    ReferencesProd {
        id: "references-prod",
        waivable: true,
        default: Some(("references_prod", Level::Report(Severity::Error))),
        message: "A staging value points at a prod resource or account: staging would read or write prod's data, \
             the classic breach.",
    }
    /// A prod value that names a staging resource or account.
    ReferencesStaging {
        id: "references-staging",
        waivable: true,
        default: Some(("references_staging", Level::Report(Severity::Error))),
        message: "A prod value points at a staging resource or account: prod would depend on an environment built \
             to break.",
    }
    /// A queue whose visibility timeout does not cover the timeout of a function it feeds.
    QueueVisibility {
        id: "queue-visibility",
        waivable: true,
        default: None,
        message: "A queue must hide a message for longer than the function it feeds may take with it (AWS \
             recommends six times the timeout), or a message still in work is handed out again.",
    }
    /// Resources of a type no configured collector reads (`defaults.unaudited`, off by default).
    Unaudited {
        id: "unaudited",
        waivable: true,
        default: Some(("unaudited", Level::Ignore)),
        message: "The environment runs resources of a type envparity does not read: their parity was not checked.",
    }
    /// Dev parity: an engine prod runs that no dev engine pairs with.
    EngineMissing {
        id: "engine-missing",
        waivable: true,
        default: Some(("engine_missing", Level::Ignore)),
        message: "Prod runs a database or cache that the development environment does not: code tested without it \
             meets it first in prod.",
    }
    /// Dev parity: several engines of one kind whose names do not say which pairs with which.
    EngineAmbiguous {
        id: "engine-ambiguous",
        waivable: true,
        default: Some(("engine_missing", Level::Ignore)),
        message: "Several databases or caches of one engine, and names that do not say which pairs with which: name \
             the compose service after the prod resource (orders-db for orders-prod-db).",
    }
    /// Dev parity: a dev engine at another major version than prod's, or pinning none.
    EngineMajorVersion {
        id: "engine-major-version",
        waivable: true,
        default: Some(("engine_version", Level::Ignore)),
        message: "The development environment runs another major version of an engine than prod, or pins none: \
             behaviour and SQL differ between major versions.",
    }
    /// Dev parity: a config key prod's applications get that no dev service sets.
    ConfigKeyMissing {
        id: "config-key-missing",
        waivable: true,
        default: Some(("config_key_missing", Level::Ignore)),
        message: "Prod's applications get a setting that no development service sets: the code path behind it never \
             runs on a laptop.",
    }
}

impl BuiltinRule {
    /// The id findings and waivers use.
    pub fn id(self) -> &'static str {
        self.declaration().id
    }

    pub fn from_id(id: &str) -> Option<BuiltinRule> {
        BuiltinRule::ALL.iter().copied().find(|r| r.id() == id)
    }

    /// Whether a waiver may silence it. What was not seen cannot be waived, and findings about the policy
    /// itself are fixed in the policy.
    pub fn waivable(self) -> bool {
        self.declaration().waivable
    }

    /// The `[defaults]` key that sets its level, and the level when no policy sets it; `None` for rules whose
    /// severity is fixed or decided by their check.
    pub fn default(self) -> Option<(&'static str, Level)> {
        self.declaration().default
    }

    /// Why it matters: the finding's message.
    pub fn message(self) -> &'static str {
        self.declaration().message
    }

    /// The message when both sides are one environment over time (drift): the earlier snapshot plays staging.
    pub fn message_over_time(self) -> &'static str {
        match self {
            BuiltinRule::MissingInStaging => "Added since the earlier snapshot.",
            BuiltinRule::ExtraInStaging => "Removed since the earlier snapshot.",
            other => other.message(),
        }
    }

    /// The message when the first side is a Terraform state and the second the live environment.
    pub fn message_desired_actual(self) -> &'static str {
        match self {
            BuiltinRule::MissingInStaging => {
                "Unmanaged: in the live environment, with no entry in the Terraform state (made by hand, or by \
                 another tool)."
            }
            BuiltinRule::ExtraInStaging => {
                "Deleted outside Terraform: in the state, not in the live environment."
            }
            BuiltinRule::UnlistedDifference => {
                "Changed outside Terraform: the live value differs from the state's."
            }
            other => other.message(),
        }
    }

    /// The ids a policy may not give its own rules: every built-in id and anything starting with `waiver-`.
    pub fn reserves(id: &str) -> bool {
        BuiltinRule::from_id(id).is_some() || id.starts_with("waiver-")
    }
}
