//! The HTML report in a real headless browser: it loads without script errors, its filters work, and a
//! screenshot is kept as a test artifact (target/test-artifacts/report.png).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Chromium from `ENVPARITY_CHROMIUM`, else `chromium` on the PATH. Never skipped: ./scripts/test installs it.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("ENVPARITY_CHROMIUM") {
        return path.into();
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("chromium"))
            .find(|p| p.exists())
    });
    found.expect("chromium not found: run ./scripts/test, which installs Debian's chromium")
}

fn headless(profile: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn the_html_report_loads_filters_and_renders_in_a_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    assert_cmd::Command::cargo_bin("envparity")
        .unwrap()
        .current_dir(root)
        .args([
            "diff",
            "snapshots/staging.json",
            "snapshots/prod.json",
            "--policy",
            "snapshots/policy.toml",
        ])
        .args(["--as-of", "2026-12-01", "--format", "html", "--output"])
        .arg(&page)
        .assert()
        .code(1);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained: nothing fetched"
    );

    let out = headless(&dir.path().join("profile"))
        .arg("--virtual-time-budget=5000")
        .arg("--dump-dom")
        .arg(format!("file://{}#selftest", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<title>selftest: pass errors=0</title>"),
        "the page's self-test failed or did not run:\n{}\n{}",
        dom.lines().find(|l| l.contains("<title>")).unwrap_or("no title"),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dom.contains("data-status=\"violations\""));

    let artifacts = root.join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let screenshot = artifacts.join("report.png");
    let _ = std::fs::remove_file(&screenshot);
    headless(&dir.path().join("profile2"))
        .arg("--window-size=1400,1100")
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let png = std::fs::read(&screenshot).expect("a screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real picture"
    );
}
