//! `sprintf` as OPA evaluates it: OPA hands the arguments to Go's `fmt.Sprintf` (an integer as an `int`, another
//! number as a `float64`, a string as a `string`, anything else as the text of the Rego value), so the flags,
//! widths and precisions, and the `%!d(string=x)` of a verb that does not fit its argument, are Go's. regorus's own
//! `sprintf` reads only some of them (`%-5s` gave `5s`, `%d` of -1 `--1`); this one replaces it in every engine
//! envparity builds, as an extension, which regorus looks up before its builtins.

use regorus::Value;

/// An argument as Go's `fmt` sees it, as OPA converts it.
enum Arg {
    /// An integer Go's `int` holds.
    Int(i128),
    /// A larger integer, as its digits: OPA hands it over as a `*big.Int`, which `%d`, `%s` and `%v` write whole.
    Big(String),
    Float(f64),
    Str(String),
}

impl Arg {
    fn of(value: &Value) -> Arg {
        match value {
            // An integer as its digits (past Go's int, a big integer), any other number a float, as OPA hands them.
            Value::Number(n) => {
                let written = n.format_decimal();
                let integer = written.bytes().all(|b| b.is_ascii_digit() || b == b'-');
                match (integer, written.parse::<i64>(), written.parse::<f64>()) {
                    (true, Ok(i), _) => Arg::Int(i128::from(i)),
                    (true, Err(_), _) => Arg::Big(written),
                    (false, _, Ok(f)) => Arg::Float(f),
                    _ => Arg::Str(written),
                }
            }
            Value::String(s) => Arg::Str(s.to_string()),
            other => Arg::Str(text(other, false)),
        }
    }

    /// Go's `%!v(TYPE=VALUE)` of a verb the argument does not fit.
    fn wrong(&self, verb: char) -> String {
        match self {
            Arg::Int(i) => format!("%!{verb}(int={i})"),
            Arg::Big(digits) => format!("%!{verb}(*big.Int={digits})"),
            Arg::Float(f) => format!("%!{verb}(float64={})", general(*f, None, false)),
            Arg::Str(s) => format!("%!{verb}(string={s})"),
        }
    }
}

/// The text of a Rego value, as OPA writes a value that is not a number or a string (strings quoted inside).
fn text(value: &Value, quoted: bool) -> String {
    let join = |items: Vec<String>| items.join(", ");
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) if quoted => serde_json::to_string(s.as_ref()).unwrap_or_default(),
        Value::String(s) => s.to_string(),
        Value::Number(n) => n.format_decimal(),
        Value::Array(items) => format!("[{}]", join(items.iter().map(|v| text(v, true)).collect())),
        Value::Set(items) => format!("{{{}}}", join(items.iter().map(|v| text(v, true)).collect())),
        Value::Object(map) => format!(
            "{{{}}}",
            join(
                map.iter()
                    .map(|(k, v)| format!("{}: {}", text(k, true), text(v, true)))
                    .collect()
            )
        ),
        Value::Undefined => "#undefined".to_owned(),
    }
}

/// One `%` directive's flags, width and precision.
#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    /// `body` padded to the width: on the right with `-`, with zeros after the sign when `zero` applies.
    fn pad(&self, sign: &str, body: &str, zero_allowed: bool) -> String {
        let len = sign.chars().count() + body.chars().count();
        let fill = self.width.unwrap_or(0).saturating_sub(len);
        match (self.minus, self.zero && zero_allowed) {
            (true, _) => format!("{sign}{body}{}", " ".repeat(fill)),
            (false, true) => format!("{sign}{}{body}", "0".repeat(fill)),
            (false, false) => format!("{}{sign}{body}", " ".repeat(fill)),
        }
    }

    fn sign(&self, negative: bool) -> &'static str {
        match (negative, self.plus, self.space) {
            (true, _, _) => "-",
            (false, true, _) => "+",
            (false, false, true) => " ",
            _ => "",
        }
    }
}

/// The largest width or precision Go reads before taking a number for a mistake (its `tooLarge`).
const MAX_NUMBER: usize = 1_000_000;

