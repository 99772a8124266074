//! Policy TOML -> [`Policy`], collecting every problem in the file instead of stopping at the first.

use toml_span::de_helpers::TableHelper;
use toml_span::value::ValueInner;
use toml_span::{DeserError, Span, Spanned, Value};

use super::builtin_rule::WAIVABLE;
use super::{BUILTIN, Check, Defaults, Diagnostic, FailOn, Level, Policy, Rule, Severity, Waiver};
use crate::compare::{COMPARATOR_NAMES, Comparator, Granularity};
use crate::glob::{DottedGlob, Wildcard};
use crate::snapshot::KNOWN_KINDS;

pub(super) fn parse(text: &str) -> Result<Policy, Vec<Diagnostic>> {
    let mut root = toml_span::parse(text).map_err(|e| vec![Diagnostic::from_toml(e, text)])?;
    let mut parser = Parser {
        text,
        diagnostics: Vec::new(),
        rule_ids: Vec::new(),
    };
    let policy = parser.document(&mut root);
    match policy {
        Some(policy) if parser.diagnostics.is_empty() => Ok(policy),
        _ => {
            let mut diagnostics = parser.diagnostics;
            diagnostics.sort_by_key(|d| d.span.map(|s| s.start));
            Err(diagnostics)
        }
    }
}

struct Parser<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
    /// Every rule id in the file, also of rules with other mistakes, for duplicates and waivers.
    rule_ids: Vec<Spanned<String>>,
}

impl<'t> Parser<'t> {
    fn error(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        self.diagnostics.push(Diagnostic {
            message: message.into(),
            span: Some(span),
            help,
        });
    }

