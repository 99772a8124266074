//! The rule ids envparity gives its own findings, with their wording: one registry, so a policy can neither
//! shadow them nor waive the ones that must not be waived.

/// A finding that no policy rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuiltinRule {
    /// A resource prod has and staging lacks.
    MissingInStaging,
    /// A resource staging has and prod lacks.
    ExtraInStaging,
    /// A differing attribute that no rule names.
    UnlistedDifference,
    /// Several resources of one kind share a key on one side.
    AmbiguousKey,
    /// Something could not be read or judged.
    Incomplete,
    /// A waiver past its date.
    WaiverExpired,
    /// A waiver that silenced nothing.
    WaiverUnused,
    /// A rule of the policy file that decided nothing in this run.
    RuleUnused,
    /// Neither side holds a resource, or nothing paired: no verdict can be earned.
    NothingCompared,
    /// A configured source (service in a region, SSM path, config file) that held nothing.
    EmptySource,
    /// Both snapshots are of one environment, or are one snapshot.
    SameEnvironment,
    /// A resource whose name or tags carry the other environment's token.
    ForeignEnvironment,
    /// A staging value that names a prod resource or account.
    ReferencesProd,
    /// A prod value that names a staging resource or account.
    ReferencesStaging,
    /// A queue whose visibility timeout does not cover the timeout of a function it feeds.
    QueueVisibility,
    /// Resources of a type no configured collector reads (`defaults.unaudited`, off by default).
    Unaudited,
    /// Dev parity: an engine prod runs that no dev engine pairs with.
    EngineMissing,
    /// Dev parity: several engines of one kind whose names do not say which pairs with which.
    EngineAmbiguous,
    /// Dev parity: a dev engine at another major version than prod's, or pinning none.
    EngineMajorVersion,
    /// Dev parity: a config key prod's applications get that no dev service sets.
    ConfigKeyMissing,
}

impl BuiltinRule {
    pub const ALL: [BuiltinRule; 20] = [
        BuiltinRule::MissingInStaging,
        BuiltinRule::ExtraInStaging,
        BuiltinRule::UnlistedDifference,
        BuiltinRule::AmbiguousKey,
        BuiltinRule::Incomplete,
        BuiltinRule::WaiverExpired,
        BuiltinRule::WaiverUnused,
        BuiltinRule::RuleUnused,
        BuiltinRule::NothingCompared,
        BuiltinRule::EmptySource,
        BuiltinRule::SameEnvironment,
        BuiltinRule::ForeignEnvironment,
        BuiltinRule::ReferencesProd,
        BuiltinRule::ReferencesStaging,
        BuiltinRule::QueueVisibility,
        BuiltinRule::Unaudited,
        BuiltinRule::EngineMissing,
        BuiltinRule::EngineAmbiguous,
        BuiltinRule::EngineMajorVersion,
        BuiltinRule::ConfigKeyMissing,
    ];

