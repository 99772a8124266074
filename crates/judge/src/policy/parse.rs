//! Policy TOML -> [`Policy`], in three stages: the TOML read with spans, each table validated (kinds and fields
//! against the catalogue), then `extends` resolved. Every problem in the file is reported, not just the first.

use envparity_files::gateway::{DEFAULT_MAX_FILE_MIB, Gateway, Root};
use toml_span::de_helpers::TableHelper;
use toml_span::value::ValueInner;
use toml_span::{Span, Spanned, Value};

use super::{
    BUILTIN, BuiltinRule, Check, Defaults, FailOn, Level, Origin, Policy, Rule, Severity, Waiver, rego,
};
use envparity_model::catalog::{Catalogue, FieldMiss, Kind};
use strum::VariantNames as _;

use crate::compare::{self, Given, Opt, OptValue};
use envparity_model::diagnostic::{Diagnostic, TomlReader, closest, first_line, toml_to_json};
use envparity_model::glob::{DottedGlob, Wildcard};

pub(super) fn parse(text: &str, path: &str, catalogue: &Catalogue) -> Result<Policy, Vec<Diagnostic>> {
    let mut root = TomlReader::parse(text)?;
    let mut parser = Parser {
        toml: TomlReader::new(text),
        path,
        catalogue,
        rule_ids: Vec::new(),
    };
    let policy = parser.document(&mut root);
    parser.toml.into_result(policy)
}

struct Parser<'t> {
    toml: TomlReader<'t>,
    path: &'t str,
    catalogue: &'t Catalogue,
    /// Every rule id in the file, also of rules with other mistakes, for duplicates and waivers.
    rule_ids: Vec<Spanned<String>>,
}

