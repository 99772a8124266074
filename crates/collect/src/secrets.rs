//! Secrets never leave a collector in plain text. A value is taken for a secret by its name (any word of it:
//! `DB_PASSWORD`, `secrets.stripe`, `sessionKeys`) or by its content (credentials in a URL, private keys, cloud
//! and service tokens, webhook URLs). It is stored as `{"redacted": true}` plus, when a key is set
//! (`ENVPARITY_FINGERPRINT_KEY`), an HMAC-SHA256 fingerprint that tells equal secrets from different ones without
//! revealing either. A URL keeps everything but its password (`"masked"`), since its host is what parity and the
//! cross-environment checks compare.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use hmac::{Hmac, KeyInit, Mac};
use regex::Regex;
use serde_json::{Map, Value};
use sha2::Sha256;

/// The fewest bytes a fingerprint key may have: a shorter key can be guessed, and with it every secret.
pub const MIN_KEY_BYTES: usize = 16;

/// Why a fingerprint key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "ENVPARITY_FINGERPRINT_KEY is {0} bytes long; it must have at least {MIN_KEY_BYTES} (for instance the \
     output of `openssl rand -hex 32`)"
)]
pub struct KeyTooShort(pub usize);

/// The HMAC key secrets are fingerprinted with.
#[derive(Clone)]
pub struct FingerprintKey(Vec<u8>);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FingerprintKey({})", self.id())
    }
}

impl FingerprintKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, KeyTooShort> {
        let bytes = bytes.into();
        match bytes.len() {
            n if n < MIN_KEY_BYTES => Err(KeyTooShort(n)),
            _ => Ok(FingerprintKey(bytes)),
        }
    }

    /// An identifier of the key that reveals nothing about it: snapshots record it, so that two fingerprints
    /// made with different keys are never taken for different secrets.
    pub fn id(&self) -> String {
        format!("hmac-sha256:{}", &self.mac(b"envparity fingerprint key id")[..16])
    }

    fn mac(&self, data: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(data);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn fingerprint(&self, plain: &str) -> String {
        format!("hmac-sha256:{}", self.mac(plain.as_bytes()))
    }
}

/// Word stems that mark a name as holding a secret, matched against every word of the name, singular or
/// plural (`DB_PASS`, `api_keys`, `SECRETS`).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "token",
    "key",
    "credential",
    "private",
    "auth",
    "dsn",
    "webhook",
    "sig",
    "signature",
    "authorization",
    "apikey",
];

/// Stems long enough to mark a word that ends with them whatever comes before (`PGPASSWORD`, `JWTSECRET`,
/// `masterpassword`, `csrftoken`): no ordinary word ends with one.
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "apikey",
];

/// Words written as one that end in a secret word (`accesskey`, `apitokens`): the prefixes that make them so.
const COMPOUND_PREFIXES: &[&str] = &[
    "access",
    "api",
    "auth",
    "client",
    "db",
    "encryption",
    "master",
    "private",
    "secret",
    "session",
    "signing",
    "app",
    "bearer",
    "refresh",
    "root",
    "admin",
    "user",
    "ssh",
    "require",
    "sudo",
    "account",
    "shared",
];

/// True when a parameter or config key's name suggests its value is a secret: any word of any segment.
pub fn looks_secret(name: &str) -> bool {
    let mut secret = false;
    words(name, |w| {
        let singular = w.strip_suffix('s').filter(|s| !s.is_empty());
        secret |= [Some(w), singular].into_iter().flatten().any(|word| {
            SECRET_WORDS.contains(&word)
                || COMPOUND_PREFIXES.iter().any(|prefix| {
                    word.strip_prefix(prefix)
                        .is_some_and(|rest| SECRET_WORDS.contains(&rest))
                })
                || SECRET_SUFFIXES.iter().any(|stem| word.ends_with(stem))
        });
    });
    secret
}

/// Each lowercase word of a name, in one buffer: `DB_PASSWORD` gives db, password; `apiKey` gives api, key.
fn words(name: &str, mut each: impl FnMut(&str)) {
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                each(&word);
                word.clear();
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !word.is_empty() {
            each(&word);
            word.clear();
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        each(&word);
    }
}

/// Values that are secrets whatever their name: private keys, cloud and service tokens, secret webhook URLs.
static SECRET_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    let patterns = [
        PRIVATE_KEY_HEADER,
        r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
        r"\bABSK[A-Za-z0-9+/]{100,}",
        r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}",
        r"\bv1\.0-[a-f0-9]{24}-[a-f0-9]{140,}",
        r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}",
        r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}",
        r"\bgithub_pat_[A-Za-z0-9_]{30,}",
        r"\bgl(?:pat|rt|dt|ptt|cbt|soat|ft|imt|agent)-[A-Za-z0-9_-]{20,}",
        r"\bxox[abposre]-[A-Za-z0-9-]{10,}",
        r"\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+",
        r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}",
        r"\bwhsec_[A-Za-z0-9]{10,}",
        r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
        r"\bsk-(?:proj|svcacct|admin|ant-api\d\d|ant)-[A-Za-z0-9_-]{20,}",
        r"\bsk-[A-Za-z0-9]{32,}",
        r"\bAIza[0-9A-Za-z_-]{35}",
        r"\bnpm_[A-Za-z0-9]{36}",
        r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{20,}",
        r"\bhf_[A-Za-z0-9]{30,}",
        r"\bdo[por]_v1_[a-f0-9]{64}",
        r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
        r"(?i)https://hooks\.slack\.com/(?:services|workflows|triggers)/\S+",
        r"(?i)https://(?:[a-z]+\.)?discord(?:app)?\.com/api/webhooks/\S+",
        r"(?i)https://[a-z0-9.-]+\.webhook\.office\.com/\S+",
    ];
    Regex::new(&patterns.map(|p| format!("(?:{p})")).join("|")).expect("the secret patterns are valid")
});

/// A run of 40 base64 characters standing alone: the shape of an AWS secret access key.
static AWS_SECRET_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])").expect("valid")
});

/// What a masked text shows in place of each secret.
const MASK: &str = "<redacted>";

/// The header of a private key: the key's lines follow it, so a text holding one is a secret whole.
const PRIVATE_KEY_HEADER: &str = r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----";
static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(PRIVATE_KEY_HEADER).expect("valid"));

