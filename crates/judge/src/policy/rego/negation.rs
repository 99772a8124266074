//! A negated call evaluated as OPA evaluates it: `not startswith(r.attributes.missing, "x")` and `not
//! r.attributes.missing > 3` are undefined when the argument is, so the rule does not fire.
//!
//! OPA's compiler binds each argument of a call that needs evaluating (a reference, a nested call, a
//! comprehension; inside arrays, sets and objects too) to a variable of its own, in an expression before the call
//! and so outside the `not` (`__local0__ = r.attributes.missing; not gt(__local0__, 3)`; OPA issue 1877). An
//! undefined argument then stops the body. regorus negates the whole expression, argument included, so the same
//! rule fired wherever the attribute was missing. Each module's text is rewritten here as OPA's compiler
//! rewrites it before regorus reads it: the arguments bound before the `not`, on the same line, so that line
//! numbers stay those of the file. A negated plain reference (`not r.attributes.versioning`) is not a call and
//! stays as it is: true when the reference is undefined, in OPA as here.

use regorus::unstable::{Expr, Literal, Module, Parser, Query, Ref, Rule, RuleHead, Source};

/// The module's text with the arguments of every negated call bound before the `not`, or `None` when it has
/// none (or does not parse: regorus then reports the original text's error).
pub(super) fn bind_negated_arguments(shown: &str, text: &str, v0: bool) -> Option<String> {
    let source = Source::from_contents(shown.to_owned(), text.to_owned()).ok()?;
    let mut parser = Parser::new(&source).ok()?;
    if !v0 {
        parser.enable_rego_v1().ok()?;
    }
    let module = parser.parse().ok()?;
    let mut negations = Vec::new();
    module_negations(&module, &mut negations);
    if negations.is_empty() {
        return None;
    }
    // Edits as (offset, bytes replaced, new text), applied from the end so that earlier offsets stay valid.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (n, negation) in negations.into_iter().enumerate() {
        let mut bindings = String::new();
        for (i, argument) in negation.arguments.iter().enumerate() {
            let name = format!("__envparity_not{n}_{i}__");
            bindings.push_str(&format!("{name} := {}; ", argument.text()));
            edits.push((
                argument.start as usize,
                (argument.end - argument.start) as usize,
                name,
            ));
        }
        edits.push((negation.start, 0, bindings));
    }
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
    let mut out = text.to_owned();
    for (start, length, replacement) in edits {
        out.replace_range(start..start + length, &replacement);
    }
    Some(out)
}

/// A negated call: where its statement starts (the `not`), and the arguments to bind.
struct Negation {
    start: usize,
    arguments: Vec<regorus::unstable::Span>,
}

fn module_negations(module: &Module, out: &mut Vec<Negation>) {
    for rule in &module.policy {
        if let Rule::Spec { head, bodies, .. } = rule.as_ref() {
            match head {
                RuleHead::Compr { assign, .. } | RuleHead::Func { assign, .. } => {
                    if let Some(assign) = assign {
                        expr_queries(&assign.value, out);
                    }
                }
                RuleHead::Set { key, .. } => {
                    if let Some(key) = key {
                        expr_queries(key, out);
                    }
                }
            }
            for body in bodies {
                if let Some(assign) = &body.assign {
                    expr_queries(&assign.value, out);
                }
                query_negations(&body.query, out);
            }
        }
    }
}

fn query_negations(query: &Query, out: &mut Vec<Negation>) {
    for stmt in &query.stmts {
        match &stmt.literal {
            // OPA binds a `with`'s arguments under the `with` too; such a statement is left as it is.
            Literal::NotExpr { expr, .. } if stmt.with_mods.is_empty() => {
                let arguments: Vec<_> = call_arguments(expr)
                    .into_iter()
                    .flat_map(|argument| evaluated(&argument))
                    .collect();
                if !arguments.is_empty() {
                    out.push(Negation {
                        start: stmt.span.start as usize,
                        arguments,
                    });
                }
                expr_queries(expr, out);
            }
            Literal::NotExpr { expr, .. } | Literal::Expr { expr, .. } => expr_queries(expr, out),
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                for expr in key.iter().chain([value, collection]) {
                    expr_queries(expr, out);
                }
            }
            Literal::Every { domain, query, .. } => {
                expr_queries(domain, out);
                query_negations(query, out);
            }
            Literal::SomeVars { .. } => {}
        }
    }
}

