//! A fault-injecting loopback HTTP proxy between the AWS SDK and moto.
//!
//! It reads the service from the SigV4 credential scope and the operation from `Action=` (query protocol) or
//! `X-Amz-Target` (JSON protocol), and can delay every request, throttle a share of them, deny or fail chosen
//! operations, or cut the connection instead of answering. Answers use each service's own error shape.
//! One request per connection keeps it simple: the SDK reconnects.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to requests. Matching is on (service, operation); `None` matches any.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added before every request is forwarded.
    pub delay: Duration,
    /// Percent of requests answered with the service's throttling error.
    pub throttle_percent: u64,
    /// Operations answered with AccessDenied (UnauthorizedOperation on EC2).
    pub deny: Vec<(String, Option<String>)>,
    /// Requests of a service whose body holds a text (an account id in an AssumeRole), answered with AccessDenied.
    pub deny_containing: Vec<(String, String)>,
    /// The first S3 PUT whose request line holds this text is answered 412 PreconditionFailed, as when another
    /// writer changed the object since it was read.
    pub conflict_once: Option<String>,
    /// Operations answered with HTTP 500.
    pub fail: Vec<(String, Option<String>)>,
    /// Operations whose follow-up pages (requests carrying a NextToken) get their connection cut.
    pub cut_next_pages: Vec<(String, String)>,
    /// Stop listening after this many connections, as a server that goes away mid-collect.
    pub stop_after: Option<u64>,
}

/// Counts of what happened, for assertions.
#[derive(Debug, Default)]
pub struct Counts {
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
    pub denied: AtomicU64,
    pub failed: AtomicU64,
    pub cut: AtomicU64,
    pub conflicts: AtomicU64,
    /// Requests by (service, operation).
    pub operations: Mutex<std::collections::BTreeMap<(String, String), u64>>,
}

pub struct Proxy {
    pub endpoint: String,
    pub counts: Arc<Counts>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Proxy {
    /// Starts a proxy to `upstream` (host:port) on a free loopback port.
    pub fn start(upstream: &str, faults: Faults) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let counts = Arc::new(Counts::default());
        let stop = Arc::new(AtomicBool::new(false));
        let state = Arc::new(State {
            upstream: upstream.to_owned(),
            faults,
            counts: counts.clone(),
            sequence: Mutex::new(0),
        });
        let stop_flag = stop.clone();
        let stop_after = state.faults.stop_after;
        std::thread::spawn(move || {
            for (accepted, stream) in listener.incoming().enumerate() {
                if stop_flag.load(Ordering::Relaxed) || stop_after.is_some_and(|n| accepted as u64 >= n) {
                    break; // The listener is dropped: further connections are refused.
                }
                let Ok(stream) = stream else { continue };
                let state = state.clone();
                std::thread::spawn(move || {
                    let _ = state.handle(stream);
                });
            }
        });
        Proxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            counts,
            stop,
            port,
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
    }
}

struct State {
    upstream: String,
    faults: Faults,
    counts: Arc<Counts>,
    sequence: Mutex<u64>,
}

struct Request {
    head: String,
    body: Vec<u8>,
    service: String,
    operation: String,
}

impl State {
    fn handle(&self, client: TcpStream) -> std::io::Result<()> {
        let mut reader = BufReader::new(client.try_clone()?);
        let Some(request) = read_request(&mut reader)? else {
            return Ok(());
        };
        self.counts.requests.fetch_add(1, Ordering::Relaxed);
        *self
            .counts
            .operations
            .lock()
            .unwrap()
            .entry((request.service.clone(), request.operation.clone()))
            .or_default() += 1;
        let mut client = client;
        std::thread::sleep(self.faults.delay);

        let matches = |rules: &[(String, Option<String>)]| {
            rules
                .iter()
                .any(|(s, op)| *s == request.service && op.as_ref().is_none_or(|o| *o == request.operation))
        };
        let body = String::from_utf8_lossy(&request.body);
        let is_next_page = body.contains("NextToken");
        if is_next_page
            && self
                .faults
                .cut_next_pages
                .iter()
                .any(|(s, o)| *s == request.service && *o == request.operation)
        {
            self.counts.cut.fetch_add(1, Ordering::Relaxed);
            return client.shutdown(Shutdown::Both);
        }
        let denied_by_body = self
            .faults
            .deny_containing
            .iter()
            .any(|(s, needle)| *s == request.service && body.contains(needle.as_str()));
        let request_line = request.head.lines().next().unwrap_or("");
        if let Some(needle) = &self.faults.conflict_once
            && request.service == "s3"
            && request_line.starts_with("PUT ")
            && request_line.contains(needle.as_str())
            && self.counts.conflicts.fetch_add(1, Ordering::Relaxed) == 0
        {
            return client.write_all(&error_response(&request.service, ErrorKind::Conflict));
        }
        if matches(&self.faults.deny) || denied_by_body {
            self.counts.denied.fetch_add(1, Ordering::Relaxed);
            return client.write_all(&error_response(&request.service, ErrorKind::Denied));
        }
        if matches(&self.faults.fail) {
            self.counts.failed.fetch_add(1, Ordering::Relaxed);
            return client.write_all(&error_response(&request.service, ErrorKind::Internal));
        }
        if self.faults.throttle_percent > 0 && self.roll() < self.faults.throttle_percent {
            self.counts.throttled.fetch_add(1, Ordering::Relaxed);
            return client.write_all(&error_response(&request.service, ErrorKind::Throttled));
        }

        let mut upstream = TcpStream::connect(&self.upstream)?;
        upstream.write_all(request.head.as_bytes())?;
        upstream.write_all(&request.body)?;
        let mut response = Vec::new();
        upstream.read_to_end(&mut response)?;
        client.write_all(&response)?;
        client.shutdown(Shutdown::Both)
    }

