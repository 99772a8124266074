//! The two files Terraform and OpenTofu write that envparity reads, as one list of [`Instance`]s: a state
//! (format version 4, Terraform 0.12 and later, every OpenTofu), and a plan as `terraform show -json PLAN` writes
//! it, whose `planned_values` are the environment after apply.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// One managed resource instance: `module.db["eu"].aws_db_instance.main[0]` and its attributes, as a value, or
/// as read ([`Read`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Instance<A = Value> {
    /// The module it is in, as Terraform writes it (`module.db["eu"]`), empty in the root module.
    pub module: String,
    /// The resource type, such as `aws_db_instance`.
    pub r#type: String,
    /// The resource's name in its module, such as `main`.
    pub name: String,
    /// Its `count` index or `for_each` key.
    pub index: Option<IndexKey>,
    pub attributes: A,
    /// The paths of its sensitive values, each a list of object keys and list indices.
    pub sensitive: Vec<Vec<Step>>,
}

/// An instance as read, its attributes still their JSON text in the file's: parsed when converted, so that a
/// large state is never held parsed whole, nor copied.
pub type Read<'a> = Instance<&'a RawValue>;

impl<'a> Read<'a> {
    /// The instance with its attributes parsed, or itself when they cannot be (nested deeper than a value may
    /// be, or a number out of range: what a read of the text whole lets through).
    pub fn parse(self) -> Result<Instance, Box<Read<'a>>> {
        let Ok(attributes) = serde_json::from_str(self.attributes.get()) else {
            return Err(Box::new(self));
        };
        Ok(Instance {
            module: self.module,
            r#type: self.r#type,
            name: self.name,
            index: self.index,
            attributes,
            sensitive: self.sensitive,
        })
    }
}

/// Whether `name` is a resource type as providers name them: `aws_db_instance`.
pub fn is_type(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Attributes a file leaves out: `null`, as when they are parsed.
fn no_attributes() -> &'static RawValue {
    RawValue::NULL
}

/// A `count` index or a `for_each` key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum IndexKey {
    Number(u64),
    Key(String),
}

/// One step of a path into attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Why a file is not a state or plan envparity reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error(
        "state format version {0}: envparity reads version 4 (Terraform 0.12 and later, OpenTofu); \
         `terraform state pull` from a current Terraform writes it"
    )]
    Version(u64),
    #[error("not a Terraform state: it has no `version`")]
    NotState,
    #[error("not a plan's JSON: it has no `planned_values` (write it with `terraform show -json PLAN`)")]
    NotPlan,
    /// A resource type no provider names so, in the instance at `address`.
    #[error(
        "{address}: the resource type is not a Terraform resource type (lowercase letters, digits and \
         underscores, starting with a letter)"
    )]
    Type { address: String },
    /// What a snapshot cannot hold, in the instance at `address`.
    #[error("{address}: attributes {error}")]
    Attributes {
        address: String,
        error: envparity_model::snapshot::AttributesError,
    },
}

#[derive(Deserialize)]
struct StateV4<'a> {
    #[serde(default)]
    version: Option<u64>,
    /// The managed resource instances, read resource by resource.
    #[serde(default, borrow, rename = "resources", deserialize_with = "managed_instances")]
    instances: Vec<Read<'a>>,
}

/// What a file says of its format, whatever else it holds.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    version: Option<Value>,
}

#[derive(Deserialize)]
struct ResourceV4<'a> {
    #[serde(default)]
    module: String,
    #[serde(borrow)]
    mode: std::borrow::Cow<'a, str>,
    r#type: String,
    name: String,
    #[serde(default, borrow)]
    instances: Vec<InstanceV4<'a>>,
}

#[derive(Deserialize)]
struct InstanceV4<'a> {
    #[serde(default)]
    index_key: Option<IndexKey>,
    /// Set on an object replaced but not yet destroyed (`create_before_destroy`): not the resource's current one.
    #[serde(default)]
    deposed: Option<String>,
    #[serde(default = "no_attributes", borrow)]
    attributes: &'a RawValue,
    #[serde(default)]
    sensitive_attributes: Value,
}

