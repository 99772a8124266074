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

/// The page's DOM once its self-test (`#selftest`) ran, which must pass without a script error.
fn selftest(dir: &Path, page: &Path) -> String {
    let out = headless(&dir.join("profile"))
        .arg("--virtual-time-budget=5000")
        .arg("--dump-dom")
        .arg(format!("file://{}#selftest", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("<title>selftest: pass errors=0</title>"),
        "the page's self-test failed or did not run:\n{}\n{}",
        dom.lines().find(|l| l.contains("<title>")).unwrap_or("no title"),
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

/// A screenshot of the page in a window of `size`, kept as a test artifact (target/test-artifacts/NAME): a real
/// picture, as wide as the window.
fn screenshot(dir: &Path, page: &Path, name: &str, size: (u32, u32)) {
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let path = artifacts.join(name);
    let _ = std::fs::remove_file(&path);
    headless(&dir.join("profile-screenshot"))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("--screenshot={}", path.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let png = std::fs::read(&path).expect("a screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real picture"
    );
    // Its IHDR holds the width, then the height, big-endian.
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), size.0);
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

    let dom = selftest(dir.path(), &page);
    assert!(dom.contains("data-status=\"violations\""));

    screenshot(dir.path(), &page, "report.png", (1400, 1100));
}

/// The demo of docs/trend-report.png (`scripts/screenshots`): an audit kept in a history draws its trend, and
/// the page loads, filters and renders in a browser with it.
#[test]
fn the_trend_report_renders_in_a_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    envparity_testkit::copy_dir(&root.join("docs/screenshot"), &demo);
    envparity_testkit::envparity(&demo)
        .args([
            "audit",
            "--policy",
            "policy.toml",
            "--history",
            "history",
            "--quiet",
        ])
        .args(["--report", "html=report.html", "--format", "json"])
        .assert()
        .code(1);
    let page = demo.join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // The demo's data holds URLs (its health checks); the page itself refers to none.
    assert!(
        !html.contains("src=") && !html.contains("href=\"http"),
        "self-contained: nothing fetched"
    );
    assert!(
        html.contains("unwaived findings of the last 8 runs, 2026-11-22T06:00:00Z to "),
        "{html}"
    );
    let dom = selftest(dir.path(), &page);
    assert_eq!(dom.matches("<polyline").count(), 3, "a line per severity, drawn");
    assert!(dom.contains("<mark>"), "the differing words are marked");

    screenshot(dir.path(), &page, "trend-report.png", (1400, 2000));
}
