//! Docker Compose files (`compose.service`, `compose.engine`): a developer's environment, read the way Compose
//! reads it.

use serde_json::Value;

use crate::catalog::Kind;
use crate::catalog::typed::{Map, OrNull, Typed};

crate::attributes! {
    /// The attributes of `compose.service`.
    pub struct Service {
        /// The image split into repository, tag and digest (null when the service is only built).
        #[keys = &["repository", "tag", "digest"]]
        pub image: OrNull<Map>,
        /// Whether the service builds its image from source.
        pub build: bool,
        /// The variables the service sets, from `environment` and `env_file`.
        pub environment_names: Vec<String>,
        /// Each variable's value, through the secret detection.
        pub environment: Map,
        /// Published ports as PUBLISHED:TARGET/PROTOCOL.
        pub ports: OrNull<Vec<String>>,
        /// The health check, or null.
        #[keys = &["test", "interval", "timeout", "retries", "start_period"]]
        pub healthcheck: OrNull<Map>,
        /// The services it waits for.
        pub depends_on: Vec<String>,
        /// The command that replaces the image's, as written.
        pub command: OrNull<Vec<Value>>,
    }
}

/// `compose.service`.
pub const SERVICE: Kind = Kind {
    name: "compose.service",
    provider: "compose",
    service: "compose",
    tagged: false,
    tagging_types: &[],
    doc: "A Docker Compose service, its files merged as Compose merges them.",
    attributes: Typed::of::<Service>(),
};

crate::attributes! {
    /// The attributes of `compose.engine`.
    pub struct Engine {
        /// postgres, mysql, mariadb, redis, valkey, memcached or mongodb.
        pub engine: String,
        /// The version the image tag pins (15 of postgres:15-alpine), or null when it pins none.
        pub engine_version: OrNull<String>,
    }
}

/// `compose.engine`.
pub const ENGINE: Kind = Kind {
    name: "compose.engine",
    provider: "compose",
    service: "compose",
    tagged: false,
    tagging_types: &[],
    doc: "A database or cache a Compose service runs, known by its image: postgres:15 is PostgreSQL 15.",
    attributes: Typed::of::<Engine>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[SERVICE, ENGINE];
