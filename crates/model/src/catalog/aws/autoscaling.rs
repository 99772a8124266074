//! Auto Scaling groups (`aws.autoscaling.group`): fleets compared as fleets.

use crate::catalog::{Field, FieldType, Kind};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[Kind {
    name: "aws.autoscaling.group",
    provider: "aws",
    service: "autoscaling",
    tagged: true,
    tagging_types: &["autoscaling:autoScalingGroup"],
    doc: "An Auto Scaling group: a fleet compared as a fleet, its instances folded in.",
    fields: &[
        Field {
            path: "instance_types",
            ty: FieldType::List,
            doc: "The instance types it runs: its mixed-instances overrides, else its instances', else its launch template's.",
        },
        Field {
            path: "desired_capacity",
            ty: FieldType::Integer,
            doc: "The desired number of instances.",
        },
        Field {
            path: "min_size",
            ty: FieldType::Integer,
            doc: "The smallest size.",
        },
        Field {
            path: "max_size",
            ty: FieldType::Integer,
            doc: "The largest size.",
        },
        Field {
            path: "instance_count",
            ty: FieldType::Integer,
            doc: "How many instances it runs now.",
        },
        Field {
            path: "health_check_type",
            ty: FieldType::String,
            doc: "EC2 or ELB.",
        },
        Field {
            path: "health_check_grace_period",
            ty: FieldType::Integer,
            doc: "Seconds before a new instance's health is checked.",
        },
        Field {
            path: "availability_zone_count",
            ty: FieldType::Integer,
            doc: "How many availability zones it spans.",
        },
        Field {
            path: "launch_template",
            ty: FieldType::String,
            doc: "Its launch template by logical key.",
        },
        Field {
            path: "target_groups",
            ty: FieldType::List,
            doc: "Its target groups by logical key, sorted.",
        },
    ],
}];
