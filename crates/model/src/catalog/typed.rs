//! Typed attributes: each kind's attributes are a struct its collector fills, and the catalogue's field list is
//! generated from the same declaration by [`attributes!`](crate::attributes), so the two cannot disagree.
//!
//! The JSON type of a field follows from its Rust type ([`FieldValue`]); `Option` fields that are `None` are left
//! out of the attributes, and [`OrNull`] fields are written as `null` instead.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::FieldType;

/// A Rust type a typed attribute may have, and the catalogue type it is.
pub trait FieldValue {
    /// What `envparity kinds` and the policy checks know of the field.
    const TYPE: FieldType;

    /// Whether the value is left out of the attributes (an `Option` that is `None`).
    fn absent(&self) -> bool {
        false
    }
}

/// A kind's typed attributes, seen through functions so that a [`Kind`](super::Kind) can name them in a constant.
#[derive(Debug, Clone, Copy)]
pub struct Typed {
    /// The fields the type declares.
    pub fields: &'static [super::Field],
    /// Reads attributes as the type and writes them back: `Err` when they hold a field the type does not declare
    /// or a value of another type. What a collector wrote comes back unchanged.
    pub roundtrip: fn(&str) -> Result<String, String>,
    /// The type's JSON Schema.
    pub schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
}

impl Typed {
    /// The typed attributes `T`, declared with [`attributes!`](crate::attributes).
    pub const fn of<T: FieldValue + Serialize + serde::de::DeserializeOwned + JsonSchema>() -> Typed {
        let fields = match T::TYPE {
            FieldType::Object(fields) => fields,
            _ => &[],
        };
        Typed {
            fields,
            roundtrip: roundtrip::<T>,
            schema: T::json_schema,
        }
    }
}

fn roundtrip<T: Serialize + serde::de::DeserializeOwned>(text: &str) -> Result<String, String> {
    let typed: T = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let value = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    Ok(value.to_string())
}

/// Whether a field is left out when serialized: serde's `skip_serializing_if` for every typed attribute.
pub fn absent<T: FieldValue>(value: &T) -> bool {
    value.absent()
}

macro_rules! field_values {
    ($($ty:ty => $field:expr),* $(,)?) => {
        $(impl FieldValue for $ty {
            const TYPE: FieldType = $field;
        })*
    };
}

field_values! {
    String => FieldType::String,
    bool => FieldType::Boolean,
    i32 => FieldType::Integer,
    i64 => FieldType::Integer,
    u32 => FieldType::Integer,
    u64 => FieldType::Integer,
    f64 => FieldType::Number,
    Secret => FieldType::Secret,
    Map => FieldType::Map(&[]),
}

impl<T> FieldValue for Vec<T> {
    const TYPE: FieldType = FieldType::List;
}

impl<T: FieldValue> FieldValue for Option<T> {
    const TYPE: FieldType = T::TYPE;

    fn absent(&self) -> bool {
        self.is_none()
    }
}

/// A field that is always written, as `null` when its value is unknown or none (a queue without a dead-letter
/// target), where an `Option` would leave it out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(inline)]
pub struct OrNull<T>(pub Option<T>);

impl<T: FieldValue> FieldValue for OrNull<T> {
    const TYPE: FieldType = T::TYPE;
}

impl<T> From<Option<T>> for OrNull<T> {
    fn from(value: Option<T>) -> Self {
        OrNull(value)
    }
}

/// An object whose keys are data (RDS parameters, a container's environment).
pub type Map = BTreeMap<String, Value>;

/// A JSON object (a `json!({...})` a collector built, an image reference) as a [`Map`]; anything else as an empty
/// one.
pub fn map_of(value: Value) -> Map {
    match value {
        Value::Object(map) => map.into_iter().collect(),
        _ => Map::new(),
    }
}

/// A value that may be secret: as read, and redacted on its way out when it is or looks secret.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(inline)]
pub struct Secret(pub Value);