    /// The id findings and waivers use.
    pub fn id(self) -> &'static str {
        match self {
            BuiltinRule::MissingInStaging => "missing-in-staging",
            BuiltinRule::ExtraInStaging => "extra-in-staging",
            BuiltinRule::UnlistedDifference => "unlisted-difference",
            BuiltinRule::AmbiguousKey => "ambiguous-key",
            BuiltinRule::Incomplete => "incomplete",
            BuiltinRule::WaiverExpired => "waiver-expired",
            BuiltinRule::WaiverUnused => "waiver-unused",
            BuiltinRule::RuleUnused => "rule-unused",
            BuiltinRule::NothingCompared => "nothing-compared",
            BuiltinRule::EmptySource => "empty-source",
            BuiltinRule::SameEnvironment => "same-environment",
            BuiltinRule::ForeignEnvironment => "foreign-environment",
            BuiltinRule::ReferencesProd => "references-prod",
            BuiltinRule::ReferencesStaging => "references-staging",
            BuiltinRule::QueueVisibility => "queue-visibility",
            BuiltinRule::Unaudited => "unaudited",
            BuiltinRule::EngineMissing => "engine-missing",
            BuiltinRule::EngineAmbiguous => "engine-ambiguous",
            BuiltinRule::EngineMajorVersion => "engine-major-version",
            BuiltinRule::ConfigKeyMissing => "config-key-missing",
        }
    }

    pub fn from_id(id: &str) -> Option<BuiltinRule> {
        BuiltinRule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Whether a waiver may silence it. What was not seen cannot be waived, and findings about the policy
    /// itself are fixed in the policy.
    pub fn waivable(self) -> bool {
        match self {
            BuiltinRule::MissingInStaging
            | BuiltinRule::ExtraInStaging
            | BuiltinRule::UnlistedDifference
            | BuiltinRule::AmbiguousKey
            | BuiltinRule::EmptySource
            | BuiltinRule::ForeignEnvironment
            | BuiltinRule::ReferencesProd
            | BuiltinRule::ReferencesStaging
            | BuiltinRule::QueueVisibility
            | BuiltinRule::Unaudited
            | BuiltinRule::EngineMissing
            | BuiltinRule::EngineAmbiguous
            | BuiltinRule::EngineMajorVersion
            | BuiltinRule::ConfigKeyMissing => true,
            BuiltinRule::Incomplete
            | BuiltinRule::WaiverExpired
            | BuiltinRule::WaiverUnused
            | BuiltinRule::RuleUnused
            | BuiltinRule::NothingCompared
            | BuiltinRule::SameEnvironment => false,
        }
    }

    /// Why it matters: the finding's message.
    pub fn message(self) -> &'static str {
        match self {
            BuiltinRule::MissingInStaging => "Present in prod, absent in staging.",
            BuiltinRule::ExtraInStaging => "Present in staging, absent in prod.",
            BuiltinRule::UnlistedDifference => "No rule covers this attribute, and it differs.",
            BuiltinRule::AmbiguousKey => {
                "Several resources share this key on one side, so they were not compared; give them distinct \
                 names or a key tag."
            }
            BuiltinRule::Incomplete => {
                "Could not be read, so it is unknown, not absent: a gate cannot pass on what it did not see."
            }
            BuiltinRule::WaiverExpired => "A waiver expired; renew it or fix what it waived.",
            BuiltinRule::WaiverUnused => "A waiver matched no finding; remove it.",
            BuiltinRule::RuleUnused => {
                "A rule of the policy decided no attribute in this run: its kinds or fields name nothing these \
                 snapshots hold, or an earlier rule decides them first."
            }
            BuiltinRule::NothingCompared => {
                "Nothing was compared, so there is no verdict to give: a run that compared nothing is not parity."
            }
            BuiltinRule::EmptySource => {
                "A configured source held nothing: a typo in a path, region or account looks exactly like this."
            }
            BuiltinRule::SameEnvironment => {
                "Both sides are the same environment: this compares it with itself, not staging with prod."
            }
            BuiltinRule::ForeignEnvironment => {
                "Its name or tags say it belongs to the other environment: a shared account or a filter that lets \
                 the other environment's resources in."
            }
            BuiltinRule::ReferencesProd => {
                "A staging value points at a prod resource or account: staging would read or write prod's data, \
                 the classic breach."
            }
            BuiltinRule::QueueVisibility => {
                "A queue must hide a message for longer than the function it feeds may take with it (AWS \
                 recommends six times the timeout), or a message still in work is handed out again."
            }
            BuiltinRule::Unaudited => {
                "The environment runs resources of a type envparity does not read: their parity was not checked."
            }
            BuiltinRule::EngineMissing => {
                "Prod runs a database or cache that the development environment does not: code tested without it \
                 meets it first in prod."
            }
            BuiltinRule::EngineAmbiguous => {
                "Several databases or caches of one engine, and names that do not say which pairs with which: name \
                 the compose service after the prod resource (orders-db for orders-prod-db)."
            }
            BuiltinRule::EngineMajorVersion => {
                "The development environment runs another major version of an engine than prod, or pins none: \
                 behaviour and SQL differ between major versions."
            }
            BuiltinRule::ConfigKeyMissing => {
                "Prod's applications get a setting that no development service sets: the code path behind it never \
                 runs on a laptop."
            }
            BuiltinRule::ReferencesStaging => {
                "A prod value points at a staging resource or account: prod would depend on an environment built \
                 to break."
            }
        }
    }

    /// The message when both sides are one environment over time (drift): the earlier snapshot plays staging.
    pub fn message_over_time(self) -> &'static str {
        match self {
            BuiltinRule::MissingInStaging => "Added since the earlier snapshot.",
            BuiltinRule::ExtraInStaging => "Removed since the earlier snapshot.",
            other => other.message(),
        }
    }

    /// The ids a policy may not give its own rules: every built-in id and anything starting with `waiver-`.
    pub fn reserves(id: &str) -> bool {
        BuiltinRule::from_id(id).is_some() || id.starts_with("waiver-")
    }
}
