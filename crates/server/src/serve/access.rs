//! Who may change what: `--read-only` and the `--rules FILE` (JSON), enforced by the proxy on every
//! change it would forward (the editor only mirrors the answer to explain a disabled Save).
//!
//! A change is one of the operations in [`CHANGES`]; it targets a REST API and, except a
//! CreateDeployment without `stageName`, a stage. The rules file:
//!
//! ```json
//! {
//!   "groups": { "platform": ["alice", "bob"] },
//!   "rules": [
//!     { "restApiIds": ["*"], "stages": ["dev", "test-*"], "allow": ["*"] },
//!     { "stages": ["prod"], "allow": ["group:platform"] }
//!   ]
//! }
//! ```
//!
//! A change is allowed when some rule matches its API (`restApiIds`, default `["*"]`) and stage
//! (`stages`, default `["*"]`; an API-wide change needs a rule whose stages include `*`) and its `allow`
//! names the caller: `*` (everyone, anonymous included), a user name, or `group:NAME` (from the
//! trusted groups header or the file's `groups`). No rule matching means refused. Patterns are exact
//! or use `*` for any run of characters.

use std::path::Path;

use serde::Deserialize;
use stagecraft_core::api::Operation;
use stagecraft_core::api::tags::Tagged;

use super::identity::Identity;

/// The operations that change something, the ones rules and the audit log apply to.
pub const CHANGES: &[Operation] = &[
    Operation::CreateDeployment,
    Operation::CreateStage,
    Operation::UpdateStage,
    Operation::DeleteStage,
    Operation::FlushStageAuthorizersCache,
    Operation::FlushStageCache,
];

/// What a change is aimed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The operation.
    pub operation: Operation,
    /// REST API id.
    pub rest_api_id: String,
    /// Stage name, unless API-wide.
    pub stage: Option<String>,
}

impl Change {
    /// The change `operation` on `path` (the API Gateway path, already allowlisted) with request
    /// `body` makes, if it is one.
    #[must_use]
    pub fn of(operation: Operation, path: &str, body: &[u8]) -> Option<Self> {
        if !CHANGES.contains(&operation) {
            return None;
        }
        let segments: Vec<String> = path
            .split('/')
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect();
        let rest_api_id = segments.get(2)?.clone();
        let stage = match operation {
            Operation::CreateStage | Operation::CreateDeployment => {
                serde_json::from_slice::<serde_json::Value>(body)
                    .ok()
                    .and_then(|b| b.get("stageName")?.as_str().map(str::to_owned))
            }
            _ => segments.get(4).cloned(),
        };
        Some(Self {
            operation,
            rest_api_id,
            stage,
        })
    }

