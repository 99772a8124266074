//! Dev parity (`engine-missing`, `engine-ambiguous`, `engine-major-version`, `config-key-missing`): the engines
//! and config keys of the development side (staging) against prod's, when the policy asks for them (see
//! [`engines`]).

use serde_json::Value;

use super::{Check, Scene};
use crate::compare::Outcome;
use crate::engine::engines::{self, EngineFinding};
use crate::engine::judge::{Decider, Draft, Judge};
use crate::policy::{BuiltinRule, Level, Severity};
use crate::report::Side;
use envparity_model::catalog::aws::rds;
use envparity_model::field;

pub(super) struct DevParity;

impl Check for DevParity {
    fn check<'s>(&self, scene: &Scene<'s>, judge: &mut Judge<'_, 's>) {
        let (dev, dev_keys, prod, prod_keys) =
            (scene.staging, scene.staging_keys, scene.prod, scene.prod_keys);
        let d = &judge.policy.defaults;
        let engines_wanted = d.level(BuiltinRule::EngineMissing) != Level::Ignore
            || d.level(BuiltinRule::EngineMajorVersion) != Level::Ignore;
        if engines_wanted {
            let (findings, pairs) =
                engines::compare(engines::engines(dev, dev_keys), engines::engines(prod, prod_keys));
            judge.engines_paired = pairs;
            for finding in findings {
                judge.engine(finding);
            }
        }
        if judge.policy.defaults.level(BuiltinRule::ConfigKeyMissing) == Level::Ignore {
            return;
        }
        let have = engines::config_keys(dev, dev_keys);
        for (name, (kind, key)) in engines::missing_keys(&have, engines::config_keys(prod, prod_keys)) {
            let detail = format!("prod sets {name} ({kind} {key}); no development service does");
            judge.about_prod(BuiltinRule::ConfigKeyMissing, "config", &name, detail);
        }
    }
}

impl Judge<'_, '_> {
    fn engine(&mut self, finding: EngineFinding) {
        match finding {
            EngineFinding::Missing { prod, dev_count } => {
                let detail = format!(
                    "prod runs {} {} ({}); the development environment runs {}",
                    prod.family,
                    prod.version.as_deref().unwrap_or("of an unknown version"),
                    prod.resource.label(),
                    match dev_count {
                        0 => format!("no {}", prod.family),
                        n => format!("{n} {}, each paired with another", prod.family),
                    }
                );
                self.about_prod(BuiltinRule::EngineMissing, &prod.resource.kind, prod.key, detail);
            }
            EngineFinding::Ambiguous { prod, candidates } => {
                let detail = format!(
                    "prod's {} {} could pair with any of {}",
                    prod.family,
                    prod.resource.label(),
                    candidates.join(", ")
                );
                self.about_prod(
                    BuiltinRule::EngineAmbiguous,
                    &prod.resource.kind,
                    prod.key,
                    detail,
                );
            }
            EngineFinding::Version { dev, prod, outcome } => {
                let (severity, why) = match outcome {
                    Outcome::Unknown(why) => (Severity::Incomplete, why),
                    Outcome::Fail(why) => match self.policy.defaults.level(BuiltinRule::EngineMajorVersion) {
                        Level::Report(severity) => (severity, why),
                        Level::Ignore => return,
                    },
                    Outcome::Pass => return,
                };
                let (dv, pv) = (
                    dev.version.clone().map_or(Value::Null, Value::from),
                    prod.version.clone().map_or(Value::Null, Value::from),
                );
                let detail = format!(
                    "{} in {} ({}) and in {} ({}): {why}",
                    prod.family,
                    dev.resource.label(),
                    dev.resource.kind,
                    prod.resource.label(),
                    prod.resource.kind
                );
                self.push(Draft {
                    by: Decider::Builtin(BuiltinRule::EngineMajorVersion),
                    severity,
                    kind: &prod.resource.kind,
                    key: prod.key,
                    field: Some(field!(rds::Instance, engine_version)),
                    side: None,
                    staging: Some(&dv),
                    prod: Some(&pv),
                    detail: Some(detail),
                });
            }
        }
    }

    /// A finding of `rule` about something prod has, at the level the policy gives the rule (none when ignored).
    fn about_prod(&mut self, rule: BuiltinRule, kind: &str, key: &str, detail: String) {
        let Level::Report(severity) = self.policy.defaults.level(rule) else {
            return;
        };
        self.push(Draft::whole(Decider::Builtin(rule), severity, kind, key, detail).on(Side::Prod));
    }
}
