//! Terraform and OpenTofu resources of types no envparity kind reads (`terraform.TYPE`, as in
//! `terraform.aws_iam_role`): their state attributes, compared whole. The types behind envparity's own kinds
//! (`aws_db_instance` behind `aws.rds.instance`) become those kinds instead.

use crate::catalog::Kind;
use crate::catalog::typed::{Map, Typed};

crate::attributes! {
    /// The attributes of a `terraform.TYPE` resource.
    pub struct Other {
        /// The instance's attributes as the state holds them (secrets redacted, identifiers left out); any path
        /// below it is valid.
        pub attributes: Map,
    }
}

/// How the kind of a resource of another Terraform type begins: `terraform.aws_iam_role`. Every such kind is
/// [`OTHER`].
pub const PREFIX: &str = "terraform.";

/// `terraform.TYPE`.
pub const OTHER: Kind = Kind {
    name: "terraform.other",
    provider: "terraform",
    service: "state",
    tagged: true,
    tagging_types: &[],
    doc: "A Terraform resource of a type no other kind reads, of the kind terraform.TYPE (terraform.aws_iam_role): \
          its state attributes, compared whole.",
    attributes: Typed::of::<Other>(),
};

/// The kinds of Terraform state alone.
pub const KINDS: &[Kind] = &[OTHER];
