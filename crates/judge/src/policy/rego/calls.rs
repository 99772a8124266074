//! Every function a module calls, checked when the policy loads: a misspelt function, or a builtin envparity's
//! regorus is built without, is a located error at `policy check`, as OPA's compiler has it. regorus itself
//! looks functions up only when a call is evaluated, so without this a rule would fail only when a real pair
//! reached the call (an `incomplete` finding, never a pass, but late).
//!
//! The modules are walked as regorus parsed them (`regorus::unstable`, its AST), and a call is resolved as
//! regorus resolves it: through the module's imports, to a builtin, `print`, or a function of a module.

use std::collections::{BTreeMap, BTreeSet};

use regorus::unstable::{BUILTINS, Expr, Literal, Module, Query, Ref, Rule, RuleHead};
use regorus::utils::{gather_functions, get_path_string};

/// Each call no module defines and no builtin answers: `file:line:col: could not find function NAME`.
pub(super) fn unknown(modules: &[Ref<Module>]) -> Vec<String> {
    let functions: BTreeSet<String> = match gather_functions(modules) {
        Ok(table) => table.into_keys().collect(),
        Err(e) => return vec![super::located(&e.to_string())],
    };
    let mut out = Vec::new();
    for module in modules {
        let Ok(package) = get_path_string(&module.package.refr, Some("data")) else {
            continue;
        };
        let defaults: BTreeSet<String> = module
            .policy
            .iter()
            .filter_map(|rule| match rule.as_ref() {
                Rule::Default { refr, args, .. } if !args.is_empty() => {
                    get_path_string(refr, Some(&package)).ok()
                }
                _ => None,
            })
            .collect();
        let imports = imports(module);
        let known = |path: &str| {
            let path = match path.split_once('.') {
                Some((alias, rest)) => imports
                    .get(alias)
                    .map_or(path.to_owned(), |t| format!("{t}.{rest}")),
                None => imports.get(path).cloned().unwrap_or_else(|| path.to_owned()),
            };
            let full = match path.starts_with("data.") {
                true => path.clone(),
                false => format!("{package}.{path}"),
            };
            path == "print"
                || BUILTINS.contains_key(path.as_str())
                || functions.contains(&full)
                || defaults.contains(&full)
        };
        let mut calls = Vec::new();
        for rule in &module.policy {
            rule_calls(rule, &mut calls);
        }
        for fcn in calls {
            match get_path_string(&fcn, None) {
                Ok(path) if !known(&path) => {
                    let message = match left_out(&path) {
                        Some(why) => format!("{path} is not available in envparity: {why}"),
                        None => match closest_function(&path, &functions) {
                            Some(close) => format!("could not find function {path} (did you mean {close}?)"),
                            None => format!("could not find function {path}"),
                        },
                    };
                    out.push(super::located(&fcn.span().error(&message).to_string()));
                }
                _ => {}
            }
        }
    }
    out
}

/// Why an OPA builtin is not evaluated by envparity, when `path` names one: what reaches the network is left out
/// on purpose, and some builtins regorus (the Rego engine envparity embeds) does not provide.
pub(super) fn left_out(path: &str) -> Option<&'static str> {
    const NETWORK: &[&str] = &["http.send", "net.lookup_ip_addr"];
    /// OPA's builtins regorus does not provide, by name or family.
    const NOT_IN_REGORUS: &[&str] = &[
        "crypto.",
        "io.jwt.",
        "rego.metadata.",
        "rego.parse_module",
        "providers.aws.sign_req",
        "graphql.",
        "strings.render_template",
        "regex.globs_match",
    ];
    if NETWORK.contains(&path) {
        return Some("it reaches the network, which a policy's rules never do");
    }
    let family = |f: &&str| match f.ends_with('.') {
        true => path.starts_with(f),
        false => path == *f,
    };
    match !BUILTINS.contains_key(path) && NOT_IN_REGORUS.iter().any(family) {
        true => Some("regorus, the Rego engine envparity embeds, does not provide it"),
        false => None,
    }
}

/// The builtin or module function closest to a misspelt name, if one is close enough to be what was meant.
fn closest_function(path: &str, functions: &BTreeSet<String>) -> Option<String> {
    let names: Vec<&str> = BUILTINS
        .keys()
        .copied()
        .chain(functions.iter().map(|f| f.strip_prefix("data.").unwrap_or(f)))
        .chain(std::iter::once("print"))
        .collect();
    envparity_model::diagnostic::closest(path, &names).map(str::to_owned)
}

/// A module's import aliases and what they stand for: `lib` for `import data.lib`.
fn imports(module: &Module) -> BTreeMap<String, String> {
    module
        .imports
        .iter()
        .filter_map(|import| {
            let target = get_path_string(&import.refr, None).ok()?;
            let alias = match &import.r#as {
                Some(alias) => alias.text().to_owned(),
                None => target.rsplit('.').next()?.to_owned(),
            };
            Some((alias, target))
        })
        .collect()
}

/// A call, as the expression naming its function.
type Call = Ref<Expr>;

fn rule_calls(rule: &Rule, out: &mut Vec<Call>) {
    match rule {
        Rule::Spec { head, bodies, .. } => {
            match head {
                RuleHead::Compr { refr, assign, .. } => {
                    expr_calls(refr, out);
                    if let Some(assign) = assign {
                        expr_calls(&assign.value, out);
                    }
                }
                RuleHead::Set { refr, key, .. } => {
                    expr_calls(refr, out);
                    if let Some(key) = key {
                        expr_calls(key, out);
                    }
                }
                RuleHead::Func {
                    refr, args, assign, ..
                } => {
                    expr_calls(refr, out);
                    args.iter().for_each(|a| expr_calls(a, out));
                    if let Some(assign) = assign {
                        expr_calls(&assign.value, out);
                    }
                }
            }
            for body in bodies {
                if let Some(assign) = &body.assign {
                    expr_calls(&assign.value, out);
                }
                query_calls(&body.query, out);
            }
        }
        Rule::Default { value, .. } => expr_calls(value, out),
    }
}

fn query_calls(query: &Query, out: &mut Vec<Call>) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(key) = key {
                    expr_calls(key, out);
                }
                expr_calls(value, out);
                expr_calls(collection, out);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => expr_calls(expr, out),
            Literal::Every { domain, query, .. } => {
                expr_calls(domain, out);
                query_calls(query, out);
            }
        }
        for with in &stmt.with_mods {
            expr_calls(&with.r#as, out);
        }
    }
}

/// The calls in an expression.
fn expr_calls(expr: &Ref<Expr>, out: &mut Vec<Call>) {
    let mut queries = Vec::new();
    super::walk(expr, &mut queries, |e| {
        if let Expr::Call { fcn, .. } = e {
            out.push(fcn.clone());
        }
    });
    for query in queries {
        query_calls(&query, out);
    }
}
