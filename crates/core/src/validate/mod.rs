//! Validation of stage documents and patch operations: every problem at once, each with a JSON Pointer,
//! a stable code and AWS's message where AWS has one.

use serde::Serialize;
use serde_json::Value;

mod scan;
mod stage;
mod text;

pub use scan::{JsonError, value_from_str};
pub use stage::validate_stage;
pub use text::{StageTextError, stage_from_str, validate_stage_str};

use crate::apply::{Blame, plan};
use crate::patch::{Op, PatchOperation};
use crate::pointer::JsonPointer;
use crate::scalar::Scalar;

/// Declares [`IssueCode`], [`IssueCode::ALL`] and [`IssueCode::as_str`] from one list of variants and
/// their wire names, so `ALL` cannot miss one.
macro_rules! issue_codes {
    ($($(#[doc = $doc:literal])* $code:ident = $name:literal,)+) => {
        /// A stable, machine-readable name for a kind of problem.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum IssueCode {
            $($(#[doc = $doc])* $code,)+
        }

        impl IssueCode {
            /// Every code, in declaration order.
            pub const ALL: &[IssueCode] = &[$(IssueCode::$code),+];

            /// The wire name (`invalid_ttl`), as serialized.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(IssueCode::$code => $name,)+
                }
            }
        }
    };
}

issue_codes! {
    /// A value of the wrong JSON type.
    InvalidType = "invalid_type",
    /// A required field is missing.
    MissingField = "missing_field",
    /// A patch path UpdateStage does not know.
    InvalidPath = "invalid_path",
    /// An operation the path does not support.
    UnsupportedOperation = "unsupported_operation",
    /// A patch operation without its value.
    MissingValue = "missing_value",
    /// A remove of something that cannot be removed.
    CannotRemove = "cannot_remove",
    /// A copy other than the two canary promotions.
    InvalidCopy = "invalid_copy",
    /// A value out of range or not one of the allowed strings.
    InvalidValue = "invalid_value",
    /// A cache TTL outside 0–3600.
    InvalidTtl = "invalid_ttl",
    /// A stage name outside `[A-Za-z0-9_-]{1,128}`.
    InvalidStageName = "invalid_stage_name",
    /// A malformed method-setting key.
    InvalidMethodSettingKey = "invalid_method_setting_key",
    /// A stage-variable name that is not word characters.
    InvalidVariableName = "invalid_variable_name",
    /// A stage-variable value with other characters, empty, or too long.
    InvalidVariableValue = "invalid_variable_value",
    /// More than 100 stage variables.
    TooManyVariables = "too_many_variables",
    /// A cache cluster size that is not one of the eight.
    InvalidCacheClusterSize = "invalid_cache_cluster_size",
    /// A cache cluster status that is not one of the five.
    InvalidCacheClusterStatus = "invalid_cache_cluster_status",
    /// An access-log format or destination that AWS refuses.
    InvalidAccessLog = "invalid_access_log",
    /// An empty value where AWS needs one.
    EmptyValue = "empty_value",
    /// A canary traffic share outside 0–100.
    InvalidPercentTraffic = "invalid_percent_traffic",
    /// A tag key or value AWS refuses.
    InvalidTag = "invalid_tag",
    /// More than 50 tags.
    TooManyTags = "too_many_tags",
    /// A date that is neither epoch seconds nor ISO-8601.
    InvalidTimestamp = "invalid_timestamp",
}

/// One problem: where, what kind, and the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// JSON Pointer into the checked document.
    pub path: JsonPointer,
    /// Stable code.
    pub code: IssueCode,
    /// Human-readable message (AWS's exact text where AWS has one).
    pub message: String,
}

/// The result of a validation: `{"valid": bool, "errors": [...]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Whether no issue was found.
    pub valid: bool,
    /// Every issue, ordered by path (object keys in sorted order).
    pub errors: Vec<Issue>,
}

impl Report {
    fn from_issues(errors: Vec<Issue>) -> Self {
        Self {
            valid: errors.is_empty(),
            errors,
        }
    }
}

#[derive(Default)]
struct Collector(Vec<Issue>);

impl Collector {
    fn push(&mut self, path: &JsonPointer, code: IssueCode, message: impl Into<String>) {
        self.0.push(Issue {
            path: path.clone(),
            code,
            message: message.into(),
        });
    }

