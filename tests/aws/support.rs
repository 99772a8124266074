//! Real moto servers on free loopback ports, seeded through the AWS API, and envparity run against them as a user
//! would run it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A moto server that lives as long as this value.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `moto_server` from `ENVPARITY_MOTO_SERVER`, else from the repository's `.venv`. Never skipped: without moto
/// the test fails and says how to get it.
fn moto_server() -> PathBuf {
    let path = std::env::var_os("ENVPARITY_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join(".venv/bin/moto_server"));
    assert!(
        path.exists(),
        "moto_server not found at {}: run ./scripts/test, which installs moto into .venv",
        path.display()
    );
    path
}

/// The Python of moto's virtual environment (it has boto3 for seeding).
pub fn python() -> PathBuf {
    moto_server().with_file_name("python")
}

impl Moto {
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // moto's server with its answers the Rust SDK cannot read put right (see the script).
        let child = Command::new(python())
            .arg(manifest_dir().join("tests/aws/moto_server.py"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env_remove("MOTO_ACCOUNT_ID")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !answers(port) {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// host:port, for the proxy.
    pub fn address(&self) -> String {
        self.endpoint.trim_start_matches("http://").to_owned()
    }

    /// Seeds with `seed.py ARGS` (a scenario, then options such as `many-parameters`).
    pub fn seed_with(&self, dir: &Path, args: &[&str]) {
        let out = Command::new(python())
            .arg(manifest_dir().join("tests/aws/seed.py"))
            .args([self.endpoint.as_str(), dir.to_str().unwrap()])
            .args(args)
            .output()
            .expect("the seed script runs");
        assert!(
            out.status.success(),
            "seeding failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1")
}

/// A moto server seeded with `seed.py ARGS`, and a folder of the test's own holding the AWS files the seed wrote
/// and the shop's config files.
///
/// Seeding takes most of such a test's time (about 5 s of moto's CPU, five times what an audit of it takes), and
/// the tests that ask for a seeded server only read it, so each scenario is seeded once per test binary and its
/// server shared by every test that asks for the same one. A test that changes what it reads starts its own
/// ([`Moto::start`]). The shared servers are never dropped: each ends with the test process (`moto_server.py`).
pub fn seeded(args: &[&str]) -> (Arc<Moto>, tempfile::TempDir) {
    /// The server and the files the seed wrote.
    type Seeded = (Arc<Moto>, Vec<(PathBuf, Vec<u8>)>);
    /// Each scenario (the seed's arguments) and its server, once seeded.
    type Scenarios = Vec<(Vec<String>, Arc<OnceLock<Seeded>>)>;
    static SCENARIOS: Mutex<Scenarios> = Mutex::new(Vec::new());
    let scenario: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let slot = {
        let mut scenarios = SCENARIOS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match scenarios.iter().find(|(s, _)| *s == scenario) {
            Some((_, slot)) => Arc::clone(slot),
            None => {
                let slot = Arc::default();
                scenarios.push((scenario, Arc::clone(&slot)));
                slot
            }
        }
    };
    // Other tests of the scenario wait here while the first seeds it.
    let (moto, files) = slot.get_or_init(|| {
        let moto = Moto::start();
        let seeded = tempfile::tempdir().unwrap();
        moto.seed_with(seeded.path(), args);
        let files = std::fs::read_dir(seeded.path())
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                (
                    PathBuf::from(path.file_name().unwrap()),
                    std::fs::read(&path).unwrap(),
                )
            })
            .collect();
        (Arc::new(moto), files)
    });
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    write_config_files(dir.path());
    (Arc::clone(moto), dir)
}

/// envparity with an environment holding nothing but the AWS files in `dir`.
pub fn envparity(dir: &Path) -> assert_cmd::Command {
    let mut cmd = envparity_testkit::envparity(dir);
    cmd.env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

pub use envparity_testkit::write;

/// A secret in each environment's config file (different ones): it must never appear in any output.
pub const FILE_CANARY: &str = "canary-file-password";

/// The shop's config files: prod has a key staging lacks; each holds its own database password.
pub fn write_config_files(dir: &Path) {
    let common = "http:\n  timeout_ms: 5000\ncache:\n  ttl_seconds: 300\n";
    write(
        dir,
        "config/staging/shop.yaml",
        &format!("{common}db:\n  password: {FILE_CANARY}-staging\n"),
    );
    write(
        dir,
        "config/prod/shop.yaml",
        &format!("{common}db:\n  password: {FILE_CANARY}-prod\nfeatures:\n  recommendations: true\n"),
    );
}

/// An envparity.toml for both environments of a scenario, pointing at moto. The default rate limits are lifted:
/// these tests are about what is read, not how fast (the fleet tests pin the pace), and under throttling and
/// retries the defaults add seconds.
pub fn envparity_toml(endpoint: &str, extra_staging: &str, extra_prod: &str) -> String {
    let env = |name: &str, extra: &str| {
        format!(
            "[environments.{name}]\nprofile = \"{name}\"\nregions = [\"eu-west-1\"]\nendpoint_url = \"{endpoint}\"\n\
             ssm_paths = [\"/shop/{{env}}/\", \"/orders/{{env}}/\"]\nconfig_files = [\"config/{{env}}/shop.yaml\"]\n{extra}\n"
        )
    };
    format!(
        "[collect]\nmax_attempts = 4\nattempt_timeout_seconds = 10\n{}\n\n{}{}",
        lifted_rate_limits(),
        env("staging", extra_staging),
        env("prod", extra_prod)
    )
}

/// `rate_limits = { ... }` with every service's limit far above what a test asks of it.
pub fn lifted_rate_limits() -> String {
    let all: Vec<String> = envparity_collect::RATE_LIMITS
        .iter()
        .map(|limit| format!("{} = 10000", limit.service))
        .collect();
    format!("rate_limits = {{ {} }}", all.join(", "))
}

/// A fingerprint key of the length envparity asks for.
pub const TEST_KEY: &str = "test-fingerprint-key-0123456789";