/// The arguments of a call, when `expr` is one: a function call, or an operator OPA evaluates as a builtin
/// (comparison, arithmetic, set operation, membership). Unification (`=`) and assignment are not calls.
fn call_arguments(expr: &Ref<Expr>) -> Vec<Ref<Expr>> {
    match expr.as_ref() {
        Expr::Call { params, .. } => params.clone(),
        Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::BinExpr { lhs, rhs, .. } => {
            vec![lhs.clone(), rhs.clone()]
        }
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => key
            .iter()
            .cloned()
            .chain([value.clone(), collection.clone()])
            .collect(),
        _ => Vec::new(),
    }
}

/// What of an argument OPA binds before the call: the argument itself when it needs evaluating, or what needs
/// evaluating inside the array, set or object it is.
fn evaluated(argument: &Ref<Expr>) -> Vec<regorus::unstable::Span> {
    let mut out = Vec::new();
    let mut pending = vec![argument.clone()];
    while let Some(expr) = pending.pop() {
        match expr.as_ref() {
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                pending.extend(items.iter().rev().cloned())
            }
            Expr::Object { fields, .. } => {
                for (_, key, value) in fields.iter().rev() {
                    pending.extend([value.clone(), key.clone()]);
                }
            }
            Expr::Var { span, .. } if matches!(span.text(), "input" | "data") => out.push(span.clone()),
            Expr::RefDot { span, .. }
            | Expr::RefBrack { span, .. }
            | Expr::Call { span, .. }
            | Expr::BoolExpr { span, .. }
            | Expr::ArithExpr { span, .. }
            | Expr::BinExpr { span, .. }
            | Expr::Membership { span, .. }
            | Expr::ArrayCompr { span, .. }
            | Expr::SetCompr { span, .. }
            | Expr::ObjectCompr { span, .. } => out.push(span.clone()),
            _ => {}
        }
    }
    out
}

/// The negations inside the comprehensions of an expression.
fn expr_queries(expr: &Ref<Expr>, out: &mut Vec<Negation>) {
    let mut queries = Vec::new();
    super::walk(expr, &mut queries, |_| {});
    for query in queries {
        query_negations(&query, out);
    }
}

#[cfg(test)]
mod tests {
    use super::bind_negated_arguments;

    fn bound(body: &str) -> String {
        let text = format!("package t\n\np if {{\n{body}\n}}\n");
        let out = bind_negated_arguments("t.rego", &text, false).unwrap_or(text);
        out.lines().nth(3).unwrap().to_owned()
    }

    #[test]
    fn arguments_of_negated_calls_are_bound_before_the_not_on_the_same_line() {
        assert_eq!(
            bound("  not startswith(input.r.name, \"x\")"),
            "  __envparity_not0_0__ := input.r.name; not startswith(__envparity_not0_0__, \"x\")"
        );
        assert_eq!(
            bound("  not input.r.size > 3"),
            "  __envparity_not0_0__ := input.r.size; not __envparity_not0_0__ > 3"
        );
        assert_eq!(
            bound("  not lower(input.a) == [input.b, 1]"),
            "  __envparity_not0_0__ := lower(input.a); __envparity_not0_1__ := input.b; \
             not __envparity_not0_0__ == [__envparity_not0_1__, 1]"
        );
    }

    #[test]
    fn negated_references_unifications_and_calls_on_plain_values_stay_as_written() {
        for body in [
            "  not input.versioning",
            "  x := 1\n  not x == 2",
            "  not startswith(\"abc\", \"x\")",
            "  not input.a = 1",
        ] {
            let text = format!("package t\n\np if {{\n{body}\n}}\n");
            assert_eq!(bind_negated_arguments("t.rego", &text, false), None, "{body}");
        }
    }
}
