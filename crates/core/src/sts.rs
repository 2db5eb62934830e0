//! STS `GetCallerIdentity` as the emulator answers it (AWS's query protocol: a form posted to `/`,
//! signed for `sts`, answered in XML), so that clients pointed at the emulator learn its account.
//!
//! The emulator's one key pair is the account's root user: `arn:aws:iam::{account}:root`, with the
//! account id as user id, as AWS answers for root credentials.

/// The path the query protocol posts to.
pub const PATH: &str = "/";
/// The SigV4 service name of its requests.
pub const SERVICE: &str = "sts";
/// The API version in the XML namespace.
pub const VERSION: &str = "2011-06-15";
/// The one action answered.
pub const GET_CALLER_IDENTITY: &str = "GetCallerIdentity";

/// `GetCallerIdentity`'s answer for the root user of `account`.
#[must_use]
pub fn caller_identity(account: &str, request_id: &str) -> String {
    let account = escape(account);
    format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/{VERSION}/\">\
         <GetCallerIdentityResult><Arn>arn:aws:iam::{account}:root</Arn>\
         <UserId>{account}</UserId><Account>{account}</Account></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
         </GetCallerIdentityResponse>"
    )
}

/// STS's `400 InvalidAction` text for an action it does not have.
#[must_use]
pub fn invalid_action(action: &str) -> String {
    format!("Could not find operation {action} for version {VERSION}")
}

/// STS's error code for a refusal API Gateway names `api_gateway_type` (the SigV4 check's errors).
#[must_use]
pub fn error_code(api_gateway_type: &str) -> &str {
    match api_gateway_type {
        "InvalidSignatureException" => "SignatureDoesNotMatch",
        "UnrecognizedClientException" => "InvalidClientTokenId",
        "MissingAuthenticationTokenException" => "MissingAuthenticationToken",
        "IncompleteSignatureException" => "IncompleteSignature",
        other => other,
    }
}

/// STS's error document (a sender's fault).
#[must_use]
pub fn error_document(code: &str, message: &str, request_id: &str) -> String {
    let message = escape(message);
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/{VERSION}/\"><Error>\
         <Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>\
         </Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
}

/// `text` with XML's five special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents() {
        assert!(caller_identity("123", "r").contains("<Arn>arn:aws:iam::123:root</Arn>"));
        assert_eq!(
            invalid_action("GetSessionToken"),
            "Could not find operation GetSessionToken for version 2011-06-15"
        );
        assert_eq!(
            error_code("InvalidSignatureException"),
            "SignatureDoesNotMatch"
        );
        assert!(
            error_document("X", "a<b>&\"c'", "r")
                .contains("<Message>a&lt;b&gt;&amp;&quot;c&apos;</Message>")
        );
    }
}