/// What of a text is secret: the whole text when it holds a private key's header (the key's lines follow it),
/// else each secret in it ([`secret_ranges`]).
fn secrets(text: &str) -> Vec<Range<usize>> {
    let facts = Facts::of(text);
    match facts.key_header && PRIVATE_KEY.is_match(text) {
        true => std::iter::once(0..text.len()).collect(),
        false => secret_ranges(text, &facts),
    }
}

/// Every secret in a text, by content or by the shape around it: the byte ranges, sorted and merged.
fn secret_ranges(text: &str, facts: &Facts) -> Vec<Range<usize>> {
    if !facts.may_hold_secret() {
        return Vec::new();
    }
    let mut ranges = token_ranges(text, facts);
    ranges.extend(secret_spans(text, facts));
    merge(ranges)
}

/// What a text is made of, found in one pass over its bytes: enough to tell which secret patterns cannot match
/// it, so that those are not run. Each pattern needs something a text without it lacks: a URL's password a `:`
/// and an `@`, a generated token a run of 16 token characters, a vendor's token one of 12, a flag a `-` after a
/// blank... A text with a byte outside ASCII, where the patterns' Unicode classes (`\s`, `\b`, case folding)
/// match more than ASCII does, rules nothing out.
#[derive(Debug, Default, Clone, Copy)]
struct Facts {
    non_ascii: bool,
    /// The longest run of token characters (see [`token_char`]).
    longest_run: usize,
    equals: bool,
    colon: bool,
    /// A `:` before a space or a tab, or at the end.
    colon_blank: bool,
    at: bool,
    quote: bool,
    /// A blank of `\s`: space, tab, line feed, vertical tab, form feed, carriage return.
    blank: bool,
    /// A `-` at the start or after a blank: a flag.
    flag: bool,
    /// `-----BEGIN`, as a private key's header starts (found in the same pass: every text is asked).
    key_header: bool,
    /// `bearer` or `basic`, in any case.
    auth_word: bool,
}

/// Whether a byte is one tokens are made of: letters, digits and `_-+/=.~`.
fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'.' | b'~')
}

/// A blank as the patterns' `\s` sees it in ASCII.
fn blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

impl Facts {
    fn of(text: &str) -> Facts {
        let b = text.as_bytes();
        let mut facts = Facts::default();
        let (mut run, mut after_blank, mut dashes) = (0, true, 0);
        for (i, &c) in b.iter().enumerate() {
            if token_char(c) {
                run += 1;
                facts.longest_run = facts.longest_run.max(run);
            } else {
                run = 0;
            }
            match c {
                b'=' => facts.equals = true,
                b':' => {
                    facts.colon = true;
                    facts.colon_blank |= b.get(i + 1).is_none_or(|&n| n == b' ' || n == b'\t');
                }
                b'@' => facts.at = true,
                b'"' | b'\'' => facts.quote = true,
                b'-' => facts.flag |= after_blank,
                b'B' => facts.key_header |= dashes >= 5 && b[i..].starts_with(b"BEGIN"),
                0x80.. => facts.non_ascii = true,
                c => facts.blank |= blank(c),
            }
            after_blank = blank(c);
            dashes = if c == b'-' { dashes + 1 } else { 0 };
        }
        facts.auth_word = facts.blank && {
            let lower = text.to_ascii_lowercase();
            lower.contains("bearer") || lower.contains("basic")
        };
        facts
    }

    /// Whether any secret pattern could match.
    fn may_hold_secret(&self) -> bool {
        self.may_hold_token() || SHAPES.iter().any(|s| s.possible(self))
    }

    /// Whether a vendor's token or a private key's header could be there ([`SECRET_VALUE`]; every other
    /// alternative needs a run of 12 token characters).
    fn may_hold_token(&self) -> bool {
        self.non_ascii || self.longest_run >= 12 || self.key_header
    }
}

/// The runs of the characters tokens are made of long enough to hold a random one (16 or more): each whole.
fn token_runs(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let b = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < b.len() {
            let start = at + b[at..].iter().position(|&c| token_char(c))?;
            let end = b[start..]
                .iter()
                .position(|&c| !token_char(c))
                .map_or(b.len(), |n| start + n);
            at = end;
            if end - start >= 16 {
                return Some(start..end);
            }
        }
        None
    })
}

/// Whether letters and digits look generated rather than written: not a hex digest or a number (hashes,
/// digests, resource ids, timestamps stay readable), and either both cases about as common and switching as
/// often as in random text (`AWSServiceRoleForAmazonEKSNodegroup`, `AmazonS3ClientBuilder` are words), or
/// letters and digits interleaved as in random text (identifiers switch rarely: `orders2026prod` twice in 14
/// characters), or, when `varied`, lower case and digits as varied as random text over 20 characters or more (a
/// random token with few digits).
fn random_alphanumerics(b: &[u8], min: usize, varied: bool) -> bool {
    if b.len() < min || b.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let class = |c: &u8| match c {
        b'A'..=b'Z' => 0,
        b'a'..=b'z' => 1,
        _ => 2,
    };
    let count = |k| b.iter().filter(|c| class(c) == k).count();
    let (upper, lower, digits) = (count(0), count(1), count(2));
    let switches = b.windows(2).filter(|w| class(&w[0]) != class(&w[1])).count();
    let digit_switches = b
        .windows(2)
        .filter(|w| (class(&w[0]) == 2) != (class(&w[1]) == 2))
        .count();
    let n = b.len();
    // Both cases about as common as in random text, switching as often.
    let cases = upper * 4 >= n && lower * 4 >= n && switches * 5 >= 2 * (n - 1);
    match (digits, upper + lower) {
        (_, 0) => false,
        (0, _) => cases,
        _ => {
            cases
                || (digit_switches * 5 >= n - 1 && entropy(b) >= 3.0)
                || (varied && upper == 0 && n >= 20 && entropy(b) >= 3.8)
        }
    }
}

/// Whether a run of token characters holds a generated token: one of its parts (letters and digits between
/// separators) of 16 characters or more looks random, or its parts that are neither words nor hex do, joined,
/// over 24 characters or more (base64url and vendor formats cut a token into short parts:
/// `pscale_pw_bg6-12yuw269b_j4=lxsyv0m8y1h`).
fn random_run(run: &str) -> bool {
    may_be_random(run) && random_parts(run)
}

