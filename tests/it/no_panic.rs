//! No input makes the parsers panic: random, truncated and mutated snapshots and policies.

use envparity::collect::CATALOGUE;
use envparity::policy::Policy;
use envparity::snapshot;
use proptest::prelude::*;

const STAGING: &str = include_str!("../../snapshots/staging.json");
const POLICY: &str = include_str!("../../policies/default.toml");
const DEMO_POLICY: &str = include_str!("../../snapshots/policy.toml");

/// A byte string with one change: a cut, a deletion, or a replaced byte.
fn mutate(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    (0..len, 0..len, any::<u8>(), 0..3u8).prop_map(move |(a, b, byte, op)| {
        let mut bytes = base.as_bytes().to_vec();
        let (lo, hi) = (a.min(b), a.max(b));
        match op {
            0 => bytes.truncate(lo),
            1 => {
                bytes.drain(lo..hi);
            }
            _ => bytes[lo] = byte,
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_parser_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = snapshot::parse(&bytes, "random.json".as_ref());
    }

    #[test]
    fn snapshot_parser_never_panics_on_mutated_snapshots(bytes in mutate(STAGING)) {
        if let Err(e) = snapshot::parse(&bytes, "mutated.json".as_ref()) {
            prop_assert!(e.to_string().starts_with("mutated.json"), "{e}");
        }
    }

    #[test]
    fn policy_parser_never_panics_on_random_text(text in "\\PC{0,300}") {
        if let Err(e) = Policy::parse(&text, "random.toml", &CATALOGUE) {
            let _ = e.render(false);
            let _ = e.to_string();
        }
    }

    #[test]
    fn policy_parser_never_panics_on_mutated_policies(bytes in mutate(POLICY)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Policy::parse(&text, "mutated.toml", &CATALOGUE) {
            prop_assert!(!e.diagnostics.is_empty());
            let _ = e.render(true);
            prop_assert!(e.to_string().starts_with("mutated.toml"));
        }
    }

    #[test]
    fn policy_parser_never_panics_on_mutated_waivers(bytes in mutate(DEMO_POLICY)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Policy::parse(&text, "mutated.toml", &CATALOGUE) {
            let _ = e.render(false);
        }
    }
}

const CONFIG: &str = include_str!("../../examples/envparity.toml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn config_parser_never_panics_on_mutated_configs(bytes in mutate(CONFIG)) {
        use envparity::collect::config::Config;
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Config::parse(&text, "mutated.toml", Default::default()) {
            prop_assert!(!e.diagnostics.is_empty());
            let _ = e.render(false);
        }
    }
}