    /// A deterministic number in 0..100 per request: the same run throttles the same requests.
    fn roll(&self) -> u64 {
        let mut seq = self.sequence.lock().unwrap();
        *seq += 1;
        let mut x = seq.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 31;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 29;
        x % 100
    }
}

/// Reads one request; the head is rewritten to close the upstream connection after the answer.
fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut head = String::new();
    let mut content_length = 0usize;
    let mut service = String::new();
    let mut target = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") {
            continue;
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("x-amz-target:") {
            target = line.split_once(':').unwrap().1.trim().to_owned();
        }
        if lower.starts_with("authorization:") {
            // Credential=KEY/DATE/REGION/SERVICE/aws4_request
            if let Some(scope) = line.split("Credential=").nth(1) {
                service = scope.split('/').nth(3).unwrap_or("").to_owned();
            }
        }
        head.push_str(&line);
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;
    let text = String::from_utf8_lossy(&body);
    let operation = match target.rsplit_once('.') {
        Some((_, op)) => op.to_owned(),
        None => text
            .split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or("")
            .to_owned(),
    };
    Ok(Some(Request {
        head,
        body,
        service,
        operation,
    }))
}

enum ErrorKind {
    Throttled,
    Denied,
    Internal,
    /// A conditional write lost its race (only S3's conditional PUT).
    Conflict,
}

/// The service's own error answer.
fn error_response(service: &str, kind: ErrorKind) -> Vec<u8> {
    let denied = format!("User is not authorized to perform: {service}:*");
    let json = |content_type, status, code: &str, message: &str| {
        (
            status,
            content_type,
            format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
        )
    };
    let (status, content_type, body) = match (service, kind) {
        (_, ErrorKind::Internal) => (500, "text/plain", "internal error".to_owned()),
        (_, ErrorKind::Conflict) => (
            412,
            "application/xml",
            s3_error(
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold",
            ),
        ),
        // AWS JSON 1.1.
        ("ssm" | "ecs" | "secretsmanager" | "tagging", ErrorKind::Throttled) => json(
            "application/x-amz-json-1.1",
            400,
            "ThrottlingException",
            "Rate exceeded",
        ),
        ("ssm" | "ecs" | "secretsmanager" | "tagging", ErrorKind::Denied) => json(
            "application/x-amz-json-1.1",
            400,
            "AccessDeniedException",
            &denied,
        ),
        // AWS JSON 1.0.
        ("sqs", ErrorKind::Throttled) => json(
            "application/x-amz-json-1.0",
            400,
            "RequestThrottled",
            "Rate exceeded",
        ),
        ("dynamodb", ErrorKind::Throttled) => json(
            "application/x-amz-json-1.0",
            400,
            "ThrottlingException",
            "Rate exceeded",
        ),
        ("sqs" | "dynamodb", ErrorKind::Denied) => json(
            "application/x-amz-json-1.0",
            400,
            "AccessDeniedException",
            &denied,
        ),
        // REST-JSON: the error's code is in the body's `__type` (or a header).
        ("lambda", ErrorKind::Throttled) => json(
            "application/json",
            429,
            "TooManyRequestsException",
            "Rate exceeded",
        ),
        ("eks", ErrorKind::Throttled) => {
            json("application/json", 429, "ThrottlingException", "Rate exceeded")
        }
        ("lambda" | "eks", ErrorKind::Denied) => {
            json("application/json", 403, "AccessDeniedException", &denied)
        }
        // REST-XML.
        ("s3", ErrorKind::Throttled) => (
            503,
            "application/xml",
            s3_error("SlowDown", "Please reduce your request rate."),
        ),
        ("s3", ErrorKind::Denied) => (403, "application/xml", s3_error("AccessDenied", "Access Denied")),
        ("ec2", ErrorKind::Throttled) => (
            503,
            "text/xml",
            ec2_error("RequestLimitExceeded", "Request limit exceeded."),
        ),
        ("ec2", ErrorKind::Denied) => (
            403,
            "text/xml",
            ec2_error(
                "UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            ),
        ),
        // The query protocol: RDS, ELBv2, Auto Scaling, ElastiCache, SNS, STS.
        (_, ErrorKind::Throttled) => (400, "text/xml", query_error("Throttling", "Rate exceeded")),
        (_, ErrorKind::Denied) => (403, "text/xml", query_error("AccessDenied", &denied)),
    };
    let reason = match status {
        400 => "Bad Request",
        429 => "Too Many Requests",
        403 => "Forbidden",
        412 => "Precondition Failed",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-requestid: proxy\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn ec2_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>proxy</RequestID></Response>"
    )
}

fn s3_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>proxy</RequestId></Error>"
    )
}

fn query_error(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
    )
}
