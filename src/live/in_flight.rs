//! One bound on the AppConfig requests in flight, shared by every call of a run, retries
//! included. AppConfig's control-plane rate limits are low, so however many environments a
//! run reads or waits on at once, no more than [`MAX_IN_FLIGHT`] requests are out at a time,
//! and the SDK's standard retry backs each throttled call off exponentially.
//!
//! Not the SDK's adaptive mode: its client-side rate limiter falls to half a request a second
//! after a run of throttling, and calls that queue behind it meet the operation timeout
//! (`OPERATION_TIMEOUT`) before they are sent: a slow run becomes a failed one.

use std::sync::Arc;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use tokio::sync::Semaphore;

/// The most requests flagops has in flight to AppConfig at once.
pub const MAX_IN_FLIGHT: usize = 10;

/// An HTTP client that lets at most `limit` requests through at a time.
#[derive(Debug, Clone)]
pub struct Bounded {
    inner: SharedHttpClient,
    permits: Arc<Semaphore>,
}

impl Bounded {
    pub fn new(inner: SharedHttpClient, limit: usize) -> Self {
        Bounded {
            inner,
            permits: Arc::new(Semaphore::new(limit.max(1))),
        }
    }

    /// The SDK's own HTTPS client (rustls, the environment's proxy settings), bounded.
    pub fn https(limit: usize) -> Self {
        use aws_smithy_http_client::proxy::ProxyConfig;
        use aws_smithy_http_client::{Builder, ConnectorBuilder, tls};
        let client = Builder::new().build_with_connector_fn(|settings, components| {
            let mut connector = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ));
            connector.set_connector_settings(settings.cloned());
            if let Some(components) = components {
                connector.set_sleep_impl(components.sleep_impl());
            }
            connector.set_proxy_config(Some(ProxyConfig::from_env()));
            connector.build()
        });
        Bounded::new(client, limit)
    }
}

impl HttpClient for Bounded {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(BoundedConnector {
            inner: self.inner.http_connector(settings, components),
            permits: self.permits.clone(),
        })
    }
}

#[derive(Debug)]
struct BoundedConnector {
    inner: SharedHttpConnector,
    permits: Arc<Semaphore>,
}

impl HttpConnector for BoundedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, permits) = (self.inner.clone(), self.permits.clone());
        HttpConnectorFuture::new(async move {
            // The semaphore is never closed, so a permit always comes.
            let _permit = permits.acquire_owned().await;
            inner.call(request).await
        })
    }
}
