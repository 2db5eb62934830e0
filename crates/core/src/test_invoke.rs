//! What a TestInvokeAuthorizer answer means for a real request.
//!
//! Test invoke runs the authorizer but does not evaluate its policy against a method: `clientStatus` is
//! 0 for a policy that denies everything (the console shows success for a Deny). A real request is
//! judged by the policy: an explicit Deny wins, and without a matching Allow the request is denied too
//! (403 `AccessDeniedException`); `Unauthorized` (or a missing token) is 401, any other authorizer
//! failure 500 (see docs and the emulator's `invoke.rs`).

use serde_json::Value;

/// One statement of an IAM policy document, as an authorizer returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// `Allow` or `Deny` (as written).
    pub effect: String,
    /// The actions (`execute-api:Invoke`).
    pub actions: Vec<String>,
    /// The method ARNs or wildcards.
    pub resources: Vec<String>,
}

impl Statement {
    fn is(&self, effect: &str) -> bool {
        self.effect.eq_ignore_ascii_case(effect)
    }

    /// The statement in words: `Deny execute-api:Invoke on arn:…/*/GET/pets`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "{} {} on {}",
            self.effect,
            self.actions.join(", "),
            self.resources.join(", ")
        )
    }
}

/// The outcome a request with the tested identity gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The policy allows and denies nothing: the method runs.
    Allowed,
    /// The policy allows some resources and denies others: it depends on the method.
    Mixed,
    /// An explicit Deny (and no Allow): 403.
    DeniedByPolicy,
    /// The policy allows nothing: an implicit deny, 403.
    NoAllow,
    /// 401: no token, a token failing the validation expression, or `Unauthorized` from the function.
    Unauthorized,
    /// The authorizer failed (`clientStatus` other than 0, 200 or 401).
    AuthorizerError(i64),
}

impl Outcome {
    /// The status a real request would get (`None` when it depends on the method).
    #[must_use]
    pub fn status(&self) -> Option<i64> {
        match self {
            Self::Allowed => Some(200),
            Self::Mixed => None,
            Self::DeniedByPolicy | Self::NoAllow => Some(403),
            Self::Unauthorized => Some(401),
            Self::AuthorizerError(status) => Some(*status),
        }
    }

    /// A short name for the outcome.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Mixed => "allowed for some methods, denied for others",
            Self::DeniedByPolicy => "denied by policy",
            Self::NoAllow => "denied: the policy allows nothing",
            Self::Unauthorized => "unauthorized",
            Self::AuthorizerError(_) => "authorizer error",
        }
    }

    /// Whether the request would reach the method.
    #[must_use]
    pub fn allowed(&self) -> bool {
        matches!(self, Self::Allowed)
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The statements of a policy document given as JSON text (`None` when it is not a policy document).
#[must_use]
pub fn statements(policy: &str) -> Option<Vec<Statement>> {
    let doc: Value = serde_json::from_str(policy).ok()?;
    let list = match doc.get("Statement")? {
        Value::Array(items) => items.clone(),
        one @ Value::Object(_) => vec![one.clone()],
        _ => return None,
    };
    Some(
        list.iter()
            .map(|s| Statement {
                effect: s
                    .get("Effect")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                actions: strings(s.get("Action")),
                resources: strings(s.get("Resource")),
            })
            .collect(),
    )
}

/// The outcome for a TestInvokeAuthorizer answer's `clientStatus` and `policy`.
#[must_use]
pub fn outcome(client_status: i64, policy: Option<&str>) -> Outcome {
    match client_status {
        0 | 200 => {}
        401 => return Outcome::Unauthorized,
        other => return Outcome::AuthorizerError(other),
    }
    let statements = policy.and_then(statements).unwrap_or_default();
    let allows = statements.iter().any(|s| s.is("Allow"));
    let denies = statements.iter().any(|s| s.is("Deny"));
    match (allows, denies) {
        (true, false) => Outcome::Allowed,
        (true, true) => Outcome::Mixed,
        (false, true) => Outcome::DeniedByPolicy,
        (false, false) => Outcome::NoAllow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(effect: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Action":"execute-api:Invoke","Effect":"{effect}","Resource":"arn:aws:execute-api:us-east-1:123456789012:a1/prod/*"}}]}}"#
        )
    }

    #[test]
    fn a_deny_at_client_status_0_is_a_denial() {
        let deny = outcome(0, Some(&policy("Deny")));
        assert_eq!(deny, Outcome::DeniedByPolicy);
        assert_eq!(deny.status(), Some(403));
        assert!(!deny.allowed());
        assert!(outcome(0, Some(&policy("Allow"))).allowed());
    }

    #[test]
    fn statuses_other_than_success() {
        assert_eq!(outcome(401, None), Outcome::Unauthorized);
        assert_eq!(outcome(500, None), Outcome::AuthorizerError(500));
        assert_eq!(outcome(0, None), Outcome::NoAllow);
        assert_eq!(outcome(0, Some("not json")), Outcome::NoAllow);
    }

    #[test]
    fn mixed_policies_and_words() {
        let both = r#"{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":["a","b"]},{"Effect":"Deny","Action":["execute-api:Invoke"],"Resource":"c"}]}"#;
        assert_eq!(outcome(0, Some(both)), Outcome::Mixed);
        let words: Vec<String> = statements(both)
            .unwrap()
            .iter()
            .map(Statement::describe)
            .collect();
        assert_eq!(
            words,
            [
                "Allow execute-api:Invoke on a, b",
                "Deny execute-api:Invoke on c"
            ]
        );
    }
}
