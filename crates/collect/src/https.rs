//! The HTTPS client every AWS call goes through: the collectors', the credential providers' and the S3 history's.

use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// hyper 1 with rustls on ring, trusting the platform's roots, proxies taken from the environment (`HTTPS_PROXY`,
/// `NO_PROXY`), as the SDK's own default client does. One client shares its connection pool with every clone.
///
/// ring rather than the SDK's default aws-lc: the same TLS, without aws-lc's long C build.
pub fn client() -> SharedHttpClient {
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig, tls};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector = ConnectorBuilder::default()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::TcpListener;

    use aws_config::{BehaviorVersion, Region};
    use aws_credential_types::Credentials;

    /// The client opens TLS itself (ring is wired in, nothing panics for want of a crypto provider): what reaches
    /// an `https://` endpoint is a TLS handshake record.
    #[test]
    fn the_client_speaks_tls_to_an_https_endpoint() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let server = std::thread::spawn(move || {
            // Polled, so that a client that never connects fails the test instead of hanging it.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            let mut stream = loop {
                match listener.accept() {
                    Ok((stream, _)) => break stream,
                    Err(_) if std::time::Instant::now() < deadline => {
                        std::thread::sleep(std::time::Duration::from_millis(10))
                    }
                    Err(error) => panic!("the client never connected: {error}"),
                }
            };
            stream.set_nonblocking(false).unwrap();
            let mut head = [0u8; 2];
            stream.read_exact(&mut head).unwrap();
            head
        });
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(super::client())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .endpoint_url(format!("https://127.0.0.1:{port}"))
            .build();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let call = runtime.block_on(async {
            let client = aws_sdk_sts::Client::from_conf(config);
            tokio::time::timeout(
                std::time::Duration::from_secs(5),
                client.get_caller_identity().send(),
            )
            .await
        });
        // 0x16: a handshake record; 0x03: TLS's major version.
        assert_eq!(server.join().unwrap(), [0x16, 0x03]);
        assert!(!matches!(call, Ok(Ok(_))), "no TLS server answered: {call:?}");
    }
}