/// Declares typed attributes: a struct whose fields are the attributes, with serde and JSON Schema derived, and
/// its catalogue fields (`FIELDS`) from the same text. A doc comment on a field is its documentation in both.
///
/// - `pub struct Queue { ... }` declares a kind's attributes; `pub struct Metadata at "metadata" { ... }` an
///   object inside one, whose fields' paths start with `metadata.`.
/// - `pub r#type as "type": String` names a field whose path is not a Rust identifier.
/// - A field's doc may be a macro call (`#[doc = containers_doc!()]`) that several fields share.
/// - Used inside this crate only (serde's `skip_serializing_if` names this module as `crate::`).
/// - `#[keys = &["http"]]` before a [`Map`] field lists its well-known keys, to catch misspellings of them.
#[macro_export]
macro_rules! attributes {
    (
        $(#[doc = $kind_doc:literal])*
        pub struct $name:ident $(at $at:literal)? { $($body:tt)* }
    ) => {
        $crate::attributes!(@define [$(#[doc = $kind_doc])*] $name ($($at)?) { $($body)* });
    };
    (
        @define [$($kind_doc:tt)*] $name:ident $prefix:tt {
            $(
                $(#[doc = $doc:expr])*
                $(#[keys = $keys:expr])?
                pub $field:ident $(as $rename:literal)? : $ty:ty
            ),* $(,)?
        }
    ) => {
        $($kind_doc)*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                $(#[serde(rename = $rename)])?
                #[serde(default, skip_serializing_if = "crate::catalog::typed::absent")]
                pub $field: $ty,
            )*
        }

        impl $name {
            /// The catalogue's fields of these attributes, in the order declared.
            pub const FIELDS: &'static [$crate::catalog::Field] = &[$(
                $crate::catalog::Field {
                    path: $crate::attributes!(@path $prefix $field $($rename)?),
                    ty: $crate::attributes!(@type $ty $(, $keys)?),
                    doc: concat!($($doc),*),
                }
            ),*];
        }

        impl $crate::catalog::typed::FieldValue for $name {
            const TYPE: $crate::catalog::FieldType = $crate::catalog::FieldType::Object(Self::FIELDS);
        }
    };
    (@path () $field:ident) => { stringify!($field) };
    (@path () $field:ident $rename:literal) => { $rename };
    (@path ($at:literal) $field:ident) => { concat!($at, ".", stringify!($field)) };
    (@path ($at:literal) $field:ident $rename:literal) => { concat!($at, ".", $rename) };
    (@type $ty:ty) => { <$ty as $crate::catalog::typed::FieldValue>::TYPE };
    (@type $ty:ty, $keys:expr) => { $crate::catalog::FieldType::Map($keys) };
}

/// The path of a top-level field of typed attributes, checked by the compiler: `field!(sqs::Queue,
/// visibility_timeout_seconds)` is `"visibility_timeout_seconds"`, and renaming the field breaks the build.
#[macro_export]
macro_rules! field {
    ($ty:ty, $field:ident) => {{
        let _named = |attributes: &$ty| {
            let _ = &attributes.$field;
        };
        stringify!($field)
    }};
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::{FieldType, Kind};

    crate::attributes! {
        /// A root volume.
        pub struct Volume at "root_volume" {
            /// Its type.
            pub r#type as "type": Option<String>,
            /// Its size.
            pub size_gb: u64,
        }
    }

    crate::attributes! {
        /// Something collected.
        pub struct Thing {
            /// The first line
            /// and the second.
            pub name: String,
            /// Left out when none.
            pub maybe: Option<bool>,
            /// Null when none.
            pub target: super::OrNull<String>,
            #[keys = &["max_connections"]]
            pub parameters: super::Map,
            pub root_volume: Option<Volume>,
        }
    }

    #[test]
    fn fields_are_generated_from_the_declaration_in_order_with_their_docs_and_types() {
        let kind = Kind {
            name: "test.thing",
            provider: "test",
            service: "thing",
            tagged: false,
            tagging_types: &[],
            doc: "",
            attributes: super::Typed::of::<Thing>(),
        };
        let leaves: Vec<(&str, &str, &str)> = kind.leaves().map(|f| (f.path, f.ty.name(), f.doc())).collect();
        assert_eq!(
            leaves,
            [
                ("name", "string", "The first line and the second."),
                ("maybe", "boolean", "Left out when none."),
                ("target", "string", "Null when none."),
                ("parameters", "map", ""),
                ("root_volume.type", "string", "Its type."),
                ("root_volume.size_gb", "integer", "Its size."),
            ]
        );
        assert_eq!(Thing::FIELDS[3].ty, FieldType::Map(&["max_connections"]));
        assert_eq!(crate::field!(Thing, maybe), "maybe");
    }

    #[test]
    fn none_is_left_out_or_null_as_declared() {
        let thing = Thing {
            name: "a".into(),
            root_volume: Some(Volume {
                r#type: Some("gp3".into()),
                size_gb: 8,
            }),
            ..Thing::default()
        };
        assert_eq!(
            serde_json::to_value(&thing).unwrap(),
            json!({"name": "a", "target": null, "parameters": {}, "root_volume": {"type": "gp3", "size_gb": 8}})
        );
    }
}