/// `format` with `args` as Go's `fmt.Sprintf` writes them.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        // Go's `parsenum`: a number past a million is "crazy long" and takes the rest of the format with it, so a
        // width no one means (`%0900000000d`) is `%!(NOVERB)`, never a 900 MB string.
        let number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| -> Result<Option<usize>, ()> {
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                if n.is_some_and(|n| n > MAX_NUMBER) {
                    chars.for_each(drop);
                    return Err(());
                }
                n = Some(n.unwrap_or(0) * 10 + d as usize);
                chars.next();
            }
            Ok(n)
        };
        let Ok(width) = number(&mut chars) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        spec.width = width;
        if chars.peek() == Some(&'.') {
            chars.next();
            let Ok(precision) = number(&mut chars) else {
                out.push_str("%!(NOVERB)");
                break;
            };
            spec.precision = Some(precision.unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        out.push_str(&directive(&spec, verb, &Arg::of(arg)));
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| match Arg::of(a) {
                Arg::Int(i) => format!("int={i}"),
                Arg::Big(digits) => format!("*big.Int={digits}"),
                Arg::Float(f) => format!("float64={}", general(f, None, false)),
                Arg::Str(s) => format!("string={s}"),
            })
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

fn directive(spec: &Spec, verb: char, arg: &Arg) -> String {
    match (verb, arg) {
        ('v' | 'd', Arg::Int(i)) => {
            let digits = i.unsigned_abs().to_string();
            let digits = match spec.precision {
                Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
                _ => digits,
            };
            spec.pad(spec.sign(*i < 0), &digits, spec.precision.is_none())
        }
        ('d' | 's' | 'v', Arg::Big(digits)) => {
            let (negative, digits) = match digits.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, digits.as_str()),
            };
            spec.pad(spec.sign(negative), digits, true)
        }
        ('b' | 'o' | 'x' | 'X', Arg::Int(i)) => {
            let magnitude = i.unsigned_abs();
            let (digits, prefix) = match verb {
                'b' => (format!("{magnitude:b}"), "0b"),
                'o' => (format!("{magnitude:o}"), "0"),
                'x' => (format!("{magnitude:x}"), "0x"),
                _ => (format!("{magnitude:X}"), "0X"),
            };
            let body = if spec.sharp {
                format!("{prefix}{digits}")
            } else {
                digits
            };
            spec.pad(spec.sign(*i < 0), &body, true)
        }
        ('c', Arg::Int(i)) => {
            let c = u32::try_from(*i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            spec.pad("", &c.to_string(), false)
        }
        ('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'v', Arg::Float(f)) => float(spec, verb, *f),
        ('s' | 'v', Arg::Str(s)) => {
            let shown: String = match spec.precision {
                Some(p) => s.chars().take(p).collect(),
                None => s.clone(),
            };
            spec.pad("", &shown, true)
        }
        ('q', Arg::Str(s)) => spec.pad("", &serde_json::to_string(s).unwrap_or_default(), true),
        ('x' | 'X', Arg::Str(s)) => {
            let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            let hex = if verb == 'X' { hex.to_uppercase() } else { hex };
            spec.pad("", &hex, true)
        }
        (verb, arg) => arg.wrong(verb),
    }
}

/// A float under `%e`, `%f`, `%g` (and `%v`, which is `%g`), with Go's flags, width and precision.
fn float(spec: &Spec, verb: char, f: f64) -> String {
    if !f.is_finite() {
        let body = match (f.is_nan(), f > 0.0) {
            (true, _) => "NaN".to_owned(),
            (false, true) => format!(
                "{}Inf",
                if spec.plus {
                    "+"
                } else if spec.space {
                    " "
                } else {
                    ""
                }
            ),
            (false, false) => "-Inf".to_owned(),
        };
        return spec.pad("", &body, false);
    }
    let body = match verb {
        'e' | 'E' => exponent(f.abs(), spec.precision.unwrap_or(6), verb == 'E'),
        'f' | 'F' => format!("{:.*}", spec.precision.unwrap_or(6), f.abs()),
        _ => general(f.abs(), spec.precision, verb == 'G'),
    };
    spec.pad(spec.sign(f.is_sign_negative() && f != 0.0), &body, true)
}

/// `d.ddde±XX`: Go writes at least two exponent digits.
fn exponent(f: f64, precision: usize, upper: bool) -> String {
    let text = format!("{f:.precision$e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    e_notation(mantissa, exp.parse().unwrap_or(0), upper)
}

fn e_notation(mantissa: &str, exp: i32, upper: bool) -> String {
    let e = if upper { 'E' } else { 'e' };
    format!("{mantissa}{e}{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// `%g`: the shortest text that reads back as `f` (or `precision` significant digits), in `%e` form when its
/// exponent is below -4 or at least the precision (6 for the shortest, as Go decides).
fn general(f: f64, precision: Option<usize>, upper: bool) -> String {
    if f == 0.0 {
        return "0".to_owned();
    }
    let scientific = match precision {
        None => format!("{:e}", f.abs()),
        Some(p) => format!("{:.*e}", p.max(1) - 1, f.abs()),
    };
    let (mantissa, exp) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    // The significant digits, without the trailing zeros Go drops under %g.
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let significant = match digits.trim_end_matches('0') {
        "" => "0",
        trimmed => trimmed,
    };
    let limit = precision.map_or(6, |p| p.max(1) as i32);
    if exp < -4 || exp >= limit {
        let (first, rest) = significant.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        return e_notation(&mantissa, exp, upper);
    }
    let point = exp + 1;
    if point <= 0 {
        format!("0.{}{significant}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= significant.len() {
        format!("{significant}{}", "0".repeat(point as usize - significant.len()))
    } else {
        let (whole, fraction) = significant.split_at(point as usize);
        format!("{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(format: &str, args: &[Value]) -> String {
        sprintf(format, args)
    }

    fn n(text: &str) -> Value {
        Value::from_json_str(text).unwrap()
    }

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    /// Past Go's int, OPA hands a number over as a big integer, written whole (OPA's own `sprintf/big_int` case).
    #[test]
    fn a_number_past_go_s_int_is_written_whole_as_opa_does() {
        let sources = super::super::Sources {
            modules: vec![(
                "b.rego".into(),
                "package b\n\nx := sprintf(\"%s|%d\", [123456789123456789123, -1208925819614629174706175])\n"
                    .into(),
            )],
            ..Default::default()
        };
        let (mut engine, _) = super::super::engine(&sources, super::super::Limits::default()).unwrap();
        assert_eq!(
            engine.eval_rule("data.b.x".into()).unwrap(),
            Value::from("123456789123456789123|-1208925819614629174706175")
        );
    }

    /// Each case is what Go's `fmt.Sprintf` gives (and OPA with it) for the same format and argument.
    #[test]
    fn flags_widths_and_precisions_as_go_writes_them() {
        for (format, arg, expected) in [
            ("%d", n("-1"), "-1"),
            ("%+d", n("5"), "+5"),
            ("% d", n("5"), " 5"),
            ("%05d", n("-42"), "-0042"),
            ("%-5d|", n("42"), "42   |"),
            ("%5s|", s("ab"), "   ab|"),
            ("%-5s|", s("ab"), "ab   |"),
            ("%.1s", s("abc"), "a"),
            ("%e", n("1234.5678"), "1.234568e+03"),
            ("%E", n("0.000123"), "1.230000E-04"),
            ("%08.3f", n("3.14159"), "0003.142"),
            ("%.2f", n("-2.5"), "-2.50"),
            ("%f", n("1.5"), "1.500000"),
            ("%g", n("0.000012345"), "1.2345e-05"),
            ("%g", n("123456.5"), "123456.5"),
            ("%v", n("2.5"), "2.5"),
            ("%v", n("1e-7"), "1e-07"),
            ("%v", n("1234567.5"), "1.2345675e+06"),
            ("%x", n("255"), "ff"),
            ("%#x", n("255"), "0xff"),
            ("%X", s("hi"), "6869"),
            ("%o", n("8"), "10"),
            ("%b", n("5"), "101"),
            ("%q", s("a\"b"), "\"a\\\"b\""),
            ("%s", n("[1, \"a\"]"), "[1, \"a\"]"),
            ("%v", n("{\"a\": true}"), "{\"a\": true}"),
            ("%d", s("x"), "%!d(string=x)"),
            ("%f", n("1"), "%!f(int=1)"),
            ("%s", n("1"), "%!s(int=1)"),
            ("100%%", n("1"), "100%%!(EXTRA int=1)"),
        ] {
            assert_eq!(go(format, &[arg]), expected, "{format}");
        }
        assert_eq!(go("%s and %s", &[s("a")]), "a and %!s(MISSING)");
        // Widths past Go's limit are a mistake in the format, not a 900 MB string.
        assert_eq!(go("%0900000000d", &[n("1")]), "%!(NOVERB)%!(EXTRA int=1)");
        assert_eq!(go("%99999999999d", &[n("1")]), "%!(NOVERB)%!(EXTRA int=1)");
        assert_eq!(go("%.99999999d", &[n("1")]), "%!(NOVERB)%!(EXTRA int=1)");
    }
}
