//! Config files (`file.config`): every key of each configured .env, JSON, YAML or TOML file, one resource per
//! key, flattened to dotted paths. The key is the file's role (its path with the environment's tokens replaced)
//! plus the dotted path: `config/{env}/shop.yaml:http.timeout_ms`.

use crate::catalog::Kind;
use crate::catalog::typed::{Secret, Typed};

crate::attributes! {
    /// The attributes of `file.config`.
    pub struct ConfigKey {
        /// The key's value; redacted when its name or its content looks secret (a URL keeps all but its password).
        pub value: Secret,
    }
}

/// `file.config`.
pub const CONFIG: Kind = Kind {
    name: "file.config",
    provider: "file",
    service: "config",
    tagged: false,
    tagging_types: &[],
    doc: "One key of a configured .env, JSON, YAML or TOML file, flattened to a dotted path.",
    attributes: Typed::of::<ConfigKey>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[CONFIG];