/// The managed resource instances of a state; data sources and deposed objects are not resources.
pub fn state(text: &str) -> Result<Vec<Read<'_>>, FormatError> {
    // One pass into the state's shape; a file of another shape is read again only to say what it is.
    let state: StateV4 = serde_json::from_str(text).map_err(|e| {
        match serde_json::from_str::<Head>(text).map(|head| head.version.as_ref().map(Value::as_u64)) {
            Err(_) => FormatError::NotJson(e.to_string()),
            Ok(Some(Some(version))) if version != 4 => FormatError::Version(version),
            Ok(Some(Some(_))) => FormatError::NotJson(e.to_string()),
            Ok(_) => FormatError::NotState,
        }
    })?;
    match state.version {
        Some(4) => Ok(state.instances),
        Some(other) => Err(FormatError::Version(other)),
        None => Err(FormatError::NotState),
    }
}

/// The managed resource instances of a state's `resources`, each resource's added as it is read (no list of the
/// resources is built): data sources and deposed objects are not resources.
fn managed_instances<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    resources: D,
) -> Result<Vec<Read<'a>>, D::Error> {
    struct Instances;
    impl<'de> serde::de::Visitor<'de> for Instances {
        type Value = Vec<Read<'de>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of resources")
        }

        fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut resources: S) -> Result<Self::Value, S::Error> {
            let mut out = Vec::new();
            while let Some(resource) = resources.next_element::<ResourceV4>()? {
                if resource.mode != "managed" {
                    continue;
                }
                let current = resource.instances.into_iter().filter(|i| i.deposed.is_none());
                out.extend(current.map(|i| Instance {
                    module: resource.module.clone(),
                    r#type: resource.r#type.clone(),
                    name: resource.name.clone(),
                    index: i.index_key,
                    sensitive: sensitive_paths(&i.sensitive_attributes),
                    attributes: i.attributes,
                }));
            }
            Ok(out)
        }
    }
    resources.deserialize_seq(Instances)
}

/// The paths of `sensitive_attributes`: `[[{"type": "get_attr", "value": "password"}], ...]`, an index step
/// holding `{"value": KEY, "type": "string"|"number"}`. A step of another shape ends its path there (the value
/// above it is taken as sensitive whole).
fn sensitive_paths(value: &Value) -> Vec<Vec<Step>> {
    let Some(paths) = value.as_array() else {
        return Vec::new();
    };
    paths
        .iter()
        .filter_map(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .map_while(|step| match (step["type"].as_str(), &step["value"]) {
                    (Some("get_attr"), Value::String(key)) => Some(Step::Key(key.clone())),
                    (Some("index"), index) => match &index["value"] {
                        Value::String(key) => Some(Step::Key(key.clone())),
                        Value::Number(n) => n.as_u64().map(|n| Step::Index(n as usize)),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[derive(Deserialize)]
struct Plan<'a> {
    #[serde(borrow)]
    planned_values: Option<PlannedValues<'a>>,
}

#[derive(Deserialize)]
struct PlannedValues<'a> {
    #[serde(borrow)]
    root_module: Option<Module<'a>>,
}

#[derive(Deserialize)]
struct Module<'a> {
    #[serde(default)]
    address: String,
    #[serde(default, borrow)]
    resources: Vec<PlannedResource<'a>>,
    #[serde(default, borrow)]
    child_modules: Vec<Module<'a>>,
}

#[derive(Deserialize)]
struct PlannedResource<'a> {
    mode: String,
    r#type: String,
    name: String,
    #[serde(default)]
    index: Option<IndexKey>,
    #[serde(default = "no_attributes", borrow)]
    values: &'a RawValue,
    #[serde(default)]
    sensitive_values: Value,
}

/// The managed resource instances a plan's `planned_values` hold: the environment as it will be after apply.
/// A value known only after apply is absent from them.
pub fn plan(text: &str) -> Result<Vec<Read<'_>>, FormatError> {
    let plan: Plan = serde_json::from_str(text).map_err(|e| FormatError::NotJson(e.to_string()))?;
    let root = plan.planned_values.ok_or(FormatError::NotPlan)?.root_module;
    let mut out = Vec::new();
    // Modules nest as deep as the configuration does; walked with a stack, not recursion.
    let mut modules: Vec<Module> = root.into_iter().collect();
    while let Some(module) = modules.pop() {
        for r in module.resources.into_iter().filter(|r| r.mode == "managed") {
            let mut sensitive = Vec::new();
            sensitive_leaves(&r.sensitive_values, &mut Vec::new(), &mut sensitive);
            out.push(Instance {
                module: module.address.clone(),
                r#type: r.r#type,
                name: r.name,
                index: r.index,
                attributes: r.values,
                sensitive,
            });
        }
        modules.extend(module.child_modules);
    }
    Ok(out)
}

