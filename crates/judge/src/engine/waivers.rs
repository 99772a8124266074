//! Waivers: which findings a policy's waivers silence, and the waivers that expired or silenced nothing.

use super::judge::fingerprint;
use crate::policy::{BuiltinRule, Severity, Waiver};
use crate::report::{Finding, WaiverNote};

/// Marks waived findings; reports expired waivers and waivers that matched nothing.
pub(super) fn apply_waivers(findings: &mut Vec<Finding>, waivers: &[Waiver], today: jiff::civil::Date) {
    let mut used = vec![false; waivers.len()];
    for f in findings.iter_mut() {
        // What was not seen cannot be waived. (No waiver names another unwaivable id: the policy refuses it.)
        if f.severity == Severity::Incomplete {
            continue;
        }
        let matching = waivers.iter().enumerate().filter(|(_, w)| {
            w.rule == f.rule
                && w.key.matches(&f.key)
                && w.kind.as_ref().is_none_or(|k| k.matches(&f.kind))
                && w.field
                    .as_ref()
                    .is_none_or(|g| f.field.as_deref().is_some_and(|field| g.covers(field)))
        });
        let mut in_force = None;
        for (i, w) in matching {
            used[i] = true;
            if in_force.is_none() && w.in_force(today) {
                in_force = Some(w);
            }
        }
        if let Some(w) = in_force {
            f.waived = true;
            f.waiver = Some(WaiverNote {
                reason: w.reason.clone(),
                owner: w.owner.clone(),
                expires: w.expires.to_string(),
            });
        }
    }
    for (w, used) in waivers.iter().zip(used) {
        let (rule, detail) = if !w.in_force(today) {
            let still = if used {
                ""
            } else {
                "; it no longer matches anything"
            };
            (
                BuiltinRule::WaiverExpired,
                format!("expired on {}{still}; owner {}: {}", w.expires, w.owner, w.reason),
            )
        } else if !used {
            (
                BuiltinRule::WaiverUnused,
                format!("owner {}: {}", w.owner, w.reason),
            )
        } else {
            continue;
        };
        let kind = "policy.waiver";
        let key = format!("{}@{}", w.rule, w.key.as_str());
        findings.push(Finding {
            fingerprint: fingerprint(rule.id(), kind, &key, None, None),
            rule: rule.id().to_owned(),
            severity: Severity::Warning,
            kind: kind.to_owned(),
            key,
            field: None,
            staging: None,
            prod: None,
            side: None,
            message: rule.message().to_owned(),
            detail: Some(detail),
            waived: false,
            waiver: None,
            baseline: None,
            decided_by: Some(w.origin.clone()),
            accounts: None,
            affected: Vec::new(),
        });
    }
}
