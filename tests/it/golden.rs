//! Golden outputs of the command line: the catalogue as `envparity kinds` prints it, so that any change of a
//! kind or a field shows in review. (The reports' goldens are the judge's: `crates/judge/tests/judge/golden.rs`.)

use assert_cmd::Command;

#[test]
fn the_catalogue() {
    let out = Command::cargo_bin("envparity")
        .unwrap()
        .args(["kinds", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}