    fn wrong_type(&mut self, path: &JsonPointer, expected: &str, got: &Value) {
        self.push(
            path,
            IssueCode::InvalidType,
            format!("Expected {expected}, got {}", Scalar::from(got).type_name()),
        );
    }
}

/// Validates UpdateStage `patchOperations` arriving as JSON: an array of operations, or an object with a
/// `patchOperations` array. Checks structure, paths, ops and values; stage-dependent errors (removing a key
/// that is not stored, unknown deployment ids) need a stage and show only in [`crate::apply`].
#[must_use]
pub fn validate_patch(doc: &Value) -> Report {
    Report::from_issues(read_patch(doc).1.0)
}

/// Reads `patchOperations` as [`validate_patch`] takes them into typed operations.
///
/// ```
/// use serde_json::json;
/// use stagecraft_core::validate::patch_operations;
///
/// let ops = patch_operations(&json!([{"op": "replace", "path": "/description", "value": "x"}])).unwrap();
/// assert_eq!(ops[0].path, "/description");
/// assert!(patch_operations(&json!({"patchOperations": [{"op": "nope"}]})).is_err());
/// ```
///
/// # Errors
/// Every issue, when they do not validate.
pub fn patch_operations(doc: &Value) -> Result<Vec<PatchOperation>, Report> {
    let (ops, c) = read_patch(doc);
    if c.0.is_empty() {
        Ok(ops)
    } else {
        Err(Report::from_issues(c.0))
    }
}

/// The operations of a `patchOperations` document that read, and every issue.
fn read_patch(doc: &Value) -> (Vec<PatchOperation>, Collector) {
    let mut c = Collector::default();
    let mut out = Vec::new();
    let (ops, base) = match doc {
        Value::Object(o) if o.contains_key("patchOperations") => (
            &o["patchOperations"],
            JsonPointer::root().push("patchOperations"),
        ),
        other => (other, JsonPointer::root()),
    };
    let Some(items) = ops.as_array() else {
        c.wrong_type(&base, "array of patch operations", ops);
        return (out, c);
    };
    for (i, item) in items.iter().enumerate() {
        let p = base.push(i);
        if let Some(op) = parse_op(&mut c, &p, item) {
            check_op(&mut c, &p, &op);
            out.push(op);
        }
    }
    (out, c)
}

/// Validates typed patch operations (see [`validate_patch`]).
#[must_use]
pub fn validate_patch_ops(ops: &[PatchOperation]) -> Report {
    let mut c = Collector::default();
    for (i, op) in ops.iter().enumerate() {
        check_op(&mut c, &JsonPointer::root().push(i), op);
    }
    Report::from_issues(c.0)
}

fn parse_op(c: &mut Collector, p: &JsonPointer, item: &Value) -> Option<PatchOperation> {
    let Some(obj) = item.as_object() else {
        c.wrong_type(p, "object", item);
        return None;
    };
    let text = |c: &mut Collector, name: &str| -> Result<Option<String>, ()> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => {
                c.wrong_type(&p.push(name), "string", other);
                Err(())
            }
        }
    };
    let (op, path, value, from) = (
        text(c, "op"),
        text(c, "path"),
        text(c, "value"),
        text(c, "from"),
    );
    let (Ok(op), Ok(path), Ok(value), Ok(from)) = (op, path, value, from) else {
        return None;
    };
    let Some(op_name) = op else {
        c.push(
            &p.push("op"),
            IssueCode::MissingField,
            "Patch operation is missing 'op'",
        );
        return None;
    };
    let Some(op) = Op::parse(&op_name) else {
        c.push(
            &p.push("op"),
            IssueCode::UnsupportedOperation,
            format!(
                "Invalid op: {op_name}. Must be one of: [add, remove, replace, move, copy, test]"
            ),
        );
        return None;
    };
    let Some(path) = path else {
        c.push(
            &p.push("path"),
            IssueCode::MissingField,
            "Patch operation is missing 'path'",
        );
        return None;
    };
    Some(PatchOperation {
        op,
        path,
        value,
        from,
    })
}