    /// The resource ARN AWS would name in an access-denied message.
    #[must_use]
    pub fn arn(&self, region: &str) -> String {
        let api = self.rest_api_id.clone();
        match &self.stage {
            Some(stage) => Tagged::Stage(api, stage.clone()),
            None => Tagged::RestApi(api),
        }
        .arn(region)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct File {
    #[serde(default)]
    groups: std::collections::BTreeMap<String, Vec<String>>,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Rule {
    #[serde(default = "everything")]
    rest_api_ids: Vec<String>,
    #[serde(default = "everything")]
    stages: Vec<String>,
    allow: Vec<String>,
}

fn everything() -> Vec<String> {
    vec!["*".into()]
}

/// The access policy of one server.
#[derive(Debug, Clone, Default)]
pub struct Access {
    read_only: bool,
    rules: Option<File>,
}

impl Access {
    /// `--read-only` and the parsed `--rules` file.
    #[must_use]
    pub fn new(read_only: bool) -> Self {
        Self {
            read_only,
            rules: None,
        }
    }

    /// Adds the rules in `text` (JSON, see the module doc).
    ///
    /// # Errors
    /// Not JSON of that shape, or a rule with an empty list.
    pub fn with_rules(mut self, text: &str) -> Result<Self, String> {
        let file: File = serde_json::from_str(text)
            .map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
        for (i, rule) in file.rules.iter().enumerate() {
            if rule.rest_api_ids.is_empty() || rule.stages.is_empty() || rule.allow.is_empty() {
                return Err(format!(
                    "rule {}: restApiIds, stages and allow must not be empty lists",
                    i + 1
                ));
            }
        }
        self.rules = Some(file);
        Ok(self)
    }

    /// Reads the rules file at `path`.
    ///
    /// # Errors
    /// Unreadable or invalid.
    pub fn with_rules_file(self, path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the rules file {}: {e}", path.display()))?;
        self.with_rules(&text)
            .map_err(|e| format!("rules file {}: {e}", path.display()))
    }

    /// Whether the server is read-only.
    #[must_use]
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Whether a rules file is in force.
    #[must_use]
    pub fn has_rules(&self) -> bool {
        self.rules.is_some()
    }

    /// The caller's groups: those of the identity plus the file's.
    #[must_use]
    pub fn groups(&self, who: &Identity) -> Vec<String> {
        let mut groups = who.groups.clone();
        if let (Some(file), Some(user)) = (&self.rules, &who.user) {
            for (group, members) in &file.groups {
                if members.iter().any(|m| m == user) && !groups.contains(group) {
                    groups.push(group.clone());
                }
            }
        }
        groups
    }

    /// `Ok` when `who` may change `rest_api_id` / `stage` (`None`: API-wide); else why not.
    ///
    /// # Errors
    /// Read-only, or no rule allows it (the text says which rule would).
    pub fn check(
        &self,
        who: &Identity,
        rest_api_id: &str,
        stage: Option<&str>,
    ) -> Result<(), String> {
        if self.read_only {
            return Err("this stagecraft server is read-only (--read-only)".into());
        }
        let Some(file) = &self.rules else {
            return Ok(());
        };
        let groups = self.groups(who);
        let names = |allow: &[String]| {
            allow.iter().any(|a| match a.strip_prefix("group:") {
                Some(group) => groups.iter().any(|g| g == group),
                None => a == "*" || who.user.as_deref() == Some(a.as_str()),
            })
        };
        let matching: Vec<&Rule> = file
            .rules
            .iter()
            .filter(|r| r.rest_api_ids.iter().any(|p| glob(p, rest_api_id)))
            .filter(|r| match stage {
                Some(s) => r.stages.iter().any(|p| glob(p, s)),
                None => r.stages.iter().any(|p| p == "*"),
            })
            .collect();
        if matching.iter().any(|r| names(&r.allow)) {
            return Ok(());
        }
        let what = match stage {
            Some(s) => format!("stage {s} of REST API {rest_api_id}"),
            None => format!("REST API {rest_api_id} as a whole"),
        };
        let allowed: Vec<&str> = matching
            .iter()
            .flat_map(|r| r.allow.iter().map(String::as_str))
            .collect();
        Err(if allowed.is_empty() {
            format!("the rules file allows nobody to change {what}")
        } else {
            format!(
                "the rules file allows only {} to change {what}",
                allowed.join(", ")
            )
        })
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut tail) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = rest.split('*').collect();
    let (last, middle) = parts.split_last().unwrap_or((&"", &[]));
    for part in middle {
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::super::identity::Source;
    use super::*;

    const RULES: &str = r#"{
        "groups": { "platform": ["alice"] },
        "rules": [
            { "stages": ["dev", "test-*"], "allow": ["*"] },
            { "restApiIds": ["*"], "stages": ["prod"], "allow": ["group:platform", "carol"] },
            { "restApiIds": ["a1"], "allow": ["group:admins"] }
        ]
    }"#;

    fn user(name: &str, groups: &[&str]) -> Identity {
        Identity {
            user: Some(name.into()),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            source: Source::Header,
        }
    }

    #[test]
    fn rules_allow_and_refuse() {
        let a = Access::new(false).with_rules(RULES).unwrap();
        let bob = user("bob", &[]);
        assert!(a.check(&bob, "x9", Some("dev")).is_ok());
        assert!(a.check(&bob, "x9", Some("test-42")).is_ok());
        assert_eq!(
            a.check(&bob, "x9", Some("prod")).unwrap_err(),
            "the rules file allows only group:platform, carol to change stage prod of REST API x9"
        );
        assert!(a.check(&user("alice", &[]), "x9", Some("prod")).is_ok());
        assert!(a.check(&user("carol", &[]), "x9", Some("prod")).is_ok());
        assert!(
            a.check(&user("dan", &["admins"]), "a1", Some("prod"))
                .is_ok()
        );
        assert!(a.check(&user("dan", &["admins"]), "a1", None).is_ok());
        assert_eq!(
            a.check(&bob, "x9", Some("staging")).unwrap_err(),
            "the rules file allows nobody to change stage staging of REST API x9"
        );
        assert!(a.check(&bob, "x9", None).is_err());
        let anonymous = Identity {
            user: None,
            groups: vec![],
            source: Source::Anonymous,
        };
        assert!(a.check(&anonymous, "x9", Some("dev")).is_ok());
        assert!(a.check(&anonymous, "x9", Some("prod")).is_err());
    }

    #[test]
    fn read_only_refuses_everything_and_no_rules_allow_everything() {
        let bob = user("bob", &[]);
        assert!(Access::new(false).check(&bob, "x", Some("prod")).is_ok());
        assert!(
            Access::new(true)
                .check(&bob, "x", Some("dev"))
                .unwrap_err()
                .contains("read-only")
        );
    }

    #[test]
    fn bad_files_are_explained() {
        assert!(Access::new(false).with_rules("{").is_err());
        assert!(
            Access::new(false)
                .with_rules(r#"{"rules":[{"allow":[]}]}"#)
                .unwrap_err()
                .contains("rule 1")
        );
        assert!(
            Access::new(false)
                .with_rules(r#"{"rules":[{"allow":["*"],"stage":["x"]}]}"#)
                .unwrap_err()
                .contains("unknown field")
        );
    }

    #[test]
    fn globs() {
        for (p, t, want) in [
            ("*", "", true),
            ("dev", "dev", true),
            ("dev", "dev2", false),
            ("test-*", "test-1", true),
            ("test-*", "tes", false),
            ("*-eu", "prod-eu", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "acb", false),
            ("a*a", "a", false),
        ] {
            assert_eq!(glob(p, t), want, "{p} {t}");
        }
    }

    #[test]
    fn changes_name_their_target() {
        let c = Change::of(
            Operation::UpdateStage,
            "/restapis/a1/stages/pr%C3%A9",
            b"{}",
        )
        .unwrap();
        assert_eq!(
            (c.rest_api_id.as_str(), c.stage.as_deref()),
            ("a1", Some("pré"))
        );
        let d = Change::of(
            Operation::CreateDeployment,
            "/restapis/a1/deployments",
            br#"{"stageName":"dev"}"#,
        )
        .unwrap();
        assert_eq!(d.stage.as_deref(), Some("dev"));
        assert_eq!(
            Change::of(Operation::CreateDeployment, "/restapis/a1/deployments", b"")
                .unwrap()
                .stage,
            None
        );
        assert!(Change::of(Operation::GetStage, "/restapis/a1/stages/x", b"").is_none());
        assert_eq!(
            c.arn("eu-west-1"),
            "arn:aws:apigateway:eu-west-1::/restapis/a1/stages/pré"
        );
    }
}
