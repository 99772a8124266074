//! Auto Scaling groups (`aws.autoscaling.group`): fleets compared as fleets.

use crate::catalog::Kind;
use crate::catalog::typed::Typed;

crate::attributes! {
    /// The attributes of `aws.autoscaling.group`.
    pub struct Group {
        /// The instance types it runs: its mixed-instances overrides, else its instances', else its launch
        /// template's.
        pub instance_types: Option<Vec<String>>,
        /// The desired number of instances.
        pub desired_capacity: Option<i32>,
        /// The smallest size.
        pub min_size: Option<i32>,
        /// The largest size.
        pub max_size: Option<i32>,
        /// How many instances it runs now.
        pub instance_count: u64,
        /// EC2 or ELB.
        pub health_check_type: Option<String>,
        /// Seconds before a new instance's health is checked.
        pub health_check_grace_period: Option<i32>,
        /// How many availability zones it spans.
        pub availability_zone_count: u64,
        /// Its launch template by logical key.
        pub launch_template: Option<String>,
        /// Its target groups by logical key, sorted.
        pub target_groups: Vec<String>,
    }
}

/// `aws.autoscaling.group`.
pub const GROUP: Kind = Kind {
    name: "aws.autoscaling.group",
    provider: "aws",
    service: "autoscaling",
    tagged: true,
    tagging_types: &["autoscaling:autoScalingGroup"],
    doc: "An Auto Scaling group: a fleet compared as a fleet, its instances folded in.",
    attributes: Typed::of::<Group>(),
};

/// The kinds this collector produces.
pub const KINDS: &[Kind] = &[GROUP];
