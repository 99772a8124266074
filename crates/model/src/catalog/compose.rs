//! Docker Compose files (`compose.service`, `compose.engine`): a developer's environment, read the way Compose
//! reads it.

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "compose.service",
        provider: "compose",
        service: "compose",
        tagged: false,
        tagging_types: &[],
        doc: "A Docker Compose service, its files merged as Compose merges them.",
        fields: &[
            Field {
                path: "image",
                ty: FieldType::Map(&["repository", "tag", "digest"]),
                doc: "The image split into repository, tag and digest (null when the service is only built).",
            },
            Field {
                path: "build",
                ty: FieldType::Boolean,
                doc: "Whether the service builds its image from source.",
            },
            Field {
                path: "environment_names",
                ty: FieldType::List,
                doc: "The variables the service sets, from `environment` and `env_file`.",
            },
            Field {
                path: "environment",
                ty: FieldType::Map(&[]),
                doc: "Each variable's value, through the secret detection.",
            },
            Field {
                path: "ports",
                ty: FieldType::List,
                doc: "Published ports as PUBLISHED:TARGET/PROTOCOL.",
            },
            Field {
                path: "healthcheck",
                ty: FieldType::Map(&["test", "interval", "timeout", "retries", "start_period"]),
                doc: "The health check, or null.",
            },
            Field {
                path: "depends_on",
                ty: FieldType::List,
                doc: "The services it waits for.",
            },
            Field {
                path: "command",
                ty: FieldType::List,
                doc: "The command that replaces the image's, as written.",
            },
        ],
    },
    Kind {
        name: "compose.engine",
        provider: "compose",
        service: "compose",
        tagged: false,
        tagging_types: &[],
        doc: "A database or cache a Compose service runs, known by its image: postgres:15 is PostgreSQL 15.",
        fields: &[
            Field {
                path: "engine",
                ty: FieldType::String,
                doc: "postgres, mysql, mariadb, redis, valkey, memcached or mongodb.",
            },
            Field {
                path: "engine_version",
                ty: FieldType::String,
                doc: "The version the image tag pins (15 of postgres:15-alpine), or null when it pins none.",
            },
        ],
    },
];