    fn table<'de>(&mut self, value: &mut Value<'de>, what: &str) -> Option<TableHelper<'de>> {
        match value.as_table() {
            Some(_) => TableHelper::new(value).ok(),
            None => {
                let found = value.take().type_str();
                self.error(value.span, format!("{what} must be a table, found {found}"), None);
                None
            }
        }
    }

    /// Ends a table: its unknown keys and type errors become diagnostics.
    fn finish(&mut self, table: TableHelper<'_>) {
        if let Err(DeserError { errors }) = table.finalize(None) {
            for e in errors {
                self.diagnostics.push(Diagnostic::from_toml(e, self.text));
            }
        }
    }

    fn document(&mut self, root: &mut Value<'_>) -> Option<Policy> {
        let mut top = self.table(root, "a policy file")?;

        let mut name = None;
        let mut fail_on = None;
        let mut base: Option<Policy> = None;
        match top.take("policy") {
            Some((_, mut value)) => {
                if let Some(mut t) = self.table(&mut value, "[policy]") {
                    name = t.optional::<String>("name");
                    if name.is_none() && !t.contains("name") {
                        self.error(
                            value.span,
                            "[policy] needs a `name`",
                            Some("name = \"staging-mirrors-prod\"".into()),
                        );
                    }
                    if let Some(extends) = t.optional_s::<String>("extends") {
                        base = self.extends(&extends);
                    }
                    if let Some(f) = t.optional_s::<String>("fail_on") {
                        fail_on = self.choice(&f, "fail_on", FailOn::NAMES, FailOn::parse);
                    }
                    self.finish(t);
                }
            }
            None => self.diagnostics.push(Diagnostic {
                message: "missing the [policy] table".into(),
                span: None,
                help: Some("start the file with:\n[policy]\nname = \"staging-mirrors-prod\"".into()),
            }),
        }
        let base_defaults = base.as_ref().map(|b| b.defaults).unwrap_or_default();

        let defaults = match top.take("defaults") {
            Some((_, mut value)) => self.defaults(&mut value, base_defaults),
            None => base_defaults,
        };

        let mut rules = Vec::new();
        if let Some((_, mut value)) = top.take("rule") {
            for mut item in self.array(&mut value, "[[rule]]") {
                if let Some(rule) = self.rule(&mut item) {
                    rules.push(rule);
                }
            }
        }
        self.check_rule_ids();

        let mut all_rules = rules;
        let mut waivers = Vec::new();
        if let Some((_, mut value)) = top.take("waiver") {
            let base_rules = base.as_ref().map(|b| b.rules.as_slice()).unwrap_or_default();
            let known: Vec<String> = self
                .rule_ids
                .iter()
                .map(|id| id.value.clone())
                .chain(base_rules.iter().map(|r| r.id.clone()))
                .chain(WAIVABLE.iter().map(|s| s.to_string()))
                .collect();
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            for mut item in self.array(&mut value, "[[waiver]]") {
                if let Some(w) = self.waiver(&mut item, &known) {
                    waivers.push(w);
                }
            }
        }
        self.finish(top);

        let (fail_on, base_rules, base_waivers) = match base {
            Some(b) => (fail_on.unwrap_or(b.fail_on), b.rules, b.waivers),
            None => (fail_on.unwrap_or(FailOn::Error), Vec::new(), Vec::new()),
        };
        // A local rule with a shipped rule's id replaces it.
        let replaced: Vec<String> = all_rules.iter().map(|r| r.id.clone()).collect();
        all_rules.extend(base_rules.into_iter().filter(|r| !replaced.contains(&r.id)));
        waivers.extend(base_waivers);
        Some(Policy {
            name: name?,
            fail_on,
            defaults,
            rules: all_rules,
            waivers,
        })
    }

    fn extends(&mut self, extends: &Spanned<String>) -> Option<Policy> {
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        match Policy::builtin(&extends.value) {
            Some(p) => Some(p),
            None => {
                self.unknown(extends, "policy to extend", &names);
                None
            }
        }
    }

    /// Reports a string that is not one of `allowed`, suggesting the closest.
    fn unknown(&mut self, found: &Spanned<String>, what: &str, allowed: &[&str]) {
        let help = match closest(&found.value, allowed) {
            Some(close) => format!("did you mean `{close}`? expected one of: {}", allowed.join(", ")),
            None => format!("expected one of: {}", allowed.join(", ")),
        };
        self.error(
            found.span,
            format!("unknown {what} `{}`", found.value),
            Some(help),
        );
    }

    fn choice<T>(
        &mut self,
        found: &Spanned<String>,
        what: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let parsed = parse(&found.value);
        if parsed.is_none() {
            self.unknown(found, what, allowed);
        }
        parsed
    }

    fn defaults(&mut self, value: &mut Value<'_>, base: Defaults) -> Defaults {
        let mut d = base;
        let Some(mut t) = self.table(value, "[defaults]") else {
            return d;
        };
        let slots: [(&'static str, &mut Level); 4] = [
            ("unlisted_difference", &mut d.unlisted_difference),
            ("missing_in_staging", &mut d.missing_in_staging),
            ("extra_in_staging", &mut d.extra_in_staging),
            ("ambiguous_key", &mut d.ambiguous_key),
        ];
        for (key, slot) in slots {
            if let Some(s) = t.optional_s::<String>(key)
                && let Some(level) = self.choice(&s, key, Level::NAMES, Level::parse)
            {
                *slot = level;
            }
        }
        self.finish(t);
        d
    }

    fn array<'de>(&mut self, value: &mut Value<'de>, what: &str) -> Vec<Value<'de>> {
        match value.take() {
            ValueInner::Array(items) => items,
            other => {
                let found = other.type_str();
                self.error(
                    value.span,
                    format!("{what} must be an array of tables, found {found}"),
                    Some(format!("write each entry under its own {what} header")),
                );
                Vec::new()
            }
        }
    }

    fn rule(&mut self, value: &mut Value<'_>) -> Option<Rule> {
        let span = value.span;
        let mut t = self.table(value, "a [[rule]]")?;
        let id = t.required_s::<String>("id").ok();
        let kinds = t.required_s::<Vec<Spanned<String>>>("kinds").ok();
        let fields = t.required_s::<Vec<Spanned<String>>>("fields").ok();
        let expect = t.optional_s::<String>("expect");
        let granularity = t.optional_s::<String>("granularity");
        let min = t.take("min").and_then(|(_, mut v)| self.number(&mut v, "min"));
        let max = t.take("max").and_then(|(_, mut v)| self.number(&mut v, "max"));
        let staging = t.take("staging").map(|(_, mut v)| to_json(&mut v));
        let prod = t.take("prod").map(|(_, mut v)| to_json(&mut v));
        let severity = t.optional_s::<String>("severity");
        let why = t.optional::<String>("why");
        let secrets_only = t.optional::<bool>("secrets_only").unwrap_or(false);
        self.finish(t);

        let kinds = kinds.map(|k| self.kind_globs(k));
        let fields = fields.map(|f| self.field_globs(f));
        let severity = match &severity {
            Some(s) => self.choice(s, "severity", &["error", "warning"], |n| match n {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                _ => None,
            }),
            None => Some(Severity::Error),
        };
        let check = self.check(span, expect, granularity, min, max, staging, prod);

        let id = id?;
        self.rule_ids.push(id.clone());
        Some(Rule {
            id: id.value,
            kinds: kinds??,
            fields: fields??,
            check: check?,
            severity: severity?,
            why,
            secrets_only,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &mut self,
        rule_span: Span,
        expect: Option<Spanned<String>>,
        granularity: Option<Spanned<String>>,
        min: Option<Spanned<f64>>,
        max: Option<Spanned<f64>>,
        staging: Option<serde_json::Value>,
        prod: Option<serde_json::Value>,
    ) -> Option<Check> {
        let is_version = expect.as_ref().is_some_and(|e| e.value == "version");
        let is_ratio = expect.as_ref().is_some_and(|e| e.value == "ratio");
        if let (Some(g), false) = (&granularity, is_version) {
            self.error(
                g.span,
                "`granularity` applies only to `expect = \"version\"`",
                None,
            );
        }
        for bound in [&min, &max].into_iter().flatten() {
            if !is_ratio {
                self.error(
                    bound.span,
                    "`min` and `max` apply only to `expect = \"ratio\"`",
                    None,
                );
            }
        }
        let asserts = staging.is_some() || prod.is_some();
        let Some(expect) = expect else {
            if asserts {
                return Some(Check::Expect { staging, prod });
            }
            self.error(
                first_line(self.text, rule_span),
                "a rule needs `expect` (how staging compares with prod) or `staging`/`prod` values",
                Some(format!("expect is one of: {}", COMPARATOR_NAMES.join(", "))),
            );
            return None;
        };
        if asserts {
            self.error(
                expect.span,
                "a rule either compares (`expect`) or asserts values (`staging`/`prod`), not both",
                Some("split it into two rules".into()),
            );
            return None;
        }
        let comparator = match expect.value.as_str() {
            "equal" => Comparator::Equal,
            "ignore" => Comparator::Ignore,
            "differ" => Comparator::Differ,
            "version" => {
                let g = match &granularity {
                    Some(g) => self.choice(g, "granularity", Granularity::NAMES, Granularity::parse)?,
                    None => Granularity::Minor,
                };
                Comparator::Version(g)
            }
            "same_family" => Comparator::SameFamily,
            "staging_at_most_prod" => Comparator::StagingAtMostProd,
            "ratio" => {
                let (min, max) = (min.map(|m| m.value), max.map(|m| m.value));
                if min.is_none() && max.is_none() {
                    self.error(
                        expect.span,
                        "`expect = \"ratio\"` needs `min`, `max` or both",
                        None,
                    );
                    return None;
                }
                if let (Some(lo), Some(hi)) = (min, max)
                    && lo > hi
                {
                    self.error(
                        expect.span,
                        format!("ratio bounds are reversed: min {lo} > max {hi}"),
                        None,
                    );
                    return None;
                }
                Comparator::Ratio { min, max }
            }
            "set_equal" => Comparator::SetEqual,
            "subset" => Comparator::Subset,
            _ => {
                self.unknown(&expect, "comparator", COMPARATOR_NAMES);
                return None;
            }
        };
        Some(Check::Compare(comparator))
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
                self.error(
                    span,
                    format!("`{key}` must be a number, found {}", other.type_str()),
                    None,
                );
                None
            }
        }
    }

    fn globs(&mut self, patterns: Spanned<Vec<Spanned<String>>>, what: &str) -> Option<Vec<DottedGlob>> {
        if patterns.value.is_empty() {
            self.error(
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
                    self.error(p.span, format!("bad glob `{}` in `{what}`: {e}", p.value), None);
                }
            }
        }
        ok.then(|| out.into_iter().map(|(g, _)| g).collect())
    }

    fn kind_globs(&mut self, patterns: Spanned<Vec<Spanned<String>>>) -> Option<Vec<DottedGlob>> {
        let spans: Vec<Span> = patterns.value.iter().map(|p| p.span).collect();
        let globs = self.globs(patterns, "kinds")?;
        for (glob, span) in globs.iter().zip(spans) {
            if !KNOWN_KINDS.iter().any(|k| glob.matches(k)) {
                let help = match closest(glob.as_str(), KNOWN_KINDS) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("known kinds: {}", KNOWN_KINDS.join(", ")),
                };
                self.error(span, format!("`{glob}` matches no known kind"), Some(help));
            }
        }
        Some(globs)
    }

    fn field_globs(&mut self, patterns: Spanned<Vec<Spanned<String>>>) -> Option<Vec<DottedGlob>> {
        self.globs(patterns, "fields")
    }

    fn check_rule_ids(&mut self) {
        let ids = std::mem::take(&mut self.rule_ids);
        for (i, id) in ids.iter().enumerate() {
            let name = id.value.as_str();
            if name.trim().is_empty() {
                self.error(id.span, "a rule id must not be empty", None);
            } else if ids[..i].iter().any(|earlier| earlier.value == name) {
                let help = "rule ids must be unique: waivers and fingerprints name them";
                self.error(id.span, format!("duplicate rule id `{name}`"), Some(help.into()));
            } else if WAIVABLE.contains(&name)
                || name.starts_with("waiver-")
                || name == super::builtin_rule::INCOMPLETE
            {
                self.error(
                    id.span,
                    format!("rule id `{name}` is reserved for envparity's own findings"),
                    None,
                );
            }
        }
        self.rule_ids = ids;
    }

    fn waiver(&mut self, value: &mut Value<'_>, known_rules: &[&str]) -> Option<Waiver> {
        let mut t = self.table(value, "a [[waiver]]")?;
        let rule = t.required_s::<String>("rule").ok();
        let key = t.required_s::<String>("key").ok();
        let kind = t.optional_s::<String>("kind");
        let field = t.optional_s::<String>("field");
        let reason = t.required::<String>("reason").ok();
        let owner = t.required::<String>("owner").ok();
        let expires = t.required_s::<String>("expires").ok();
        self.finish(t);

        if let Some(r) = &rule
            && !known_rules.contains(&r.value.as_str())
        {
            self.unknown(r, "rule in waiver", known_rules);
        }
        let mut glob = |s: Option<Spanned<String>>, what: &str| -> Option<Option<DottedGlob>> {
            match s {
                None => Some(None),
                Some(s) => match DottedGlob::new(&s.value) {
                    Ok(g) => Some(Some(g)),
                    Err(e) => {
                        self.error(
                            s.span,
                            format!("bad glob `{}` in waiver `{what}`: {e}", s.value),
                            None,
                        );
                        None
                    }
                },
            }
        };
        let kind = glob(kind, "kind");
        let field = glob(field, "field");
        let key = key.and_then(|k| match Wildcard::new(&k.value) {
            Ok(w) => Some(w),
            Err(e) => {
                self.error(k.span, format!("bad waiver key: {e}"), None);
                None
            }
        });
        let expires = expires.and_then(|e| match e.value.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.error(
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
            kind: kind?,
            field: field?,
            reason: reason?,
            owner: owner?,
            expires: expires?,
        })
    }
}