/// Whether a run has what each way [`random_parts`] finds a token needs: a part of 16 characters or more, or
/// three digits in parts that hold letters too. Most names, paths and ARNs' runs have neither
/// (`web-staging-100-asg`, `123456789012`), and are told so without the counting.
fn may_be_random(run: &str) -> bool {
    let mut digits = 0;
    for part in run.split(|c: char| !c.is_ascii_alphanumeric()) {
        if part.len() >= 16 {
            return true;
        }
        if part.bytes().any(|c| c.is_ascii_alphabetic()) {
            digits += part.bytes().filter(u8::is_ascii_digit).count();
        }
    }
    digits >= 3
}

/// [`random_run`], on any run.
fn random_parts(run: &str) -> bool {
    let parts = run.split(|c: char| !c.is_ascii_alphanumeric());
    if parts
        .clone()
        .any(|p| random_alphanumerics(p.as_bytes(), 16, true))
    {
        return true;
    }
    // A vendor's word before a long hex key (`shippo_live_fccf...`, `PMAK-d00a...`, `key-ec97...`); a word that
    // names a hash (`sha-`, `build-`, `commit-`) before a digest is no secret.
    let mut named = false;
    for part in parts.clone() {
        let b = part.as_bytes();
        if b.len() >= 2 && b.iter().all(u8::is_ascii_alphabetic) {
            named |= !HASH_WORDS.iter().any(|word| part.eq_ignore_ascii_case(word));
        } else if named
            && b.len() >= 24
            && b.iter().all(u8::is_ascii_hexdigit)
            && b.iter().any(u8::is_ascii_digit)
            && b.iter().any(u8::is_ascii_alphabetic)
        {
            return true;
        }
    }
    // Parts made as random text is (letters with digits, or both cases about as often): words, CamelCase and hex
    // runs are what hostnames, paths, kinds and ids are made of, and are left out.
    let generated = |p: &&str| {
        let b = p.as_bytes();
        let count = |f: fn(&u8) -> bool| b.iter().filter(|c| f(c)).count();
        let (upper, lower, digits) = (
            count(u8::is_ascii_uppercase),
            count(u8::is_ascii_lowercase),
            count(u8::is_ascii_digit),
        );
        let made = (digits > 0 && upper + lower > 0) || (upper * 4 >= b.len() && lower * 4 >= b.len());
        made && !b.iter().all(u8::is_ascii_hexdigit)
    };
    let joined: Vec<u8> = parts.filter(generated).flat_map(str::bytes).collect();
    let digits = joined.iter().filter(|c| c.is_ascii_digit()).count();
    digits >= 3 && digits * 10 >= joined.len() && random_alphanumerics(&joined, 24, false)
}

/// Words that name a digest rather than a key when they stand before hex.
const HASH_WORDS: &[&str] = &[
    "sha", "sha1", "sha256", "sha512", "md5", "hash", "digest", "git", "commit", "rev", "ref", "build",
    "etag", "checksum", "image", "tag", "version", "main", "master", "release",
];

/// Shannon entropy in bits per character.
fn entropy(b: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &c in b {
        counts[c as usize] += 1;
    }
    let n = b.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Where secrets sit by their content alone, whatever the text around them: the byte ranges of each.
fn token_ranges(text: &str, facts: &Facts) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if facts.may_hold_token() {
        out.extend(SECRET_VALUE.find_iter(text).map(|m| m.range()));
    }
    if facts.longest_run < 16 {
        return out;
    }
    // Generated tokens of any vendor: a run holding a part that looks random.
    out.extend(token_runs(text).filter(|run| random_run(&text[run.clone()])));
    if facts.longest_run < 40 {
        return out;
    }
    out.extend(AWS_SECRET_KEY.captures_iter(text).filter_map(|c| {
        let run = c.get(1).expect("the pattern has one group");
        let b = run.as_str().bytes();
        // Random base64, not a word, a path or a hex digest.
        let mixed = b.clone().any(|b| b.is_ascii_uppercase())
            && b.clone().any(|b| b.is_ascii_lowercase())
            && b.clone().any(|b| b.is_ascii_digit());
        mixed.then(|| run.range())
    }));
    out
}

/// One shape of text that holds a secret inside it: the group of the value, and the group of the name (of a flag,
/// a key, a property) that makes it a secret, when the shape alone does not.
struct Shape {
    pattern: Regex,
    name: Option<usize>,
    value: usize,
    /// Rules out what the pattern catches that is not a secret.
    plausible: fn(&str) -> bool,
    /// What a text in ASCII needs for the pattern to match it.
    needs: fn(&Facts) -> bool,
}

impl Shape {
    /// Whether the pattern could match a text with these facts.
    fn possible(&self, facts: &Facts) -> bool {
        facts.non_ascii || (self.needs)(facts)
    }
}

/// A quoted or bare value in a command line or an assignment.
const ARG: &str = r#"("[^"\n]*"|'[^'\n]*'|[^\s"']+)"#;

