//! Where snapshots, reports and history live: a local path, or an S3 object (`s3://bucket/key`), so that every
//! shard of a fleet and the scheduled audit reach the same history.
//!
//! Writes are whole: a local file is replaced atomically, an S3 object by one PutObject. A name ending in `.gz` is
//! written gzipped, and anything read that starts with gzip's magic bytes is unzipped, whatever its name. The
//! `latest` pointer of a history folder is advanced with a conditional put (in a local folder, under a lock on
//! the folder): of two audits finishing at once, one wins, and a newer snapshot is never replaced by an older one.
//!
//! S3 is reached with the standard credential chain (`AWS_PROFILE`, ...) and `AWS_ENDPOINT_URL_S3` or
//! `AWS_ENDPOINT_URL` when set (path-style addressing then, as local stand-ins such as moto need).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::config::StoreSettings;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use envparity_model::snapshot::{self, Snapshot, SnapshotError};

/// The most a gzipped input may unzip to: a snapshot of a million resources is less.
const MAX_UNZIPPED: u64 = 1 << 30;

/// An S3 object or prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub key: String,
}

impl std::fmt::Display for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// Why a place could not be read or written. Every variant names it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{0}: an S3 location is s3://BUCKET/KEY, with a bucket name of lowercase letters, digits, `.` and `-`"
    )]
    BadLocation(String),
    #[error("{place}: {message}")]
    S3 { place: String, message: String },
    #[error("{place}: {error}")]
    Io { place: String, error: std::io::Error },
    #[error("{place}: unzips to more than {} MiB: refused", limit >> 20)]
    TooLarge { place: String, limit: u64 },
    #[error("{place}: larger than {} MiB: refused", limit >> 20)]
    TooLong { place: String, limit: u64 },
}

impl StoreError {
    /// The place it names: a path, or an S3 location.
    fn place(&self) -> &str {
        match self {
            StoreError::BadLocation(place)
            | StoreError::S3 { place, .. }
            | StoreError::Io { place, .. }
            | StoreError::TooLarge { place, .. }
            | StoreError::TooLong { place, .. } => place,
        }
    }

    /// What went wrong, without the place, for a message that names it already.
    pub fn reason(&self) -> String {
        let message = self.to_string();
        match message
            .strip_prefix(self.place())
            .and_then(|m| m.strip_prefix(": "))
        {
            Some(reason) => reason.to_owned(),
            None => message,
        }
    }
}

/// The S3 object a path names, when it is written `s3://bucket/key`; `None` for a local path.
pub fn s3(path: &Path) -> Result<Option<S3Location>, StoreError> {
    let Some(rest) = path.to_str().and_then(|p| p.strip_prefix("s3://")) else {
        return Ok(None);
    };
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    let valid = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if !valid {
        return Err(StoreError::BadLocation(path.display().to_string()));
    }
    Ok(Some(S3Location {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
    }))
}

/// `name` inside the folder or prefix `dir`.
pub fn join(dir: &Path, name: &str) -> PathBuf {
    match dir.to_str() {
        Some(d) if d.starts_with("s3://") => PathBuf::from(format!("{}/{name}", d.trim_end_matches('/'))),
        _ => dir.join(name),
    }
}

/// The bytes at `path`, unzipped when gzipped. Read as a stream and refused past [`MAX_UNZIPPED`], zipped or
/// unzipped, so that memory is bounded by the cap whatever the file or object holds.
pub fn read(path: &Path) -> Result<Vec<u8>, StoreError> {
    read_at_most(path, MAX_UNZIPPED)
}

fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, StoreError> {
    let place = path.display().to_string();
    let too_long = || StoreError::TooLong {
        place: place.clone(),
        limit,
    };
    let bytes = match s3(path)? {
        None => {
            let io = |error| StoreError::Io {
                place: place.clone(),
                error,
            };
            let mut bytes = Vec::new();
            std::fs::File::open(path)
                .map_err(io)?
                .take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(io)?;
            bytes
        }
        Some(object) => block_on(async {
            let mut out = client()
                .await
                .get_object()
                .bucket(&object.bucket)
                .key(&object.key)
                .send()
                .await
                .map_err(|e| s3_error(&place, "GetObject", e))?;
            if out.content_length().is_some_and(|n| n as u64 > limit) {
                return Err(too_long());
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = out.body.try_next().await.map_err(|e| StoreError::S3 {
                place: place.clone(),
                message: format!("GetObject: reading the body: {e}"),
            })? {
                if (bytes.len() + chunk.len()) as u64 > limit {
                    return Err(too_long());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(bytes)
        })?,
    };
    if bytes.len() as u64 > limit {
        return Err(too_long());
    }
    gunzip_at_most(bytes, &place, limit)
}

/// The bytes, unzipped when they start with gzip's magic bytes, refusing what unzips to more than `limit` bytes
/// (a gzip bomb) without holding more than that.
fn gunzip_at_most(bytes: Vec<u8>, place: &str, limit: u64) -> Result<Vec<u8>, StoreError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|error| StoreError::Io {
            place: place.to_owned(),
            error,
        })?;
    if out.len() as u64 > limit {
        return Err(StoreError::TooLarge {
            place: place.to_owned(),
            limit,
        });
    }
    Ok(out)
}

/// Writes `bytes` whole to `path` (gzipped when its name ends in `.gz`): a local file atomically, or one S3 object.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let place = path.display().to_string();
    let zipped;
    let bytes = match place.ends_with(".gz") {
        true => {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(bytes).expect("writing to memory cannot fail");
            zipped = encoder.finish().expect("writing to memory cannot fail");
            &zipped[..]
        }
        false => bytes,
    };
    match s3(path)? {
        None => envparity_files::atomic::write(path, bytes).map_err(|error| StoreError::Io { place, error }),
        Some(object) => block_on(async {
            client()
                .await
                .put_object()
                .bucket(&object.bucket)
                .key(&object.key)
                .body(ByteStream::from(bytes.to_vec()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| s3_error(&place, "PutObject", e))
        }),
    }
}

/// Reads and validates the snapshot at `path` (a file or an S3 object, zipped or not, at most the store's cap).
pub fn read_snapshot(path: &Path) -> Result<Snapshot, SnapshotError> {
    let bytes = read(path).map_err(|e| SnapshotError::Io {
        path: path.to_owned(),
        error: match e {
            StoreError::Io { error, .. } => error,
            other => std::io::Error::other(other.reason()),
        },
    })?;
    snapshot::parse(&bytes, path)
}

/// Writes the snapshot whole to `path` (a file, atomically, or an S3 object; gzipped for a `.gz` name) in its
/// canonical form.
pub fn write_snapshot(path: &Path, snapshot: &mut Snapshot) -> Result<(), StoreError> {
    write(path, snapshot::to_json(snapshot).as_bytes())
}

/// The names directly inside a folder or S3 prefix, sorted.
pub fn list(dir: &Path) -> Result<Vec<String>, StoreError> {
    let place = dir.display().to_string();
    let mut names = match s3(dir)? {
        None => std::fs::read_dir(dir)
            .map_err(|error| StoreError::Io {
                place: place.clone(),
                error,
            })?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect(),
        Some(prefix) => block_on(async {
            let prefix_key = match prefix.key.trim_end_matches('/') {
                "" => String::new(),
                key => format!("{key}/"),
            };
            let mut pages = client()
                .await
                .list_objects_v2()
                .bucket(&prefix.bucket)
                .prefix(&prefix_key)
                .delimiter("/")
                .into_paginator()
                .send();
            let mut names = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| s3_error(&place, "ListObjectsV2", e))?;
                names.extend(
                    page.contents()
                        .iter()
                        .filter_map(|o| o.key()?.strip_prefix(&prefix_key).map(str::to_owned)),
                );
            }
            Ok::<_, StoreError>(names)
        })?,
    };
    names.sort();
    Ok(names)
}

/// Whether a folder or S3 bucket can be written into: checked before any work, so a typo costs nothing.
pub fn check_folder(dir: &Path) -> Result<(), StoreError> {
    let place = dir.display().to_string();
    match s3(dir)? {
        None => std::fs::create_dir_all(dir).map_err(|error| StoreError::Io { place, error }),
        Some(prefix) => block_on(async {
            client()
                .await
                .head_bucket()
                .bucket(&prefix.bucket)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| s3_error(&place, "HeadBucket", e))
        }),
    }
}

