//! Local sources: what envparity reads from files a repository holds (config files, Compose files, Kubernetes
//! manifests, Terraform states and plans, which may also be S3 objects read through the store), each behind one
//! [`Source`] with one result shape ([`Found`]). A new source is its file and one
//! line in [`LOCAL`]; every source's files go through the config's gateway, and what it finds through the one
//! egress check at the end of collection.

use std::collections::BTreeMap;
use std::path::Path;

use envparity_files::gateway::Gateway;
use envparity_model::snapshot::Resource;

use crate::CollectError;
use crate::config::Environment;
use crate::secrets::Redactor;

/// Every local source, in the order a snapshot's sources list them.
pub const LOCAL: &[&dyn Source] = &[
    &crate::files::ConfigFiles,
    &crate::compose::Compose,
    &crate::kubernetes::Manifests,
    &crate::terraform::States,
    &crate::terraform::Plans,
];

/// What a local source read.
#[derive(Debug, Default)]
pub struct Found {
    pub resources: Vec<Resource>,
    /// The configured files, folders or paths that held nothing.
    pub empty: Vec<String>,
    /// What was found that envparity does not read, by type, with counts.
    pub unaudited: BTreeMap<String, u64>,
}

/// Where a local source reads, and with what.
pub struct Context<'a> {
    pub gateway: &'a Gateway,
    /// The folder of `envparity.toml`: configured paths are relative to it.
    pub base_dir: &'a Path,
    pub env: &'a Environment,
    pub redactor: &'a Redactor,
}

/// A source read from local files.
pub trait Source: Sync {
    /// The provider its kinds are declared under in the catalogue (`compose`, `kubernetes`).
    fn provider(&self) -> &'static str;
    /// The unit of collection within the provider: a gap in it leaves its kinds unknown.
    fn service(&self) -> &'static str;
    /// Whether the environment names anything for it to read.
    fn configured(&self, env: &Environment) -> bool;
    /// The kinds a gap in it leaves unknown: its provider's and service's in the catalogue, unless it feeds others.
    fn kinds(&self) -> Vec<&'static str> {
        envparity_model::catalog::CATALOGUE.kinds_of(self.provider(), self.service())
    }
    /// Reads what the environment names; an error makes every kind of the source unknown (a gap).
    fn collect(&self, cx: &Context) -> Result<Found, CollectError>;
}
