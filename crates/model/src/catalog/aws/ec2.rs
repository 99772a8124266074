//! EC2: standalone instances (`aws.ec2.instance`) and launch templates (`aws.ec2.launch_template`).

use serde_json::Value;

use crate::catalog::Kind;
use crate::catalog::typed::{OrNull, Typed};

crate::attributes! {
    /// The attributes of `aws.ec2.instance`.
    pub struct Instance {
        /// The instance type, such as m6i.large.
        pub instance_type: Option<String>,
        /// x86_64 or arm64.
        pub architecture: Option<String>,
        /// Whether the instance is EBS-optimized.
        pub ebs_optimized: Option<bool>,
        /// Whether detailed monitoring is enabled.
        pub monitoring: Option<bool>,
        /// See the fields of `metadata`.
        pub metadata: Option<Metadata>,
        /// Its security groups by logical key, sorted.
        pub security_groups: Vec<String>,
        /// The AMI's name (not its id); null when the AMI can no longer be described.
        pub image: OrNull<String>,
        /// See the fields of `root_volume`.
        pub root_volume: Option<RootVolume>,
    }
}

/// `aws.ec2.instance`.
pub const INSTANCE: Kind = Kind {
    name: "aws.ec2.instance",
    provider: "aws",
    service: "ec2",
    tagged: true,
    tagging_types: &["ec2:instance"],
    doc: "An EC2 instance that no Auto Scaling group launched (those fold into their group).",
    attributes: Typed::of::<Instance>(),
};

crate::attributes! {
    /// The attributes of `aws.ec2.launch_template`.
    pub struct LaunchTemplate {
        /// The instance type it launches.
        pub instance_type: Option<String>,
        /// See the fields of `metadata`.
        pub metadata: Option<Metadata>,
        /// Its block device mappings (device, type, size_gb, encrypted), sorted by device.
        pub block_devices: Vec<Value>,
        /// The AMI's name (not its id).
        pub image: OrNull<String>,
    }
}

/// `aws.ec2.launch_template`.
pub const LAUNCH_TEMPLATE: Kind = Kind {
    name: "aws.ec2.launch_template",
    provider: "aws",
    service: "ec2",
    tagged: true,
    tagging_types: &["ec2:launch-template"],
    doc: "A launch template's default version.",
    attributes: Typed::of::<LaunchTemplate>(),
};

crate::attributes! {
    /// The `metadata` object.
    pub struct Metadata at "metadata" {
        /// required (IMDSv2 only) or optional.
        pub http_tokens: String,
    }
}

crate::attributes! {
    /// The `root_volume` object.
    pub struct RootVolume at "root_volume" {
        /// The root volume's type, such as gp3.
        pub r#type as "type": OrNull<String>,
        /// The root volume's size in GiB.
        pub size_gb: OrNull<i32>,
        /// Whether the root volume is encrypted.
        pub encrypted: OrNull<bool>,
    }
}

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[INSTANCE, LAUNCH_TEMPLATE];