/// An exclusive lock on a local folder (no file is added to it), held until dropped; it waits while another
/// process holds it.
fn lock_folder(dir: &Path) -> Result<std::fs::File, StoreError> {
    let dir = match dir.as_os_str().is_empty() {
        true => Path::new("."),
        false => dir,
    };
    let io = |error| StoreError::Io {
        place: dir.display().to_string(),
        error,
    };
    let folder = std::fs::File::open(dir).map_err(io)?;
    folder.lock().map_err(io)?;
    Ok(folder)
}

/// What became of an attempt to point `latest` at a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Latest {
    /// `latest` now names this snapshot.
    Advanced,
    /// `latest` already names a snapshot at least as new (another audit's), and stays.
    Newer(String),
}

/// The pointer file of a history folder: the newest snapshot's name and time.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Pointer {
    snapshot: String,
    collected_at: String,
}

/// The name of a history folder's pointer to its newest snapshot.
pub const LATEST: &str = "latest.json";

/// The most of a pointer read: the ones envparity writes are a hundred bytes.
const MAX_POINTER: u64 = 64 * 1024;

/// How a history name writes a time: `2026-11-27T06-00-00Z` (`:` is not allowed in every file system and S3
/// tool), so that names sort by time.
const HISTORY_TIME: &str = "%Y-%m-%dT%H-%M-%SZ";

/// The name a history folder keeps a snapshot or report collected at `collected_at` under: `TIME.EXTENSION`.
/// `None` when `collected_at` is not a time (it was read from a snapshot: data, not a path).
pub fn history_name(collected_at: &str, extension: &str) -> Option<String> {
    let at = collected_at.parse::<jiff::Timestamp>().ok()?;
    Some(format!("{}.{extension}", at.strftime(HISTORY_TIME)))
}

/// The time of a name in a history folder, when it is one envparity writes (`TIME.json`, `TIME.json.gz`): any
/// other name (the pointer, a planted `zzz.json`) is not a snapshot of the history.
pub fn history_time(name: &str) -> Option<jiff::Timestamp> {
    let time = name
        .strip_suffix(".json.gz")
        .or_else(|| name.strip_suffix(".json"))?;
    let civil =
        jiff::civil::DateTime::strptime(HISTORY_TIME.trim_end_matches('Z'), time.strip_suffix('Z')?).ok()?;
    let at = jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?;
    // Written back, the name is the same: no second spelling of a time slips through.
    (at.strftime(HISTORY_TIME).to_string() == time).then_some(at)
}

/// Whether a pointer read from a history folder is one envparity wrote: it names the history snapshot of its own
/// time, and that time is not in the future (a planted pointer would otherwise hold `latest.json` forever).
fn trusted(pointer: &Pointer) -> Option<jiff::Timestamp> {
    let at = pointer.collected_at.parse::<jiff::Timestamp>().ok()?;
    let named = history_time(&pointer.snapshot)?;
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    (named == at && at <= soon).then_some(at)
}