/// The shapes secrets take inside longer texts: URLs, command lines, `KEY=VALUE` lists and connection strings,
/// property, ini, YAML and dotenv lines, JSON and dict pairs, database clients' password flags, HTTP credentials.
static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| {
    let any = |_: &str| true;
    let shape = |pattern: &str, name: Option<usize>, value: usize, needs: fn(&Facts) -> bool| Shape {
        pattern: Regex::new(pattern).expect("the secret shapes are valid"),
        name,
        value,
        plausible: any,
        needs,
    };
    // What the shapes need, beyond ASCII: a flag or a client's option (`[ \t]-p`) is a `-` after a blank.
    let flag = |f: &Facts| f.flag;
    let quoted_pair = |f: &Facts| f.quote && f.colon;
    let auth = |f: &Facts| f.auth_word;
    vec![
        // scheme://user:password@host, up to the last `@` of the word (a Mongo SRV password may hold `@` and `/`).
        Shape {
            plausible: not_a_port,
            ..shape(
                r#"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@"']*:([^\s"']+)@"#,
                None,
                1,
                |f| f.colon && f.at,
            )
        },
        // --password X, --requirepass=X, -token X
        shape(
            r#"(?:^|\s)--?([A-Za-z][A-Za-z0-9_.-]*)(?:=|[ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s"'-][^\s"']*)"#,
            Some(1),
            2,
            flag,
        ),
        // KEY=VALUE in a command or an environment list, a URL query (`&password=`), an ADO.NET or Azure connection
        // string (`Password=...;`, `AccountKey=...;`), a Java system property (`-Dspring.datasource.password=`).
        shape(
            r#"(?:^|[\s;&?,(\[{"'])(?:-D)?([A-Za-z_][A-Za-z0-9_.\-\[\]]*)[ \t]*=[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s;&,"'\])}]+)"#,
            Some(1),
            2,
            |f| f.equals,
        ),
        // A line `key = value`, `key: value`, `export KEY=value`, `- KEY=value`: properties, ini, YAML, dotenv. As
        // in YAML, a colon needs a space after it (`secretKeyRef:web/DB_PASSWORD` names a secret, holds none).
        shape(
            r#"(?m)^[ \t]*(?:export[ \t]+|-[ \t]+)?["']?([A-Za-z_][A-Za-z0-9_.\-\[\]]*)["']?[ \t]*(?:=[ \t]*|:[ \t]+)([^\s#].*?)[ \t\r]*$"#,
            Some(1),
            2,
            |f| f.equals || f.colon_blank,
        ),
        // "password": "x" in JSON, 'password': 'x' in a dict.
        shape(
            r#"["']([^"'\\\n]{1,128})["'][ \t]*:[ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|-?[0-9][0-9.eE+-]*)"#,
            Some(1),
            2,
            quoted_pair,
        ),
        // mysql -pSECRET (a space after -p makes it prompt instead), sshpass -p SECRET, redis-cli -a SECRET.
        shape(
            &format!(
                r"\b(?:mysql|mysqladmin|mysqldump|mysqlcheck|mysqlimport|mysqlshow|mysqlpump|mariadb|mariadb-admin|mariadb-dump|mariadb-check)\b[^\n;|&]*?[ \t]-p{ARG}"
            ),
            None,
            1,
            flag,
        ),
        shape(
            &format!(r"\bsshpass\b[^\n;|&]*?[ \t]-p[ \t]*{ARG}"),
            None,
            1,
            flag,
        ),
        shape(
            &format!(r"\bredis-cli\b[^\n;|&]*?[ \t]-a[ \t]+{ARG}"),
            None,
            1,
            flag,
        ),
        // curl -u user:password, --user "user:password": the password (or the user, when it stands alone).
        shape(
            r#"(?:^|\s)(?:-u|--user)[ \t]+["']?[^\s:"']*:([^\s"']+)"#,
            None,
            1,
            flag,
        ),
        shape(
            r#"(?:^|\s)(?:-u|--user)[ \t]+["']?([^\s:"']+):["']?(?:\s|$)"#,
            None,
            1,
            flag,
        ),
        // An HTTP header in quotes whose name says secret: -H "Api-Token: X", -H 'Authorization: Token X'.
        shape(
            r#"["']([A-Za-z][A-Za-z0-9-]*):[ \t]*([^"'\n]+)["']"#,
            Some(1),
            2,
            quoted_pair,
        ),
        // Authorization: Bearer TOKEN, Basic BASE64(user:password).
        shape(r"(?i)\bbearer[ \t]+([A-Za-z0-9._~+/=-]{8,})", None, 1, auth),
        Shape {
            plausible: basic_credentials,
            ..shape(r"(?i)\bbasic[ \t]+([A-Za-z0-9+/]{8,}={0,2})", None, 1, auth)
        },
    ]
});

/// A value that names another instead of holding one: `${DB_PASSWORD}`, `$(DB_PASSWORD)`, `{{ .Values.x }}`.
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\})$")
        .expect("valid")
});

/// Where secrets sit inside a text: the byte ranges of each value. Values already masked and references to other
/// values are not secrets.
fn secret_spans(text: &str, facts: &Facts) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for shape in SHAPES.iter().filter(|s| s.possible(facts)) {
        for c in shape.pattern.captures_iter(text) {
            if shape.name.is_some_and(|n| !looks_secret(&c[n])) {
                continue;
            }
            let value = c.get(shape.value).expect("the value group always takes part");
            let mut range = value.range();
            let quoted = value.as_str().len() >= 2
                && (value.as_str().starts_with('"') && value.as_str().ends_with('"')
                    || value.as_str().starts_with('\'') && value.as_str().ends_with('\''));
            if quoted {
                range = range.start + 1..range.end - 1;
            }
            let inner = &text[range.clone()];
            if inner.is_empty() || inner == MASK || REFERENCE.is_match(inner) || !(shape.plausible)(inner) {
                continue;
            }
            spans.push(range);
        }
    }
    spans
}

/// A URL's "password" that is a port and a path (`https://host:8080/a@b`) is none.
fn not_a_port(value: &str) -> bool {
    let port = value.split('/').next().unwrap_or_default();
    value.contains('@') || !(value.contains('/') && port.bytes().all(|b| b.is_ascii_digit()))
}

/// `Basic` before a word is HTTP credentials only when the word is base64 of `user:password`.
fn basic_credentials(value: &str) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .is_ok_and(|plain| plain.contains(&b':'))
}

