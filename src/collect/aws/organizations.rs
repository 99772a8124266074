//! Discovery: the accounts of an AWS Organization that make up one environment, by organizational unit (child
//! units included unless `recursive = false`) and by account tag. One step, recorded in the snapshot.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_organizations::types::{AccountState, AccountStatus};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::{Session, sdk_error};
use crate::collect::CollectError;
use crate::collect::config::Organization;
use crate::snapshot::FleetAccount;

/// The service name of discovery's calls (rate limit) and of its gap.
pub const SERVICE: &str = "organizations";

/// The active accounts of the organisation that belong to the environment, sorted by id, and the calls it took.
pub async fn discover(
    session: &Session,
    organization: &Organization,
    pacing: &super::Pacing,
) -> (Result<Vec<FleetAccount>, CollectError>, u64) {
    // Organizations has one endpoint, in the partition's home region; the account is the management one.
    let home = session.regions.first().map(String::as_str).unwrap_or("us-east-1");
    let bucket = pacing.bucket("organization", home, SERVICE);
    let client = aws_sdk_organizations::Client::new(&session.region_config(home, bucket));
    let discovery = Discovery {
        client,
        calls: AtomicU64::new(0),
    };
    let accounts = discovery.accounts(organization).await;
    (accounts, discovery.calls.load(Ordering::Relaxed))
}

struct Discovery {
    client: aws_sdk_organizations::Client,
    calls: AtomicU64,
}

impl Discovery {
    async fn accounts(&self, organization: &Organization) -> Result<Vec<FleetAccount>, CollectError> {
        let mut found: BTreeMap<String, FleetAccount> = BTreeMap::new();
        if organization.units.is_empty() {
            let pages = self
                .pages(
                    "ListAccounts",
                    self.client.list_accounts().into_paginator().send(),
                )
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
                let pages = self
                    .pages(
                        "ListAccountsForParent",
                        self.client
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
                    let children = self
                        .pages(
                            "ListOrganizationalUnitsForParent",
                            self.client
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
                if self.carries(&id, &organization.account_tags).await? {
                    tagged.insert(id, account);
                }
            }
            found = tagged;
        }
        Ok(found.into_values().collect())
    }

    /// Whether the account carries every one of `tags`.
    async fn carries(&self, account: &str, tags: &BTreeMap<String, String>) -> Result<bool, CollectError> {
        let pages = self
            .pages(
                "ListTagsForResource",
                self.client
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

    async fn pages<O, E, R>(
        &self,
        operation: &'static str,
        mut stream: aws_smithy_async::future::pagination_stream::PaginationStream<Result<O, SdkError<E, R>>>,
    ) -> Result<Vec<O>, CollectError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + 'static,
    {
        let mut pages = Vec::new();
        while let Some(page) = stream.next().await {
            self.calls.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(operation, page = pages.len() + 1, "page");
            pages.push(page.map_err(|e| sdk_error(operation, e))?);
        }
        Ok(pages)
    }
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
