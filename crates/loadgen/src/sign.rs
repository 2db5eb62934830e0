//! SigV4 request signing (header-based, as boto3 does it) with the `aws-sigv4` crate.

use std::time::SystemTime;

use anyhow::{Context, Result};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

/// Signs requests for one key pair, region and service.
#[derive(Debug, Clone)]
pub struct Signer {
    identity: Identity,
    region: String,
    service: String,
}

impl Signer {
    /// A signer for service `apigateway`.
    #[must_use]
    pub fn new(access_key: &str, secret_key: &str, region: &str) -> Self {
        Self::for_service(access_key, secret_key, region, "apigateway")
    }

    /// A signer for any service name.
    #[must_use]
    pub fn for_service(access_key: &str, secret_key: &str, region: &str, service: &str) -> Self {
        let identity: Identity =
            Credentials::new(access_key, secret_key, None, None, "loadgen").into();
        Self {
            identity,
            region: region.to_owned(),
            service: service.to_owned(),
        }
    }

    /// The headers to add (`x-amz-date`, `authorization`) for a request with these exact `headers`
    /// (which must include `host`) and `body`, signed at `time`. `path_and_query` is the request
    /// target as sent (already percent-encoded).
    ///
    /// # Errors
    /// The request cannot be signed (an invalid URI or header).
    pub fn sign(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        time: SystemTime,
    ) -> Result<Vec<(&'static str, String)>> {
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(&self.service)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .context("signing parameters")?
            .into();
        let signable = SignableRequest::new(
            method,
            path_and_query,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .context("signable request")?;
        let (instructions, _signature) = sign(signable, &params).context("signing")?.into_parts();
        let (out, _query) = instructions.into_parts();
        Ok(out
            .into_iter()
            .map(|h| (h.name(), h.value().to_owned()))
            .collect())
    }
}
