//! The target's AWS account id, which the audit log records: fixed for the embedded emulator; for AWS
//! or `--endpoint`, asked of STS `GetCallerIdentity` (same credentials, region and endpoint) once, when
//! first needed. If STS cannot answer, entries say `"account": null` and a warning says why.

use std::time::Duration;

use aws_config::SdkConfig;
use tokio::sync::OnceCell;

/// How long the one STS call may take.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the account id comes from.
#[derive(Debug)]
pub struct Account {
    known: OnceCell<Option<String>>,
    sts: Option<aws_sdk_sts::Client>,
}

impl Account {
    /// Always `id`.
    #[must_use]
    pub fn fixed(id: String) -> Self {
        Self {
            known: OnceCell::new_with(Some(Some(id))),
            sts: None,
        }
    }

    /// Asked of STS with `config`'s credentials and region, at `endpoint` when given.
    #[must_use]
    pub fn from_sts(config: &SdkConfig, endpoint: Option<&str>) -> Self {
        let mut sts = aws_sdk_sts::config::Builder::from(config);
        if let Some(url) = endpoint {
            sts = sts.endpoint_url(url);
        }
        Self {
            known: OnceCell::new(),
            sts: Some(aws_sdk_sts::Client::from_conf(sts.build())),
        }
    }

    /// The account id, if it is known or STS tells it (asked at most once).
    pub async fn get(&self) -> Option<String> {
        self.known
            .get_or_init(|| async {
                let sts = self.sts.as_ref()?;
                let asked = tokio::time::timeout(LOOKUP_TIMEOUT, sts.get_caller_identity().send());
                let error = match asked.await {
                    Ok(Ok(me)) => match me.account {
                        Some(id) => return Some(id),
                        None => "no account in the answer".to_owned(),
                    },
                    Ok(Err(e)) => aws_sdk_sts::error::DisplayErrorContext(e).to_string(),
                    Err(_) => format!("no answer within {} s", LOOKUP_TIMEOUT.as_secs()),
                };
                tracing::warn!(
                    "cannot learn the target's account (STS GetCallerIdentity: {error}); the audit log records \"account\": null"
                );
                None
            })
            .await
            .clone()
    }
}