/// The options a rule gives its comparator, read whatever `expect` says so that misplaced ones can be reported:
/// each with the span it was given at.
type Options = Vec<(&'static Opt, Span, serde_json::Value)>;

impl<'t> Parser<'t> {
    fn origin(&self, span: Span) -> Origin {
        Origin {
            path: self.path.to_owned(),
            line: self.toml.line_of(span.start),
        }
    }

    fn document(&mut self, root: &mut Value<'_>) -> Option<Policy> {
        let mut top = self.toml.table(root, "a policy file")?;

        let mut name = None;
        let mut fail_on = None;
        let mut base: Option<Policy> = None;
        let mut rego = None;
        match top.take("policy") {
            Some((_, mut value)) => {
                if let Some(mut t) = self.toml.table(&mut value, "[policy]") {
                    name = t.optional::<String>("name");
                    if name.is_none() && !t.contains("name") {
                        self.toml.error(
                            value.span,
                            "[policy] needs a `name`",
                            Some("name = \"staging-mirrors-prod\"".into()),
                        );
                    }
                    if let Some(extends) = t.optional_s::<String>("extends") {
                        base = self.extends(&extends);
                    }
                    if let Some(f) = t.optional_s::<String>("fail_on") {
                        fail_on = self
                            .toml
                            .choice(&f, "fail_on", FailOn::VARIANTS, |s| s.parse().ok());
                    }
                    let mut limits = rego::Limits::default();
                    if let Some(seconds) = self.at_least_one(&mut t, "rego_timeout_seconds") {
                        limits.timeout = std::time::Duration::from_secs(seconds);
                    }
                    if let Some(mib) = self.at_least_one(&mut t, "rego_memory_mib") {
                        limits.memory_mib = mib;
                    }
                    let outside: Vec<std::path::PathBuf> = t
                        .optional::<Vec<String>>("rego_read_outside")
                        .unwrap_or_default()
                        .into_iter()
                        .map(Into::into)
                        .collect();
                    let data = t
                        .optional::<Vec<Spanned<String>>>("rego_data")
                        .unwrap_or_default();
                    let v0 = t.optional::<bool>("rego_v0").unwrap_or(false);
                    match t.optional::<Vec<Spanned<String>>>("rego") {
                        Some(patterns) => rego = self.rego(&patterns, &data, v0, &outside, limits),
                        None => {
                            if let Some(first) = data.first() {
                                self.toml.error(
                                    first.span,
                                    "`rego_data` gives Rego modules their data, but the policy names no module",
                                    Some("name the modules too: rego = [\"rules/*.rego\"]".into()),
                                );
                            }
                        }
                    }
                    self.toml.finish(t);
                }
            }
            None => self.toml.file_error(
                "missing the [policy] table",
                Some("start the file with:\n[policy]\nname = \"staging-mirrors-prod\"".into()),
            ),
        }
        let base_defaults = base.as_ref().map(|b| b.defaults.clone()).unwrap_or_default();

        let defaults = match top.take("defaults") {
            Some((_, mut value)) => self.defaults(&mut value, base_defaults),
            None => base_defaults,
        };

        let mut rules = Vec::new();
        if let Some((_, mut value)) = top.take("rule") {
            for mut item in self.toml.array(&mut value, "[[rule]]") {
                if let Some(rule) = self.rule(&mut item) {
                    rules.push(rule);
                }
            }
        }
        self.check_rule_ids();

        let mut waivers = Vec::new();
        if let Some((_, mut value)) = top.take("waiver") {
            let base_rules = base.as_ref().map(|b| b.rules.as_slice()).unwrap_or_default();
            let known: Vec<String> = self
                .rule_ids
                .iter()
                .map(|id| id.value.clone())
                .chain(base_rules.iter().map(|r| r.id.clone()))
                .chain(
                    BuiltinRule::ALL
                        .iter()
                        .filter(|r| r.waivable())
                        .map(|r| r.id().to_owned()),
                )
                .collect();
            let has_rego = rego.is_some();
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            for mut item in self.toml.array(&mut value, "[[waiver]]") {
                if let Some(w) = self.waiver(&mut item, &known, has_rego) {
                    waivers.push(w);
                }
            }
        }
        self.toml.finish(top);
        let mut policy = resolve(name?, fail_on, defaults, rules, waivers, base);
        policy.rego = rego;
        Some(policy)
    }

    fn extends(&mut self, extends: &Spanned<String>) -> Option<Policy> {
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        let base = Policy::builtin(&extends.value, self.catalogue);
        if base.is_none() {
            self.toml.unknown(extends, "policy to extend", &names);
        }
        base
    }

    fn defaults(&mut self, value: &mut Value<'_>, base: Defaults) -> Defaults {
        let mut d = base;
        let Some(mut t) = self.toml.table(value, "[defaults]") else {
            return d;
        };
        for key in Defaults::keys() {
            if let Some(s) = t.optional_s::<String>(key)
                && let Some(level) = self.toml.choice(&s, key, Level::NAMES, Level::parse)
            {
                d.set(key, level);
            }
        }
        self.toml.finish(t);
        d
    }

    fn rule(&mut self, value: &mut Value<'_>) -> Option<Rule> {
        let span = value.span;
        let mut t = self.toml.table(value, "a [[rule]]")?;
        let id = t.required_s::<String>("id").ok();
        let kinds = t.required_s::<Vec<Spanned<String>>>("kinds").ok();
        let fields = t.required_s::<Vec<Spanned<String>>>("fields").ok();
        let keys = t.optional::<Vec<Spanned<String>>>("keys").unwrap_or_default();
        let expect = t.optional_s::<String>("expect");
        let mut options = Options::new();
        for opt in compare::options() {
            let given = match opt.value {
                OptValue::Number => t
                    .take(opt.name)
                    .and_then(|(_, mut v)| self.number(&mut v, opt.name))
                    .map(|n| (n.span, serde_json::Value::from(n.value))),
                OptValue::Choice(_) => t
                    .optional_s::<String>(opt.name)
                    .map(|s| (s.span, serde_json::Value::from(s.value))),
            };
            if let Some((span, value)) = given {
                options.push((opt, span, value));
            }
        }
        let staging = t.take("staging").map(|(_, mut v)| toml_to_json(&mut v));
        let prod = t.take("prod").map(|(_, mut v)| toml_to_json(&mut v));
        let severity = t.optional_s::<String>("severity");
        let why = t.optional::<String>("why");
        let secrets_only = t.optional::<bool>("secrets_only").unwrap_or(false);
        self.toml.finish(t);

        let keys: Vec<Wildcard> = keys
            .into_iter()
            .filter_map(|k| match Wildcard::new(&k.value) {
                Ok(w) => Some(w),
                Err(e) => {
                    self.toml.error(k.span, format!("bad key pattern: {e}"), None);
                    None
                }
            })
            .collect();
        let kinds = kinds.and_then(|k| self.kind_globs(k));
        let fields = fields.and_then(|f| self.globs(f, "fields"));
        if let (Some(kinds), Some(fields)) = (&kinds, &fields) {
            let covered = self.covered_kinds(kinds.iter().map(|(g, _)| g));
            self.check_fields(&covered, fields);
        }
        let severity = match &severity {
            Some(s) => self
                .toml
                .choice(s, "severity", &["error", "warning"], |n| match n {
                    "error" => Some(Severity::Error),
                    "warning" => Some(Severity::Warning),
                    _ => None,
                }),
            None => Some(Severity::Error),
        };
        let check = self.check(span, expect, options, staging, prod);

        let id = id?;
        self.rule_ids.push(id.clone());
        let strip = |globs: Vec<(DottedGlob, Span)>| globs.into_iter().map(|(g, _)| g).collect();
        Some(Rule {
            id: id.value,
            kinds: strip(kinds?),
            fields: strip(fields?),
            keys,
            check: check?,
            severity: severity?,
            why,
            secrets_only,
            origin: self.origin(span),
        })
    }

    fn check(
        &mut self,
        rule_span: Span,
        expect: Option<Spanned<String>>,
        options: Options,
        staging: Option<serde_json::Value>,
        prod: Option<serde_json::Value>,
    ) -> Option<Check> {
        // An option given to a comparator that does not take it would be silently ignored.
        let taken =
            compare::spec(expect.as_ref().map_or("", |e| e.value.as_str())).map_or(&[][..], |s| s.options);
        for (opt, span, _) in &options {
            if !taken.iter().any(|o| o.name == opt.name) {
                let owner = compare::SPECS
                    .iter()
                    .find(|s| s.options.iter().any(|o| o.name == opt.name))
                    .map_or("", |s| s.name);
                self.toml.error(
                    *span,
                    format!("`{}` applies only to `expect = \"{owner}\"`", opt.name),
                    None,
                );
            }
        }
        let asserts = staging.is_some() || prod.is_some();
        let Some(expect) = expect else {
            if asserts {
                return Some(Check::Expect { staging, prod });
            }
            self.toml.error(
                first_line(self.toml.text, rule_span),
                "a rule needs `expect` (how staging compares with prod) or `staging`/`prod` values",
                Some(format!("expect is one of: {}", compare::names().join(", "))),
            );
            return None;
        };
        if asserts {
            self.toml.error(
                expect.span,
                "a rule either compares (`expect`) or asserts values (`staging`/`prod`), not both",
                Some("split it into two rules".into()),
            );
            return None;
        }
        let Some(spec) = compare::spec(&expect.value) else {
            self.toml.unknown(&expect, "comparator", &compare::names());
            return None;
        };
        let mut given = Given::default();
        for (opt, span, value) in options {
            if let (OptValue::Choice(allowed), Some(text)) = (opt.value, value.as_str()) {
                let found = Spanned {
                    value: text.to_owned(),
                    span,
                };
                self.toml
                    .choice(&found, opt.name, allowed, |n| allowed.contains(&n).then_some(()))?;
            }
            given.insert(opt.name, value);
        }
        match (spec.build)(&given) {
            Ok(comparator) => Some(Check::Compare(comparator)),
            Err(why) => {
                self.toml.error(expect.span, why, None);
                None
            }
        }
    }

    fn number(&mut self, value: &mut Value<'_>, key: &str) -> Option<Spanned<f64>> {
        let span = value.span;
        match value.take() {
            ValueInner::Float(f) => Some(Spanned { value: f, span }),
            ValueInner::Integer(i) => Some(Spanned {
                value: i as f64,
                span,
            }),
            other => {
                self.toml.error(
                    span,
                    format!("`{key}` must be a number, found {}", other.type_str()),
                    None,
                );
                None
            }
        }
    }

    fn globs(
        &mut self,
        patterns: Spanned<Vec<Spanned<String>>>,
        what: &str,
    ) -> Option<Vec<(DottedGlob, Span)>> {
        if patterns.value.is_empty() {
            self.toml.error(
                patterns.span,
                format!("`{what}` must name at least one pattern"),
                None,
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for p in patterns.value {
            match DottedGlob::new(&p.value) {
                Ok(g) => out.push((g, p.span)),
                Err(e) => {
                    ok = false;
                    self.toml
                        .error(p.span, format!("bad glob `{}` in `{what}`: {e}", p.value), None);
                }
            }
        }
        ok.then_some(out)
    }

    fn kind_globs(&mut self, patterns: Spanned<Vec<Spanned<String>>>) -> Option<Vec<(DottedGlob, Span)>> {
        let globs = self.globs(patterns, "kinds")?;
        for (glob, span) in &globs {
            if self.catalogue.matching(glob).is_empty() {
                let help = match self.catalogue.closest_kind(glob.as_str()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "`envparity kinds` lists them".to_owned(),
                };
                self.toml
                    .error(*span, format!("`{glob}` matches no known kind"), Some(help));
            }
        }
        Some(globs)
    }

    /// The catalogue's kinds that any of the globs names.
    fn covered_kinds<'g>(&self, globs: impl Iterator<Item = &'g DottedGlob>) -> Vec<&'static Kind> {
        let mut kinds: Vec<&'static Kind> = globs.flat_map(|g| self.catalogue.matching(g)).collect();
        kinds.sort_by_key(|k| k.name);
        kinds.dedup_by_key(|k| k.name);
        kinds
    }

    /// Each field pattern must name a field of at least one of the kinds: a pattern that names none would never
    /// match, silently.
    fn check_fields(&mut self, kinds: &[&'static Kind], fields: &[(DottedGlob, Span)]) {
        if kinds.is_empty() {
            return; // The kinds were reported already.
        }
        for (glob, span) in fields {
            // Checked kind by kind until one has the field: most patterns name a field of the first kind.
            let mut checks = Vec::new();
            for kind in kinds {
                match kind.check_field(glob) {
                    Ok(()) => break,
                    Err(miss) => checks.push((kind, miss)),
                }
            }
            if checks.len() < kinds.len() {
                continue;
            }
            let (message, help) = match checks.iter().find_map(|(_, m)| match m {
                FieldMiss::InsideSecret { field } => Some(*field),
                FieldMiss::Unknown { .. } => None,
            }) {
                Some(field) => (
                    format!(
                        "`{glob}` names a part of a redacted secret, which is compared whole by its fingerprint"
                    ),
                    format!(
                        "name the field `{field}`; add `secrets_only = true` to judge only values stored as secrets"
                    ),
                ),
                None => {
                    let suggestions: Vec<String> = checks
                        .iter()
                        .filter_map(|(kind, m)| match m {
                            FieldMiss::Unknown { near_miss } => {
                                near_miss.clone().or_else(|| kind.closest_path(glob.as_str()))
                            }
                            FieldMiss::InsideSecret { .. } => None,
                        })
                        .collect();
                    let suggestions: Vec<&str> = suggestions.iter().map(String::as_str).collect();
                    let names: Vec<&str> = kinds.iter().map(|k| k.name).collect();
                    let help = match closest(glob.as_str(), &suggestions) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("`envparity kinds {}` lists its fields", names[0]),
                    };
                    (format!("`{glob}` matches no field of {}", names.join(", ")), help)
                }
            };
            self.toml.error(*span, message, Some(help));
        }
    }

    fn check_rule_ids(&mut self) {
        let ids = std::mem::take(&mut self.rule_ids);
        for (i, id) in ids.iter().enumerate() {
            let name = id.value.as_str();
            if name.trim().is_empty() {
                self.toml.error(id.span, "a rule id must not be empty", None);
            } else if ids[..i].iter().any(|earlier| earlier.value == name) {
                let help = "rule ids must be unique: waivers and fingerprints name them";
                self.toml
                    .error(id.span, format!("duplicate rule id `{name}`"), Some(help.into()));
            } else if BuiltinRule::reserves(name) {
                self.toml.error(
                    id.span,
                    format!("rule id `{name}` is reserved for envparity's own findings"),
                    None,
                );
            }
        }
        self.rule_ids = ids;
    }

    /// A whole number that must be at least 1 (`rego_timeout_seconds`, `rego_memory_mib`); 0 is an error there.
    fn at_least_one(&mut self, t: &mut TableHelper<'_>, key: &'static str) -> Option<u64> {
        let n = t.optional_s::<u64>(key)?;
        if n.value == 0 {
            self.toml
                .error(n.span, format!("`{key}` must be at least 1"), None);
        }
        (n.value > 0).then_some(n.value)
    }

    /// Loads and compiles the Rego modules and data documents the patterns name, relative to the policy file and
    /// inside its folder (or the `outside` allowance); each problem is reported at the pattern that named the file.
    fn rego(
        &mut self,
        patterns: &[Spanned<String>],
        data: &[Spanned<String>],
        v0: bool,
        outside: &[std::path::PathBuf],
        limits: rego::Limits,
    ) -> Option<rego::Rego> {
        let base = std::path::Path::new(self.path)
            .parent()
            .unwrap_or(std::path::Path::new(""));
        let gateway = Gateway::new(base, Root::Policy, outside, DEFAULT_MAX_FILE_MIB);
        let mut files = Vec::new();
        let mut failed = false;
        let mut expand = |patterns: &[Spanned<String>], what| {
            let mut named = Vec::new();
            for pattern in patterns {
                match rego::expand(&gateway, base, &pattern.value, what) {
                    Ok(found) => {
                        named.extend(found.iter().cloned());
                        files.extend(found.into_iter().map(|f| (pattern.span, f)));
                    }
                    Err(e) => {
                        self.toml.error(pattern.span, e.to_string(), None);
                        failed = true;
                    }
                }
            }
            named
        };
        let (modules, documents) = (expand(patterns, rego::MODULES), expand(data, rego::DATA));
        match rego::compile(&gateway, &modules, &documents, v0, limits) {
            Ok(compiled) if !failed => Some(compiled),
            Ok(_) => None,
            Err(errors) => {
                for error in errors {
                    let span = files
                        .iter()
                        .find(|(_, (shown, _))| error.starts_with(shown.as_str()))
                        .map_or(patterns[0].span, |(span, _)| *span);
                    self.toml.error(span, format!("Rego: {error}"), None);
                }
                None
            }
        }
    }

    fn waiver(&mut self, value: &mut Value<'_>, known_rules: &[&str], has_rego: bool) -> Option<Waiver> {
        let span = value.span;
        let mut t = self.toml.table(value, "a [[waiver]]")?;
        let rule = t.required_s::<String>("rule").ok();
        let key = t.required_s::<String>("key").ok();
        let kind = t.optional_s::<String>("kind");
        let field = t.optional_s::<String>("field");
        let reason = t.required::<String>("reason").ok();
        let owner = t.required::<String>("owner").ok();
        let expires = t.required_s::<String>("expires").ok();
        self.toml.finish(t);

        // Rego rules' ids are known only when they fire: any `rego:` id is accepted where modules are loaded.
        if let Some(r) = &rule
            && !known_rules.contains(&r.value.as_str())
            && !(has_rego && r.value.starts_with(rego::PREFIX))
        {
            self.toml.unknown(r, "rule in waiver", known_rules);
        }
        let kind = self.optional_glob(kind, "kind");
        let field = self.optional_glob(field, "field");
        if let (Some(kind), Some(Some((field, span)))) = (&kind, &field) {
            let kinds = match kind {
                Some((kind, _)) => self.covered_kinds(std::iter::once(kind)),
                None => self.catalogue.kinds(),
            };
            self.check_fields(&kinds, &[(field.clone(), *span)]);
        }
        let key = key.and_then(|k| match Wildcard::new(&k.value) {
            Ok(w) => Some(w),
            Err(e) => {
                self.toml.error(k.span, format!("bad waiver key: {e}"), None);
                None
            }
        });
        let expires = expires.and_then(|e| match e.value.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.toml.error(
                    e.span,
                    format!("bad date `{}` in `expires`", e.value),
                    Some("write the date as YYYY-MM-DD, such as \"2027-01-31\"".into()),
                );
                None
            }
        });
        Some(Waiver {
            rule: rule?.value,
            key: key?,
            kind: kind?.map(|(g, _)| g),
            field: field?.map(|(g, _)| g),
            reason: reason?,
            owner: owner?,
            expires: expires?,
            origin: self.origin(span),
        })
    }

    /// An optional glob: `Some(None)` when absent, `None` when present and malformed (reported).
    fn optional_glob(
        &mut self,
        s: Option<Spanned<String>>,
        what: &str,
    ) -> Option<Option<(DottedGlob, Span)>> {
        let Some(s) = s else { return Some(None) };
        match DottedGlob::new(&s.value) {
            Ok(g) => Some(Some((g, s.span))),
            Err(e) => {
                self.toml.error(
                    s.span,
                    format!("bad glob `{}` in waiver `{what}`: {e}", s.value),
                    None,
                );
                None
            }
        }
    }
}

/// The policy with its base merged: local rules first (a local rule with a shipped rule's id replaces it), the
/// base's defaults and `fail_on` unless the file sets them, both sets of waivers.
fn resolve(
    name: String,
    fail_on: Option<FailOn>,
    defaults: Defaults,
    mut rules: Vec<Rule>,
    mut waivers: Vec<Waiver>,
    base: Option<Policy>,
) -> Policy {
    let (fail_on, base_rules, base_waivers) = match base {
        Some(b) => (fail_on.unwrap_or(b.fail_on), b.rules, b.waivers),
        None => (fail_on.unwrap_or(FailOn::Error), Vec::new(), Vec::new()),
    };
    let replaced: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    rules.extend(base_rules.into_iter().filter(|r| !replaced.contains(&r.id)));
    waivers.extend(base_waivers);
    Policy {
        name,
        fail_on,
        defaults,
        rules,
        waivers,
        rego: None,
    }
}