/// Sorted ranges with overlapping or touching ones joined.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The text with each range replaced by `<redacted>`.
fn masked_text(text: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(&text[at..r.start]);
        out.push_str(MASK);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// True when one item of a list holds a secret: by content, or inside it (a list is not masked item by item, so
/// the whole list becomes the secret).
fn secret_item(item: &str) -> bool {
    !secrets(item).is_empty()
}

/// Whether [`Redactor::scrub`] would change a text value: a private key, or a secret in it.
fn scrubbed(text: &str) -> bool {
    !secrets(text).is_empty()
}

/// Whether [`Redactor::scrub`] keeps the JSON value written as `json` as it is, found from the text without
/// building the value: each text value is judged as scrub judges it (a list of texts joined by blanks, as the
/// command line it may be). A text with an escape, or a member named `redacted`, is taken to need scrubbing.
pub fn scrub_keeps(json: &str) -> bool {
    /// An open object or list, and what scrub will judge of a list: its texts joined, or each item alone.
    enum Open<'a> {
        Object,
        Texts(Vec<&'a str>),
        Mixed,
    }
    let b = json.as_bytes();
    let mut open: Vec<Open> = Vec::new();
    // A list that holds more than texts: its texts are judged one by one.
    let mixed = |list: &mut Open| match std::mem::replace(list, Open::Mixed) {
        Open::Texts(texts) => !texts.into_iter().any(scrubbed),
        _ => true,
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                let end = match memchr::memchr2(b'"', b'\\', &b[start..]) {
                    Some(k) if b[start + k] == b'"' => start + k,
                    _ => return false,
                };
                let text = &json[start..end];
                i = end + 1;
                if b.get(i) == Some(&b':') {
                    // A member's name stays as it is; a redacted value's members are rewritten.
                    if text == "redacted" {
                        return false;
                    }
                    continue;
                }
                match open.last_mut() {
                    Some(Open::Texts(texts)) => texts.push(text),
                    _ if scrubbed(text) => return false,
                    _ => {}
                }
                continue;
            }
            c @ (b'[' | b'{' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                if let Some(list) = open.last_mut().filter(|o| !matches!(o, Open::Object))
                    && !mixed(list)
                {
                    return false;
                }
                match c {
                    b'[' => open.push(Open::Texts(Vec::new())),
                    b'{' => open.push(Open::Object),
                    _ => {}
                }
            }
            b']' | b'}' => {
                if let Some(Open::Texts(texts)) = open.pop()
                    && !texts.is_empty()
                    && scrubbed(&texts.join(" "))
                {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// Turns plain values into what a snapshot may hold. One per collection, shared by every collector, and the
/// egress check every value of a snapshot passes on its way out ([`Redactor::scrub`]).
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    key: Option<FingerprintKey>,
}

impl Redactor {
    pub fn new(key: Option<FingerprintKey>) -> Self {
        Redactor { key }
    }

    /// The identifier of the fingerprint key, for the snapshot.
    pub fn key_id(&self) -> Option<String> {
        self.key.as_ref().map(FingerprintKey::id)
    }

    /// The stored form of a secret: redacted, with a fingerprint when both the value and a key are known.
    pub fn redact(&self, plain: Option<&str>) -> Value {
        let mut out = Map::from_iter([("redacted".to_owned(), Value::Bool(true))]);
        if let (Some(plain), Some(key)) = (plain, &self.key) {
            out.insert("fingerprint".into(), key.fingerprint(plain).into());
        }
        out.into()
    }

    /// The stored form of a text value named `name`: redacted when the name or the content says secret, the
    /// secrets inside it masked (a URL's password, a command line's `--password X`), else the text as it is.
    pub fn text(&self, name: &str, plain: &str) -> Value {
        if looks_secret(name) {
            return self.redact(Some(plain));
        }
        self.masked(plain).unwrap_or_else(|| Value::from(plain))
    }

    /// The stored form of a list of texts (an SSM StringList): each item is looked at, and one secret item makes
    /// the whole list a secret.
    pub fn list(&self, name: &str, items: &[&str]) -> Value {
        if looks_secret(name) || items.iter().any(|i| secret_item(i)) {
            return self.redact(Some(&items.join(",")));
        }
        Value::from(items.iter().map(|i| Value::from(*i)).collect::<Vec<_>>())
    }

    /// The stored form of a text value named `name` as a collector makes it: redacted when the name says
    /// secret, else the text as it is. Its content is judged once, by the egress check every value passes on
    /// its way out ([`Redactor::scrub`], as [`Redactor::text`] judges it): a collector does not judge it again.
    pub fn named(&self, name: &str, plain: &str) -> Value {
        match looks_secret(name) {
            true => self.redact(Some(plain)),
            false => Value::from(plain),
        }
    }

    /// Any JSON value named `name` (a config file's leaf): texts as [`Redactor::named`], lists item by item,
    /// other values redacted whole when the name says secret.
    pub fn value(&self, name: &str, value: Value) -> Value {
        match value {
            Value::String(s) => self.named(name, &s),
            Value::Array(items) => {
                let secret = looks_secret(name) || items.iter().any(|i| i.as_str().is_some_and(secret_item));
                match secret {
                    true => self.redact(Some(&Value::Array(items).to_string())),
                    false => Value::Array(items),
                }
            }
            other if looks_secret(name) => self.redact(Some(&other.to_string())),
            other => other,
        }
    }

    /// The egress check: any value on its way into a snapshot, whatever field holds it, judged by its content.
    /// Texts as [`Redactor::text`] without a name; a list of texts as the command line it may be (one secret
    /// token redacts it whole, a secret inside it is masked in the list's text joined by spaces); objects member
    /// by member. A value already redacted keeps only the members redaction writes, its masked text checked
    /// again.
    pub fn scrub(&self, value: Value) -> Value {
        match value {
            Value::String(s) => self.text("", &s),
            Value::Array(items) if items.iter().all(Value::is_string) && !items.is_empty() => {
                let texts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                match self.text("", &texts.join(" ")) {
                    Value::String(_) => Value::Array(items),
                    secret => secret,
                }
            }
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.scrub(v)).collect()),
            Value::Object(map) if map.get("redacted") == Some(&Value::Bool(true)) => {
                let mut out = Map::from_iter([("redacted".to_owned(), Value::Bool(true))]);
                if let Some(Value::String(f)) = map
                    .get("fingerprint")
                    .filter(|f| f.as_str().is_some_and(fingerprint_shaped))
                {
                    out.insert("fingerprint".into(), Value::from(f.as_str()));
                }
                if let Some(Value::String(m)) = map
                    .get("masked")
                    .filter(|m| m.as_str().is_some_and(|m| self.scrub_text(m) == m))
                {
                    out.insert("masked".into(), Value::from(m.as_str()));
                }
                out.into()
            }
            Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, self.scrub(v))).collect()),
            other => other,
        }
    }

    /// A text that is not a value (a name, an identifier, an error message) with every secret in it masked:
    /// borrowed when it had none, owned whenever it changed.
    pub fn scrub_text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let ranges = secrets(text);
        match ranges.is_empty() {
            true => Cow::Borrowed(text),
            false => Cow::Owned(masked_text(text, &ranges)),
        }
    }

    /// A tag's value: masked whole when its key says secret, else with every secret in it masked. (A tag holds a
    /// text, so a secret tag cannot keep a fingerprint.) Borrowed when it stays as it was, owned whenever it changed.
    pub fn tag<'t>(&self, key: &str, value: &'t str) -> Cow<'t, str> {
        match looks_secret(key) {
            true if value == MASK => Cow::Borrowed(value),
            true => Cow::Owned(MASK.to_owned()),
            false => self.scrub_text(value),
        }
    }

    /// A text with secrets in it: redacted, with a fingerprint of those secrets and the text with each replaced
    /// by `<redacted>` (a text that is a secret and nothing more is redacted whole). `None` when there is none.
    fn masked(&self, plain: &str) -> Option<Value> {
        let ranges = secrets(plain);
        if ranges.is_empty() {
            return None;
        }
        let masked = masked_text(plain, &ranges);
        if masked.trim() == MASK {
            return Some(self.redact(Some(plain)));
        }
        let secrets: Vec<&str> = ranges.iter().map(|r| &plain[r.clone()]).collect();
        let mut out = self.redact(Some(&secrets.join("\n")));
        out["masked"] = Value::from(masked);
        Some(out)
    }
}

