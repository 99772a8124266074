//! Every command line of the README's shell blocks is accounted for: run here as written, in a folder laid out
//! as a user's would be (the shipped snapshots as `staging.json` and `prod.json`, last week's prod, the
//! examples), with its exit status checked against its `# exit N` comment (or any verdict, 0, 1 or 3, but never
//! the 2 of a command that does not work); or named below with the test that runs it where it needs more than
//! files (an AWS account, which the moto tests stand in for, or the Rego walkthrough's own files). Any other
//! command added to the README runs here, so one that does not work as written fails this test.

use std::path::Path;

/// README commands that need files a section of their own sets up, and the test that runs each. (Those that need
/// an AWS account, `README_AWS_COMMANDS`, run as written against moto in `aws::the_readme_s_aws_commands_run_as_written`.)
const ELSEWHERE: &[(&str, &str)] = &[
    (
        "envparity policy check policy.toml",
        "rego::the_readme_rego_walkthrough_runs_as_written",
    ),
    (
        "envparity diff staging.json prod.json --policy policy.toml",
        "rego::the_readme_rego_walkthrough_runs_as_written",
    ),
    (
        "envparity diff fires-staging.json",
        "rego::the_readme_rego_walkthrough_runs_as_written",
    ),
    (
        "envparity policy test cases",
        "rego::the_readme_rego_walkthrough_runs_as_written",
    ),
    (
        "cargo run --release --example gen_snapshots",
        "the diff benchmark builds and runs the generator",
    ),
    (
        "ENVPARITY_OPA_CASES=",
        "opa::opa_s_suite_when_given_prints_its_pass_rate (needs a checkout of OPA)",
    ),
    (
        "ENVPARITY_FINGERPRINT_KEY=demo-key",
        "aws::the_readme_s_moto_walkthrough_runs_as_written",
    ),
    ("./scripts/test", ".ci/run"),
];

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

#[test]
fn every_readme_command_runs_as_written_or_names_the_test_that_runs_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // A user's folder: the shipped pair under the README's generic names, last week's prod, the shipped files.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    envparity_testkit::copy_dir(&root.join("snapshots"), &home.join("snapshots"));
    for example in ["examples/dev", "examples/terraform"] {
        envparity_testkit::copy_dir(&root.join(example), &home.join(example));
    }
    for (from, to) in [
        ("snapshots/staging.json", "staging.json"),
        ("snapshots/prod.json", "prod.json"),
        ("snapshots/prod.json", "last-week/prod.json"),
    ] {
        copy(&root.join(from), &home.join(to));
    }
    // Where the install section writes completions and the man page (HOME is the folder).
    for folder in [
        ".local/share/bash-completion/completions",
        ".local/share/man/man1",
    ] {
        std::fs::create_dir_all(home.join(folder)).unwrap();
    }
    // `envparity` on the PATH, `cargo run --` as the same binary, and a stand-in for the desktop's opener.
    let bin = home.join(".bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("envparity"), bin.join("envparity")).unwrap();
    std::fs::write(bin.join("xdg-open"), "#!/bin/sh\ntest -f \"$1\"\n").unwrap();
    std::fs::write(bin.join("cargo"), "#!/bin/sh\n# `cargo run -- ARGS` as the built binary.\nshift; [ \"$1\" = -- ] && shift; exec envparity \"$@\"\n").unwrap();
    for script in ["xdg-open", "cargo"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join(script), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:/usr/bin:/bin", bin.display());

    let (mut ran, mut elsewhere) = (Vec::new(), 0);
    for command in envparity_testkit::readme_commands(&readme) {
        let tool = command.starts_with("envparity ") || command.starts_with("cargo run -- ");
        let aws = envparity_testkit::README_AWS_COMMANDS
            .iter()
            .chain(envparity_testkit::README_TERRAFORM_COMMANDS)
            .any(|start| command.starts_with(start));
        if aws || ELSEWHERE.iter().any(|(start, _)| command.starts_with(start)) {
            elsewhere += 1;
            continue;
        }
        if !tool {
            // Shell set-up the README shows around the commands (mkdir, cat, export): not envparity's.
            continue;
        }
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .current_dir(home)
            .env("PATH", &path)
            .env("HOME", home)
            .env_remove("AWS_PROFILE")
            .env_remove("ENVPARITY_FINGERPRINT_KEY")
            .output()
            .unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // `a; b` exits as b does: the comment is about a.
        match (
            envparity_testkit::documented_exit(&command),
            command.contains("; "),
        ) {
            (Some(expected), false) => assert_eq!(code, Some(expected), "{command}\n{stderr}"),
            (_, true) => assert_eq!(code, Some(0), "{command}\n{stderr}"),
            (None, false) => assert!(
                matches!(code, Some(0 | 1 | 3)),
                "{command}: exit {code:?}\n{stderr}"
            ),
        }
        ran.push(command);
    }
    assert!(ran.len() >= 12, "ran {}: {ran:#?}", ran.len());
    assert!(elsewhere >= 10, "{elsewhere}");
}