/// Points `dir/latest.json` at `name` (collected at `collected_at`), unless it names a newer snapshot already.
/// On S3 the pointer is replaced only if unchanged since it was read (If-Match, or If-None-Match when there is
/// none): of two audits racing, one wins, the other reads the winner's pointer and decides again.
pub fn advance_latest(dir: &Path, name: &str, collected_at: &str) -> Result<Latest, StoreError> {
    let path = join(dir, LATEST);
    let place = path.display().to_string();
    let pointer = serde_json::to_vec_pretty(&Pointer {
        snapshot: name.to_owned(),
        collected_at: collected_at.to_owned(),
    })
    .expect("a pointer serializes");
    // A pointer that is not one envparity wrote (another name, a path, a time to come) is replaced.
    let newer = |current: &[u8]| -> Option<String> {
        let current: Pointer = serde_json::from_slice(current).ok()?;
        let (theirs, ours) = (trusted(&current)?, collected_at.parse::<jiff::Timestamp>().ok()?);
        (theirs >= ours).then_some(current.snapshot)
    };
    let Some(object) = s3(&path)? else {
        // Audits finishing at once on one machine take turns: the pointer is read and replaced under a lock.
        let _lock = lock_folder(dir)?;
        if let Ok(current) = read_at_most(&path, MAX_POINTER)
            && let Some(snapshot) = newer(&current)
        {
            return Ok(Latest::Newer(snapshot));
        }
        write(&path, &pointer)?;
        return Ok(Latest::Advanced);
    };
    block_on(async {
        let client = client().await;
        for _ in 0..10 {
            let current = client
                .get_object()
                .bucket(&object.bucket)
                .key(&object.key)
                .send()
                .await;
            let etag = match current {
                Ok(out) => {
                    let etag = out.e_tag().map(str::to_owned);
                    // A pointer larger than any envparity writes is not one of its own: it is replaced unread.
                    if out.content_length().is_some_and(|n| n as u64 <= MAX_POINTER) {
                        let body = out.body.collect().await.map(|b| b.to_vec()).unwrap_or_default();
                        if let Some(snapshot) = newer(&body) {
                            return Ok(Latest::Newer(snapshot));
                        }
                    }
                    etag
                }
                Err(e) if e.code() == Some("NoSuchKey") => None,
                Err(e) => return Err(s3_error(&place, "GetObject", e)),
            };
            let put = client
                .put_object()
                .bucket(&object.bucket)
                .key(&object.key)
                .body(ByteStream::from(pointer.clone()));
            let put = match &etag {
                Some(etag) => put.if_match(etag),
                None => put.if_none_match("*"),
            };
            match put.send().await {
                Ok(_) => return Ok(Latest::Advanced),
                // Another audit moved it since it was read: read it again.
                Err(e)
                    if matches!(
                        e.code(),
                        Some("PreconditionFailed" | "ConditionalRequestConflict")
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(s3_error(&place, "PutObject", e)),
            }
        }
        Err(StoreError::S3 {
            place,
            message: "the pointer kept changing under ten attempts to advance it".into(),
        })
    })
}

fn s3_error<E, R>(place: &str, operation: &str, err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    // No answer, no credentials, or credentials refused: say what the store reached S3 with, and how to change it.
    const REFUSED: &[&str] = &[
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
    ];
    let how = match &err {
        SdkError::ConstructionFailure(_) | SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => true,
        _ => err.code().is_some_and(|code| REFUSED.contains(&code)),
    };
    let message = match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{operation}: {code}: {message}"),
        (Some(code), None) => format!("{operation}: {code}"),
        _ => format!("{operation}: {}", envparity_model::diagnostic::error_chain(&err)),
    };
    let message = match how {
        true => format!("{message} ({})", reached_with()),
        false => message,
    };
    StoreError::S3 {
        place: place.to_owned(),
        message,
    }
}

/// Runs S3 calls from synchronous code, on a runtime of their own (made on first use).
fn block_on<T>(work: impl std::future::Future<Output = T>) -> T {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a runtime for S3 calls starts")
        })
        .block_on(work)
}

/// How the store reaches S3: set once, from the config, before the first call ([`configure`]).
static SETTINGS: OnceLock<StoreSettings> = OnceLock::new();

/// Reaches S3 with the config's `[store]` settings (or its environments' shared profile and endpoint) rather than
/// the standard chain alone. Called before the first `s3://` call; a later call changes nothing.
pub fn configure(settings: StoreSettings) {
    let _ = SETTINGS.set(settings);
}

/// What [`configure`] set, less what the AWS variables override: `[store]` wins over them, the environments'
/// shared profile and endpoint do not.
fn settings() -> StoreSettings {
    let mut settings = SETTINGS.get().cloned().unwrap_or_default();
    let set = |var: &str| std::env::var_os(var).is_some();
    if settings.shared && set("AWS_PROFILE") {
        settings.profile = None;
    }
    if settings.shared && (set("AWS_ENDPOINT_URL_S3") || set("AWS_ENDPOINT_URL")) {
        settings.endpoint_url = None;
    }
    settings
}

/// What the store reaches S3 with, and how to change it, for an error that may come from it.
fn reached_with() -> String {
    let var = |name: &str| std::env::var(name).ok();
    described(
        &settings(),
        var("AWS_PROFILE"),
        var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL")),
    )
}

/// What the store reached S3 with: the settings, else the AWS variables' profile and endpoint.
fn described(settings: &StoreSettings, profile_var: Option<String>, endpoint_var: Option<String>) -> String {
    let profile = match (&settings.profile, profile_var) {
        (Some(p), _) => format!("profile {p:?}"),
        (None, Some(p)) => format!("profile {p:?} (AWS_PROFILE)"),
        (None, None) => "the default credential chain".to_owned(),
    };
    let endpoint = match (&settings.endpoint_url, endpoint_var) {
        (Some(url), _) => url.clone(),
        (None, Some(url)) => format!("{url} (from the environment)"),
        (None, None) => "AWS's endpoint".to_owned(),
    };
    // An endpoint may carry credentials (`http://user:password@host`): masked as every text leaving is.
    let endpoint = crate::secrets::Redactor::new(None)
        .scrub_text(&endpoint)
        .into_owned();
    format!(
        "the store used {profile} and {endpoint}: set `[store]` profile, endpoint_url and region in envparity.toml \
         (or AWS_PROFILE and AWS_ENDPOINT_URL_S3)"
    )
}

