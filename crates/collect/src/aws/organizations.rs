//! Discovery: the accounts of an AWS Organization that make up one environment, by organizational unit (child
//! units included unless `recursive = false`) and by account tag. One step, recorded in the snapshot.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use aws_sdk_organizations::types::{AccountState, AccountStatus};

use super::{RegionContext, Session};
use crate::CollectError;
use crate::config::Organization;
use envparity_model::snapshot::FleetAccount;

/// The service name of discovery's calls (rate limit) and of its gap.
pub const SERVICE: &str = "organizations";

/// The active accounts of the organisation that belong to the environment, sorted by id, and the calls it took.
pub async fn discover(
    session: &Session,
    organization: &Organization,
    shared: super::Shared<'_>,
) -> (Result<Vec<FleetAccount>, CollectError>, u64) {
    // Organizations has one endpoint, whatever the region; its calls are paced as the organisation's own.
    let home = session.regions.first().map(String::as_str).unwrap_or("us-east-1");
    let ctx = RegionContext::new(shared, session, "organization", home, Default::default(), SERVICE);
    let client = client!(aws_sdk_organizations, ctx);
    let accounts = accounts(&ctx, &client, organization).await;
    (accounts, ctx.api_calls())
}

async fn accounts(
    ctx: &RegionContext<'_>,
    client: &aws_sdk_organizations::Client,
    organization: &Organization,
) -> Result<Vec<FleetAccount>, CollectError> {
    let mut found: BTreeMap<String, FleetAccount> = BTreeMap::new();
    if organization.units.is_empty() {
        let pages = ctx
            .pages("ListAccounts", client.list_accounts().into_paginator().send())
            .await?;
        for account in pages.iter().flat_map(|p| p.accounts()) {
            if let Some(a) = active(account, None) {
                found.insert(a.id.clone(), a);
            }
        }
    } else {
        let mut queue: VecDeque<String> = organization.units.iter().cloned().collect();
        let mut seen = BTreeSet::new();
        while let Some(unit) = queue.pop_front() {
            if !seen.insert(unit.clone()) {
                continue;
            }
            let pages = ctx
                .pages(
                    "ListAccountsForParent",
                    client
                        .list_accounts_for_parent()
                        .parent_id(&unit)
                        .into_paginator()
                        .send(),
                )
                .await?;
            for account in pages.iter().flat_map(|p| p.accounts()) {
                if let Some(a) = active(account, Some(&unit)) {
                    found.entry(a.id.clone()).or_insert(a);
                }
            }
            if organization.recursive {
                let children = ctx
                    .pages(
                        "ListOrganizationalUnitsForParent",
                        client
                            .list_organizational_units_for_parent()
                            .parent_id(&unit)
                            .into_paginator()
                            .send(),
                    )
                    .await?;
                queue.extend(
                    children
                        .iter()
                        .flat_map(|p| p.organizational_units())
                        .filter_map(|u| u.id().map(str::to_owned)),
                );
            }
        }
    }
    if !organization.account_tags.is_empty() {
        let mut tagged = BTreeMap::new();
        for (id, account) in found {
            if carries(ctx, client, &id, &organization.account_tags).await? {
                tagged.insert(id, account);
            }
        }
        found = tagged;
    }
    Ok(found.into_values().collect())
}

/// Whether the account carries every one of `tags`.
async fn carries(
    ctx: &RegionContext<'_>,
    client: &aws_sdk_organizations::Client,
    account: &str,
    tags: &BTreeMap<String, String>,
) -> Result<bool, CollectError> {
    let pages = ctx
        .pages(
            "ListTagsForResource",
            client
                .list_tags_for_resource()
                .resource_id(account)
                .into_paginator()
                .send(),
        )
        .await?;
    let carried: BTreeMap<&str, &str> = pages
        .iter()
        .flat_map(|p| p.tags())
        .map(|t| (t.key(), t.value()))
        .collect();
    Ok(tags
        .iter()
        .all(|(k, v)| carried.get(k.as_str()) == Some(&v.as_str())))
}

/// The account as the snapshot records it, when it is active (suspended and closing accounts hold nothing to
/// audit). `State` replaces the retired `Status`; either is read.
fn active(account: &aws_sdk_organizations::types::Account, unit: Option<&str>) -> Option<FleetAccount> {
    let is_active = match (account.state(), account.status()) {
        (Some(state), _) => *state == AccountState::Active,
        (None, Some(status)) => *status == AccountStatus::Active,
        (None, None) => true,
    };
    if !is_active {
        return None;
    }
    Some(FleetAccount {
        id: account.id()?.to_owned(),
        name: account.name().map(str::to_owned),
        organizational_unit: unit.map(str::to_owned),
    })
}