/// A TOML value as JSON, for `staging`/`prod` expected values and TOML config files.
pub(crate) fn to_json(value: &mut Value<'_>) -> serde_json::Value {
    match value.take() {
        ValueInner::String(s) => serde_json::Value::String(s.into_owned()),
        ValueInner::Integer(i) => i.into(),
        ValueInner::Float(f) => f.into(),
        ValueInner::Boolean(b) => b.into(),
        ValueInner::Array(items) => items.into_iter().map(|mut v| to_json(&mut v)).collect(),
        ValueInner::Table(table) => table
            .into_iter()
            .map(|(k, mut v)| (k.name.into_owned(), to_json(&mut v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

/// The closest allowed spelling, if one is close enough to be a typo.
pub(super) fn closest<'a>(found: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::damerau_levenshtein(found, a), *a))
        .filter(|(d, a)| *d <= (a.len() / 3).max(2))
        .min()
        .map(|(_, a)| a)
}

/// The span cut to its first line, so a diagnostic on a whole table points at its header.
pub(super) fn first_line(text: &str, span: Span) -> Span {
    let span = super::diagnostic::clamp(span, text);
    let end = text[span.start..span.end]
        .find('\n')
        .map_or(span.end, |i| span.start + i);
    Span {
        start: span.start,
        end,
    }
}