/// The S3 client, made on first use: the standard chain, with what [`configure`] set over it.
async fn client() -> &'static aws_sdk_s3::Client {
    static CLIENT: tokio::sync::OnceCell<aws_sdk_s3::Client> = tokio::sync::OnceCell::const_new();
    CLIENT
        .get_or_init(|| async {
            // Bounded, as the collectors' calls are: a history that does not answer fails, it does not hang.
            let timeouts = aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(3))
                .read_timeout(std::time::Duration::from_secs(20))
                .operation_attempt_timeout(std::time::Duration::from_secs(60))
                .build();
            let settings = settings();
            let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .http_client(crate::https::client())
                .timeout_config(timeouts);
            if let Some(profile) = settings.profile {
                loader = loader.profile_name(profile);
            }
            if let Some(url) = settings.endpoint_url {
                loader = loader.endpoint_url(url);
            }
            if let Some(region) = settings.region {
                loader = loader.region(aws_config::Region::new(region));
            }
            let shared = loader.load().await;
            let mut config = aws_sdk_s3::config::Builder::from(&shared);
            if shared.region().is_none() {
                config = config.region(aws_config::Region::new("us-east-1"));
            }
            // A custom endpoint (a local stand-in) has no per-bucket host names.
            if shared.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some() {
                config = config.force_path_style(true);
            }
            aws_sdk_s3::Client::from_conf(config.build())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_store_used_is_said_with_an_endpoint_s_password_masked() {
        let settings = StoreSettings {
            endpoint_url: Some("http://auditor:Zq7xStorePassword@minio.internal:9000".into()),
            ..StoreSettings::default()
        };
        let said = described(&settings, Some("history".into()), None);
        assert!(!said.contains("Zq7xStorePassword"), "{said}");
        assert!(
            said.starts_with("the store used profile \"history\" (AWS_PROFILE) and http://"),
            "{said}"
        );
        assert!(said.contains("minio.internal:9000"), "{said}");
    }

    #[test]
    fn s3_locations() {
        assert_eq!(s3(Path::new("history/")).unwrap(), None);
        assert_eq!(
            s3(Path::new("s3://audit-history/envparity/prod")).unwrap(),
            Some(S3Location {
                bucket: "audit-history".into(),
                key: "envparity/prod".into()
            })
        );
        for bad in ["s3://", "s3://A_B/x", "s3://ab/x"] {
            assert!(s3(Path::new(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            join(Path::new("s3://audit-history/h/"), "prod"),
            PathBuf::from("s3://audit-history/h/prod")
        );
    }

    #[test]
    fn gzip_is_written_for_gz_names_and_read_whatever_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let zipped = dir.path().join("s.json.gz");
        write(&zipped, b"{\"a\": 1}").unwrap();
        let raw = std::fs::read(&zipped).unwrap();
        assert!(raw.starts_with(&[0x1f, 0x8b]));
        let renamed = dir.path().join("s.json");
        std::fs::write(&renamed, &raw).unwrap();
        assert_eq!(read(&renamed).unwrap(), b"{\"a\": 1}");
    }

    #[test]
    fn a_file_past_the_cap_is_refused_without_reading_past_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; 2048]).unwrap();
        assert!(matches!(
            read_at_most(&path, 1024).unwrap_err(),
            StoreError::TooLong { .. }
        ));
        assert_eq!(read_at_most(&path, 2048).unwrap().len(), 2048);
    }

    #[test]
    fn a_gzip_bomb_is_refused_once_past_the_limit() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&vec![b' '; 1 << 20]).unwrap();
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 10_000);
        let e = gunzip_at_most(bomb.clone(), "bomb.json", 1 << 19).unwrap_err();
        assert!(matches!(e, StoreError::TooLarge { .. }), "{e}");
        assert_eq!(gunzip_at_most(bomb, "bomb.json", 1 << 20).unwrap().len(), 1 << 20);
    }

    #[test]
    fn a_local_latest_pointer_waits_while_another_audit_holds_its_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LATEST);
        let held = lock_folder(dir.path()).unwrap();
        let (done, finished) = std::sync::mpsc::channel();
        let dir_path = dir.path().to_owned();
        let other = std::thread::spawn(move || {
            let latest = advance_latest(&dir_path, "a.json", "2026-12-01T09:00:00Z").unwrap();
            done.send(()).unwrap();
            latest
        });
        // Another audit holds the lock: this one neither reads nor writes the pointer until it is released.
        assert!(
            finished
                .recv_timeout(std::time::Duration::from_millis(300))
                .is_err()
        );
        assert!(!path.exists());
        drop(held);
        assert_eq!(other.join().unwrap(), Latest::Advanced);
        assert!(path.exists());
    }

    #[test]
    fn history_names_are_times_and_nothing_else() {
        assert_eq!(
            history_name("2026-11-27T06:00:00Z", "json").as_deref(),
            Some("2026-11-27T06-00-00Z.json")
        );
        assert_eq!(history_name("../../x", "json"), None);
        assert!(history_time("2026-11-27T06-00-00Z.json").is_some());
        assert!(history_time("2026-11-27T06-00-00Z.json.gz").is_some());
        for name in [
            "zzz-not-a-time.json",
            "latest.json",
            "2026-11-27T06:00:00Z.json",
            "2026-13-27T06-00-00Z.json",
            "../2026-11-27T06-00-00Z.json",
        ] {
            assert_eq!(history_time(name), None, "{name}");
        }
    }

    #[test]
    fn a_planted_latest_pointer_naming_another_path_or_a_time_to_come_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LATEST);
        for planted in [
            r#"{"snapshot": "../../etc/passwd", "collected_at": "2026-12-01T09:00:00Z"}"#,
            r#"{"snapshot": "2099-01-01T00-00-00Z.json", "collected_at": "2099-01-01T00:00:00Z"}"#,
            r#"{"snapshot": "2026-12-01T09-00-00Z.json", "collected_at": "2026-12-01T10:00:00Z"}"#,
            "not json",
        ] {
            std::fs::write(&path, planted).unwrap();
            let latest =
                advance_latest(dir.path(), "2026-11-30T09-00-00Z.json", "2026-11-30T09:00:00Z").unwrap();
            assert_eq!(latest, Latest::Advanced, "{planted}");
            let now: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(now["snapshot"], "2026-11-30T09-00-00Z.json");
        }
    }

    #[test]
    fn a_pointer_larger_than_any_envparity_writes_is_replaced_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LATEST);
        // A pointer to a newer snapshot, but padded past what envparity writes: not trusted, not read whole.
        let padded = format!(
            "{{\"snapshot\": \"2026-12-01T09-00-00Z.json\", \"collected_at\": \"2026-12-01T09:00:00Z\"}}{}",
            " ".repeat(MAX_POINTER as usize)
        );
        std::fs::write(&path, padded).unwrap();
        let latest = advance_latest(dir.path(), "2026-11-30T09-00-00Z.json", "2026-11-30T09:00:00Z").unwrap();
        assert_eq!(latest, Latest::Advanced);
    }

    #[test]
    fn a_snapshot_that_cannot_be_read_is_named_once_in_its_error() {
        let bad = Path::new("s3://A_B/prod.json");
        let e = read_snapshot(bad).unwrap_err().to_string();
        assert_eq!(e.matches("s3://A_B/prod.json").count(), 1, "{e}");
        assert!(
            e.starts_with("s3://A_B/prod.json: cannot read snapshot: an S3 location is"),
            "{e}"
        );
    }

    #[test]
    fn a_local_latest_pointer_never_goes_back_in_time() {
        let dir = tempfile::tempdir().unwrap();
        let advance = |name: &str, at: &str| advance_latest(dir.path(), name, at).unwrap();
        let (a, b, c) = (
            "2026-12-01T09-00-00Z.json",
            "2026-12-01T10-00-00Z.json",
            "2026-12-01T11-00-00Z.json",
        );
        assert_eq!(advance(b, "2026-12-01T10:00:00Z"), Latest::Advanced);
        assert_eq!(advance(a, "2026-12-01T09:00:00Z"), Latest::Newer(b.into()));
        assert_eq!(advance(c, "2026-12-01T11:00:00Z"), Latest::Advanced);
    }
}