fn check_op(c: &mut Collector, p: &JsonPointer, op: &PatchOperation) {
    if let Err(e) = plan(op) {
        let field = match e.blame {
            Blame::Op => "op",
            Blame::Path => "path",
            Blame::Value => "value",
            Blame::From => "from",
        };
        c.push(&p.push(field), e.code, e.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_lists_each_code_once_in_declaration_order() {
        for (i, code) in IssueCode::ALL.iter().enumerate() {
            assert_eq!(*code as usize, i, "{code:?}");
        }
        let mut names: Vec<String> = IssueCode::ALL
            .iter()
            .map(|c| {
                serde_json::to_value(c)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(names[0], "invalid_type");
        for (code, name) in IssueCode::ALL.iter().zip(&names) {
            assert_eq!(code.as_str(), name, "{code:?}");
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), IssueCode::ALL.len());
    }

    fn issues(doc: Value) -> Vec<(String, IssueCode)> {
        validate_stage(&doc)
            .errors
            .into_iter()
            .map(|i| (i.path.to_string(), i.code))
            .collect()
    }

    #[test]
    fn valid_stage_has_no_issues() {
        let r = validate_stage(&json!({
            "stageName": "prod", "deploymentId": "d", "methodSettings": {"*/*": {"cacheTtlInSeconds": 300}},
            "variables": {"a": "b"}, "createdDate": 1_700_000_000
        }));
        assert!(r.valid, "{r:?}");
    }

    #[test]
    fn reports_every_problem_with_its_pointer() {
        let got = issues(json!({
            "stageName": "bad name",
            "cacheClusterEnabled": "yes",
            "methodSettings": {
                "~1pets/GET": {"cacheTtlInSeconds": 4000, "loggingLevel": "DEBUG"},
                "GET": {}
            },
            "variables": {"bad-name": "ok", "good": ""}
        }));
        assert_eq!(
            got,
            vec![
                ("/cacheClusterEnabled".into(), IssueCode::InvalidType),
                (
                    "/methodSettings/GET".into(),
                    IssueCode::InvalidMethodSettingKey
                ),
                (
                    "/methodSettings/~01pets~1GET/cacheTtlInSeconds".into(),
                    IssueCode::InvalidTtl
                ),
                (
                    "/methodSettings/~01pets~1GET/loggingLevel".into(),
                    IssueCode::InvalidValue
                ),
                ("/stageName".into(), IssueCode::InvalidStageName),
                ("/variables/bad-name".into(), IssueCode::InvalidVariableName),
                ("/variables/good".into(), IssueCode::InvalidVariableValue),
            ]
        );
    }

    #[test]
    fn ttl_message_is_aws_text() {
        let r = validate_stage(&json!({"methodSettings": {"*/*": {"cacheTtlInSeconds": 3601}}}));
        assert_eq!(
            r.errors[0].message,
            "Invalid time-to-live setting, must be an integer no greater than 3600"
        );
    }

    #[test]
    fn patch_issues_point_at_the_field() {
        let r = validate_patch(&json!([
            {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "60"},
            {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "4000"},
            {"op": "replace", "path": "/nope", "value": "1"},
            {"op": "bogus", "path": "/description"},
            {"op": "replace", "path": 7},
            {"op": "move", "path": "/description", "from": "/x"}
        ]));
        let got: Vec<_> = r
            .errors
            .iter()
            .map(|i| (i.path.to_string(), i.code))
            .collect();
        assert_eq!(
            got,
            vec![
                ("/1/value".into(), IssueCode::InvalidTtl),
                ("/2/path".into(), IssueCode::InvalidPath),
                ("/3/op".into(), IssueCode::UnsupportedOperation),
                ("/4/path".into(), IssueCode::InvalidType),
                ("/5/op".into(), IssueCode::UnsupportedOperation),
            ]
        );
        assert!(validate_patch(&json!({"patchOperations": []})).valid);
    }

    #[test]
    fn patch_operations_read_as_serde_reads_them() {
        let doc = json!([
            {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "60", "extra": 1},
            {"op": "remove", "path": "/variables/a", "value": null},
            {"op": "copy", "path": "/deploymentId", "from": "/canarySettings/deploymentId"}
        ]);
        let expected: Vec<PatchOperation> = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(patch_operations(&doc).unwrap(), expected);
        let wrapped = json!({ "patchOperations": doc });
        assert_eq!(patch_operations(&wrapped).unwrap(), expected);
        let bad = json!([{"op": "replace", "path": "/nope", "value": "1"}]);
        assert_eq!(patch_operations(&bad).unwrap_err(), validate_patch(&bad));
    }
}
