//! AWS credentials for signing: a fixed key pair (the embedded emulator) or the standard chain from
//! `aws-config` (environment, profile, SSO, process, IMDS…), cached and refreshed before they expire.
//!
//! Credentials are never logged: `Credentials`' `Debug` redacts the secret, and errors name only the
//! provider's reason.

use std::sync::{PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use super::error::ServeError;

/// Refresh this long before the credentials' expiry.
const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);

/// Where signing credentials come from.
#[derive(Debug)]
pub struct CredentialSource {
    provider: Option<SharedCredentialsProvider>,
    cached: RwLock<Option<Credentials>>,
    refresh: tokio::sync::Mutex<()>,
}

impl CredentialSource {
    /// Always these credentials.
    #[must_use]
    pub fn fixed(credentials: Credentials) -> Self {
        Self {
            provider: None,
            cached: RwLock::new(Some(credentials)),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// Credentials from `provider`, fetched on first use and again shortly before they expire.
    #[must_use]
    pub fn provider(provider: SharedCredentialsProvider) -> Self {
        Self {
            provider: Some(provider),
            cached: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn cached(&self) -> Option<Credentials> {
        self.cached
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn fresh(credentials: &Credentials, now: SystemTime) -> bool {
        credentials
            .expiry()
            .is_none_or(|expiry| expiry > now + REFRESH_BEFORE)
    }

    /// Current credentials, refreshed if they expire within five minutes.
    ///
    /// # Errors
    /// The provider fails and no unexpired credentials are cached.
    pub async fn get(&self) -> Result<Credentials, ServeError> {
        if let Some(c) = self
            .cached()
            .filter(|c| self.provider.is_none() || Self::fresh(c, SystemTime::now()))
        {
            return Ok(c);
        }
        let Some(provider) = &self.provider else {
            return Err(ServeError::credentials(
                "stagecraft serve: no credentials configured",
            ));
        };
        let _one_refresh_at_a_time = self.refresh.lock().await;
        let previous = self.cached();
        if let Some(c) = previous
            .as_ref()
            .filter(|c| Self::fresh(c, SystemTime::now()))
        {
            return Ok(c.clone());
        }
        match provider.provide_credentials().await {
            Ok(c) => {
                *self.cached.write().unwrap_or_else(PoisonError::into_inner) = Some(c.clone());
                Ok(c)
            }
            // Still valid for a few minutes: keep using them and try again on the next request.
            Err(_)
                if previous
                    .as_ref()
                    .is_some_and(|c| c.expiry().is_none_or(|e| e > SystemTime::now())) =>
            {
                Ok(previous.unwrap_or_else(|| unreachable!("checked above")))
            }
            Err(e) => Err(ServeError::credentials(format!(
                "stagecraft serve: could not load AWS credentials: {}",
                redacted(&super::error::chain(&e))
            ))),
        }
    }

    /// Forgets cached chain credentials (after the target said they expired).
    pub fn invalidate(&self) {
        if self.provider.is_some() {
            *self.cached.write().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
}

/// `reason` without what a `credential_process` wrote to stderr, which may hold a secret.
fn redacted(reason: &str) -> String {
    match reason.split_once("Stderr:") {
        Some((before, _)) => format!("{before}(its stderr is not shown)"),
        None => reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use aws_credential_types::credential_fn::provide_credentials_fn;

    use super::*;

    fn counting(expires_in: Duration) -> (CredentialSource, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let provider = provide_credentials_fn(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(Credentials::new(
                    format!("AKID{n}"),
                    "secret",
                    None,
                    Some(SystemTime::now() + expires_in),
                    "test",
                ))
            }
        });
        (
            CredentialSource::provider(SharedCredentialsProvider::new(provider)),
            calls,
        )
    }

    #[tokio::test]
    async fn long_lived_credentials_are_cached() {
        let (source, calls) = counting(Duration::from_secs(3600));
        for _ in 0..5 {
            assert_eq!(source.get().await.unwrap().access_key_id(), "AKID0");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        source.invalidate();
        assert_eq!(source.get().await.unwrap().access_key_id(), "AKID1");
    }

    #[tokio::test]
    async fn credentials_close_to_expiry_are_refreshed() {
        let (source, calls) = counting(Duration::from_secs(60));
        assert_eq!(source.get().await.unwrap().access_key_id(), "AKID0");
        assert_eq!(source.get().await.unwrap().access_key_id(), "AKID1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_unexpired_credentials() {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let provider = provide_credentials_fn(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    Ok(Credentials::new(
                        "AKID",
                        "secret",
                        None,
                        Some(SystemTime::now() + Duration::from_secs(120)),
                        "t",
                    ))
                } else {
                    Err(aws_credential_types::provider::error::CredentialsError::not_loaded("gone"))
                }
            }
        });
        let source = CredentialSource::provider(SharedCredentialsProvider::new(provider));
        assert_eq!(source.get().await.unwrap().access_key_id(), "AKID");
        assert_eq!(source.get().await.unwrap().access_key_id(), "AKID");
        source.invalidate();
        let err = source.get().await.unwrap_err();
        assert_eq!(err.code, "CredentialsException");
        assert!(!err.message.contains("secret"));
    }

    #[tokio::test]
    async fn fixed_credentials_never_refresh() {
        let source = CredentialSource::fixed(Credentials::new("A", "B", None, None, "fixed"));
        assert_eq!(source.get().await.unwrap().access_key_id(), "A");
        source.invalidate();
        assert_eq!(source.get().await.unwrap().access_key_id(), "A");
    }
}