/// `hmac-sha256:` and 64 hex digits: what [`FingerprintKey::fingerprint`] writes.
fn fingerprint_shaped(text: &str) -> bool {
    text.strip_prefix("hmac-sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn key(k: &str) -> Redactor {
        Redactor::new(Some(FingerprintKey::new(k.as_bytes()).unwrap()))
    }

    /// Every pattern run on the text, none ruled out by its facts.
    fn every_pattern(text: &str) -> Vec<Range<usize>> {
        let all = Facts {
            non_ascii: true,
            longest_run: usize::MAX,
            ..Facts::default()
        };
        let mut ranges = token_ranges(text, &all);
        ranges.extend(secret_spans(text, &all));
        merge(ranges)
    }

    /// Pieces of the shapes secrets take, and of the texts around them, to be put together at random.
    const PIECES: &[&str] = &[
        "password",
        "token",
        "db_pass",
        "name",
        "=",
        " = ",
        ":",
        ": ",
        " ",
        "\t",
        "\n",
        "\r",
        "\x0b",
        "-",
        "-p",
        "-a ",
        "--user ",
        "-u ",
        "--password ",
        "@",
        "://",
        "https",
        "postgres",
        "\"",
        "'",
        "Bearer ",
        "BASIC ",
        "basic",
        "AKIA",
        "ghp_",
        "xoxb-",
        "xapp-1-A-1-",
        "eyJ",
        ".",
        "/",
        "+",
        "~",
        "_",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "3kQ9vLx2Tz",
        "abcdefgh",
        "12345678",
        "mysql ",
        "sshpass ",
        "redis-cli ",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN",
        "é",
        "\u{a0}",
        "ſ",
        "K",
        "hooks.slack.com/services/",
        "${X}",
        "<redacted>",
        ";",
        "&",
        "?",
        "{",
        "[",
        ",",
        "export ",
        // Each shape whole, at its shortest.
        "postgres://u:pw@h",
        "--password hunter2",
        "DB_PASSWORD=x",
        "password: x",
        "\"password\": \"x\"",
        "mysql -ps3cret",
        "sshpass -p x",
        "redis-cli -a x",
        "curl -u user:pw",
        "-u user:",
        "\"Api-Token: X\"",
        "Bearer abcdefgh",
        "Basic dXNlcjpwYXNz",
        "xapp-1-A-1-a",
        "xoxb-1234567890",
        "AKIAIOSFODNN7EXAMPLE",
        "Zq3vX9pL2mT8wR4kY7nB",
    ];

    /// JSON values of texts made of [`PIECES`], numbers and redacted values, in lists and objects.
    fn json_value() -> impl Strategy<Value = Value> {
        let text = proptest::collection::vec(proptest::sample::select(PIECES), 1..4)
            .prop_map(|p| Value::from(p.concat()));
        let leaf = prop_oneof![
            4 => text.clone(),
            1 => any::<i32>().prop_map(Value::from),
            1 => Just(json!({"redacted": true})),
        ];
        leaf.prop_recursive(3, 24, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::vec(text.clone(), 1..4).prop_map(Value::from),
                proptest::collection::btree_map(proptest::sample::select(PIECES), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        /// The runs of token characters are those a pattern of their class finds.
        #[test]
        fn token_runs_are_the_runs_a_pattern_of_their_class_finds(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 1..12)
        ) {
            let text = pieces.concat();
            let pattern = Regex::new(r"[A-Za-z0-9_\-+/=.~]{16,}").unwrap();
            let found: Vec<_> = pattern.find_iter(&text).map(|m| m.range()).collect();
            prop_assert_eq!(token_runs(&text).collect::<Vec<_>>(), found, "{:?}", text);
        }

        /// A run that lacks what a generated token needs would not have been found one.
        #[test]
        fn a_run_ruled_out_as_random_is_no_random_run(run in "[A-Za-z0-9_+/=.~-]{16,48}") {
            if !may_be_random(&run) {
                prop_assert!(!random_parts(&run), "{}", run);
            }
        }

        /// What scrub_keeps tells from a value's text, scrub does: it keeps the value as it is.
        #[test]
        fn a_value_scrub_keeps_by_its_text_is_kept_by_scrub(value in json_value()) {
            let text = value.to_string();
            if scrub_keeps(&text) {
                prop_assert_eq!(Redactor::new(None).scrub(value.clone()), value, "{}", text);
            }
        }

        /// The patterns a text's facts rule out are ones that could not have matched it: the secrets found are the
        /// same as with every pattern run.
        #[test]
        fn ruling_patterns_out_by_a_text_s_facts_finds_the_same_secrets(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 1..12)
        ) {
            let text = pieces.concat();
            prop_assert_eq!(secret_ranges(&text, &Facts::of(&text)), every_pattern(&text), "{:?}", text);
        }
    }

    #[test]
    fn secret_looking_names() {
        for name in [
            "DB_PASSWORD",
            "/shop/prod/SESSION_SECRET",
            "stripe.apiKey",
            "API_TOKEN",
            "jwt.private_key",
            "SENTRY_DSN",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in [
            "DB_POOL_SIZE",
            "/shop/prod/PAYMENT_API_URL",
            "http.timeout_ms",
            "keyboard",
            "monkey",
            "tokenizer_model",
            "passenger_count",
            "compass",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn plural_compound_and_inner_segment_names_are_secret() {
        for name in [
            "SECRETS",
            "api_keys",
            "DB_PASS",
            "secrets.stripe",
            "sessionKeys",
            "accesskey",
            "API_KEYS",
            "/shop/prod/tokens/github",
            "passwords",
            "SLACK_WEBHOOK",
        ] {
            assert!(looks_secret(name), "{name}");
        }
    }

    #[test]
    fn a_password_inside_a_url_is_masked_and_the_rest_kept() {
        let r = key("0123456789abcdef");
        let stored = r.text(
            "DATABASE_URL",
            "postgres://shop:hunter2@db.prod.internal:5432/shop",
        );
        assert!(!stored.to_string().contains("hunter2"), "{stored}");
        assert_eq!(stored["redacted"], json!(true));
        assert_eq!(
            stored["masked"],
            json!("postgres://shop:<redacted>@db.prod.internal:5432/shop")
        );
        // The same password at another host is the same secret.
        let other = r.text(
            "DATABASE_URL",
            "postgres://shop:hunter2@db.staging.internal:5432/shop",
        );
        assert_eq!(stored["fingerprint"], other["fingerprint"]);
        assert_eq!(
            r.text("URL", "https://example.com/a:b@c"),
            json!("https://example.com/a:b@c")
        );
    }

    #[test]
    fn secrets_are_found_by_value_whatever_the_name() {
        let r = Redactor::default();
        for value in [
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "xoxb-123456789012-abcdefghijkl",
            "sk_live_abcdefghijklmnop",
            "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
        ] {
            assert_eq!(r.text("SETTING", value), json!({"redacted": true}), "{value}");
        }
        for value in [
            "info",
            "https://api.example.com/v1",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "/var/lib/app/data/uploads/images/thumbnails",
        ] {
            assert_eq!(r.text("SETTING", value), json!(value), "{value}");
        }
    }

    #[test]
    fn a_string_list_with_one_secret_item_is_a_secret() {
        let r = Redactor::default();
        assert_eq!(r.list("API_KEYS", &["a", "b"]), json!({"redacted": true}));
        assert_eq!(
            r.list("HOSTS", &["a", "sk_live_abcdefghijklmnop"]),
            json!({"redacted": true})
        );
        assert_eq!(r.list("HOSTS", &["a", "b"]), json!(["a", "b"]));
        assert_eq!(
            r.value("hosts", json!(["a", "AKIAIOSFODNN7EXAMPLE"])),
            json!({"redacted": true})
        );
    }

    #[test]
    fn fingerprints_need_a_key_and_hide_the_value() {
        assert_eq!(
            Redactor::default().redact(Some("hunter2")),
            json!({"redacted": true})
        );
        let a = key("k1k1k1k1k1k1k1k1").redact(Some("hunter2"));
        assert_eq!(a, key("k1k1k1k1k1k1k1k1").redact(Some("hunter2")));
        assert_ne!(a, key("k1k1k1k1k1k1k1k1").redact(Some("hunter3")));
        assert_ne!(a, key("k2k2k2k2k2k2k2k2").redact(Some("hunter2")));
        assert!(!a.to_string().contains("hunter2"));
        assert!(a["fingerprint"].as_str().unwrap().starts_with("hmac-sha256:"));
    }

    #[test]
    fn run_together_names_are_secret() {
        for name in [
            "PGPASSWORD",
            "JWTSECRET",
            "requirepass",
            "masterauth",
            "csrftoken",
            "MYSQL_ROOTPASSWORD",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in ["bypass", "compass", "tokenizer", "keyboard", "passenger"] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    /// Every shape of the egress check: the secret never survives, the text around it does.
    #[test]
    fn secrets_inside_longer_texts_are_masked_and_the_rest_kept() {
        let r = key("0123456789abcdef");
        for (text, masked) in [
            (
                "redis-server --requirepass Zq7xQ",
                "redis-server --requirepass <redacted>",
            ),
            (
                "redis-server --requirepass=Zq7xQ --port 6379",
                "redis-server --requirepass=<redacted> --port 6379",
            ),
            (
                "mysqladmin ping -h localhost -pRootPw9",
                "mysqladmin ping -h localhost -p<redacted>",
            ),
            (
                "mysqladmin ping -h localhost -p'Root Pw9'",
                "mysqladmin ping -h localhost -p'<redacted>'",
            ),
            ("sshpass -p Hunter22 ssh host", "sshpass -p <redacted> ssh host"),
            (
                "redis-cli -h cache -a Hunter22 ping",
                "redis-cli -h cache -a <redacted> ping",
            ),
            // A line that starts `KEY=` is read as a property line, whose value runs to its end.
            ("PGPASSWORD=Hunter22 psql -h db", "PGPASSWORD=<redacted>"),
            (
                "sh -c 'PGPASSWORD=Hunter22 psql -h db'",
                "sh -c 'PGPASSWORD=<redacted> psql -h db'",
            ),
            (
                "jdbc:mysql://db:3306/shop?user=root&password=Hunter22&ssl=true",
                "jdbc:mysql://db:3306/shop?user=root&password=<redacted>&ssl=true",
            ),
            (
                "Server=db;Database=shop;User Id=sa;Password=Hunter22;",
                "Server=db;Database=shop;User Id=sa;Password=<redacted>;",
            ),
            (
                "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=c2VjcmV0a2V5;EndpointSuffix=core.windows.net",
                "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=<redacted>;EndpointSuffix=core.windows.net",
            ),
            (
                "-Xmx2g -Dspring.datasource.password=Hunter22 -Dserver.port=8080",
                "-Xmx2g -Dspring.datasource.password=<redacted> -Dserver.port=8080",
            ),
            (
                "{\"user\": \"app\", \"password\": \"Hunter22\"}",
                "{\"user\": \"app\", \"password\": \"<redacted>\"}",
            ),
            (
                "mongodb+srv://app:p@ss/w0rd@cluster0.example.net/shop",
                "mongodb+srv://app:<redacted>@cluster0.example.net/shop",
            ),
            (
                "server.port=8080\nspring.datasource.password = Hunter 22\nspring.jpa.show-sql=false\n",
                "server.port=8080\nspring.datasource.password = <redacted>\nspring.jpa.show-sql=false\n",
            ),
            (
                "db:\n  host: db\n  password: Hunter22\n",
                "db:\n  host: db\n  password: <redacted>\n",
            ),
            (
                "curl -H 'Authorization: Bearer abcdefgh12345678' https://api",
                "curl -H 'Authorization: <redacted>' https://api",
            ),
            (
                "Authorization: Bearer abcdefgh12345678",
                "Authorization: <redacted>",
            ),
            (
                "curl -H \"X-Trace: 1\" --oauth2-bearer x Bearer abcdefgh12345678",
                "curl -H \"X-Trace: 1\" --oauth2-bearer x Bearer <redacted>",
            ),
        ] {
            let stored = r.text("COMMAND", text);
            assert_eq!(stored["masked"], json!(masked), "{text}");
            assert!(stored["fingerprint"].is_string(), "{text}");
        }
    }

    #[test]
    fn ordinary_texts_around_secret_words_stay_as_they_are() {
        let r = Redactor::default();
        for text in [
            "redis-server --appendonly yes",
            "--requirepass ${REDIS_PASSWORD}",
            "--password-file=$(PASSWORD_FILE)",
            "https://example.com:8443/path/@user",
            "mysql -h db -P 3306 -p shop",
            "basic authentication is disabled",
            "postgres://db.internal:5432/shop",
            "secretKeyRef:web-secrets/DB_PASSWORD",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "arn:aws:iam::111111111111:role/aws-service-role/AWSServiceRoleForAmazonEKSNodegroup",
            "DefaultEndpointsProtocol=https;AccountName=shop;EndpointSuffix=core.windows.net",
            "CustomResourceDefinition.apiextensions.k8s.io",
            "com.amazonaws.services.s3.AmazonS3ClientBuilder",
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:shop/db-AbCdEf",
        ] {
            assert_eq!(r.text("COMMAND", text), json!(text), "{text}");
        }
    }

    #[test]
    fn values_with_nothing_to_scrub_are_known_so_by_their_text() {
        let clean = json!({
            "groups": ["sg-0123456789abcdef0", "sg-1"],
            "queue": {"arn": "arn:aws:sqs:eu-west-1:123456789012:orders-staging", "delay": 0, "fifo": false},
            "ports": [80, "443"],
            "url": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
        });
        assert!(scrub_keeps(&clean.to_string()));
        for secret in [
            json!({"command": ["--password", "hunter2"]}),
            json!({"command": ["redis-server", 6379, "--requirepass hunter2"]}),
            json!({"env": {"DB": "postgres://app:hunter2@db:5432/app"}}),
            json!({"token": {"redacted": true}}),
            json!({"quoted": "a \"b\""}),
        ] {
            assert!(!scrub_keeps(&secret.to_string()), "{secret}");
        }
    }

    #[test]
    fn new_token_families_are_secret_whatever_the_name() {
        let r = Redactor::default();
        for value in [
            "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789",
            "AIzaSyA1234567890abcdefghijklmnopqrstuv",
            "npm_abcdefghijklmnopqrstuvwxyz0123456789",
            "glrt-abcdefghijklmnopqrstuvwxyz",
        ] {
            assert_eq!(r.text("VALUE_17", value), json!({"redacted": true}), "{value}");
        }
    }

    #[test]
    fn the_egress_check_masks_command_lists_and_keeps_only_what_redaction_writes() {
        let r = Redactor::default();
        assert_eq!(
            r.scrub(json!(["redis-server", "--requirepass", "Zq7xQ"])),
            json!({"redacted": true, "masked": "redis-server --requirepass <redacted>"})
        );
        assert_eq!(
            r.scrub(json!(["npm", "run", "dev"])),
            json!(["npm", "run", "dev"])
        );
        assert_eq!(
            r.scrub(json!({"test": ["CMD", "mysqladmin", "ping", "-pRootPw9"], "retries": 3})),
            json!({"test": {"redacted": true, "masked": "CMD mysqladmin ping -p<redacted>"}, "retries": 3})
        );
        // A redacted object planted in data keeps nothing but what redaction writes, its masked text checked.
        assert_eq!(
            r.scrub(
                json!({"redacted": true, "masked": "password=Hunter22", "extra": "AKIAIOSFODNN7EXAMPLE"})
            ),
            json!({"redacted": true})
        );
        assert_eq!(
            r.scrub(json!({"redacted": true, "masked": "postgres://u:<redacted>@h"})),
            json!({"redacted": true, "masked": "postgres://u:<redacted>@h"})
        );
        assert_eq!(r.tag("db_password", "Hunter22"), "<redacted>");
        assert_eq!(r.tag("Name", "web"), "web");
        assert_eq!(
            r.scrub_text("connect failed for postgres://app:Hunter22@db"),
            "connect failed for postgres://app:<redacted>@db"
        );
        assert_eq!(
            r.scrub_text("key AKIAIOSFODNN7EXAMPLE denied"),
            "key <redacted> denied"
        );
    }

    #[test]
    fn keys_shorter_than_sixteen_bytes_are_refused() {
        assert_eq!(FingerprintKey::new("short").unwrap_err(), KeyTooShort(5));
        assert!(FingerprintKey::new("0123456789abcdef").is_ok());
    }

    #[test]
    fn the_key_id_tells_keys_apart_and_reveals_neither() {
        let (a, b) = (
            FingerprintKey::new("0123456789abcdef").unwrap(),
            FingerprintKey::new("fedcba9876543210").unwrap(),
        );
        assert_eq!(a.id(), a.clone().id());
        assert_ne!(a.id(), b.id());
        assert!(!a.id().contains("0123456789abcdef"));
        assert_eq!(a.id().len(), "hmac-sha256:".len() + 16);
    }
}