/// The paths where `sensitive_values` (the attributes' shape, `true` where a value is sensitive) says `true`.
fn sensitive_leaves(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Bool(true) => out.push(at.clone()),
        Value::Object(map) => {
            for (k, v) in map {
                at.push(Step::Key(k.clone()));
                sensitive_leaves(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(Step::Index(i));
                sensitive_leaves(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_state_s_managed_instances_with_their_keys_and_sensitive_paths() {
        let state = json!({
            "version": 4, "terraform_version": "1.9.5", "serial": 7, "lineage": "x",
            "resources": [
                {"mode": "data", "type": "aws_caller_identity", "name": "me", "provider": "p",
                 "instances": [{"attributes": {"account_id": "1"}}]},
                {"module": "module.db[\"eu\"]", "mode": "managed", "type": "aws_db_instance", "name": "main",
                 "provider": "p", "instances": [
                    {"index_key": 0, "attributes": {"password": "p"},
                     "sensitive_attributes": [[{"type": "get_attr", "value": "password"}],
                                              [{"type": "get_attr", "value": "tags"},
                                               {"type": "index", "value": {"value": "k", "type": "string"}}]]},
                    {"index_key": 1, "deposed": "00000001", "attributes": {}}
                 ]}
            ]
        });
        let text = state.to_string();
        let instances = super::state(&text).unwrap();
        assert_eq!(instances.len(), 1);
        let i = &instances[0];
        assert_eq!(
            (i.module.as_str(), i.r#type.as_str(), i.name.as_str()),
            ("module.db[\"eu\"]", "aws_db_instance", "main")
        );
        assert_eq!(i.index, Some(IndexKey::Number(0)));
        assert_eq!(
            i.sensitive,
            vec![
                vec![Step::Key("password".into())],
                vec![Step::Key("tags".into()), Step::Key("k".into())]
            ]
        );
    }

    #[test]
    fn other_state_versions_and_other_files_are_refused_by_name() {
        assert_eq!(
            state(r#"{"version": 3, "modules": []}"#).err(),
            Some(FormatError::Version(3))
        );
        assert_eq!(state(r#"{"services": {}}"#).err(), Some(FormatError::NotState));
        assert!(matches!(state("{"), Err(FormatError::NotJson(_))));
        assert_eq!(
            plan(r#"{"format_version": "1.2"}"#).err(),
            Some(FormatError::NotPlan)
        );
    }

    #[test]
    fn a_plan_s_planned_values_in_nested_modules_with_their_sensitive_values() {
        let plan_json = json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {
                "resources": [{"address": "aws_sqs_queue.jobs", "mode": "managed", "type": "aws_sqs_queue",
                               "name": "jobs", "values": {"name": "jobs"}, "sensitive_values": {}}],
                "child_modules": [{"address": "module.app", "child_modules": [{
                    "address": "module.app.module.db",
                    "resources": [{"address": "module.app.module.db.aws_db_instance.main[\"eu\"]",
                                   "mode": "managed", "type": "aws_db_instance", "name": "main", "index": "eu",
                                   "values": {"password": "p", "engine": "postgres"},
                                   "sensitive_values": {"password": true, "tags": {}}}]
                }]}]
            }}
        });
        let text = plan_json.to_string();
        let mut instances = plan(&text).unwrap();
        instances.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(instances.len(), 2);
        assert_eq!(instances[0].module, "");
        assert_eq!(instances[1].module, "module.app.module.db");
        assert_eq!(instances[1].index, Some(IndexKey::Key("eu".into())));
        assert_eq!(instances[1].sensitive, vec![vec![Step::Key("password".into())]]);
    }
}
