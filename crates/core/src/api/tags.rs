//! Tags: GetTags / TagResource / UntagResource, the tag rules and the ARNs they accept (also the resource
//! names of AWS's access-denied message).
//!
//! stagecraft tags REST APIs (`arn:aws:apigateway:{region}::/restapis/{api}`) and stages
//! (`…::/restapis/{api}/stages/{stage}`); any other ARN is "Invalid ARN specified in the request"
//! (docs/aws-behaviour.md §6).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::messages;
use crate::rules;

/// `{"tags": {...}}` (GetTags output, TagResource input).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags {
    /// Tag key → value.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// *AWS* (LocalStack's AWS-validated snapshots): an Update* of a taggable resource (UpdateRestApi,
/// UpdateApiKey) answers with `tags`, `{}` when there are none, where Create*/Get* leave it out.
#[must_use]
pub fn with_tags<T: Serialize>(resource: &T) -> serde_json::Value {
    let mut value = serde_json::to_value(resource).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object
            .entry("tags")
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
    }
    value
}

/// What a tag ARN names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tagged {
    /// A REST API (its id).
    RestApi(String),
    /// A stage (API id, stage name).
    Stage(String, String),
}

impl Tagged {
    /// The resource's ARN in `region` (`arn:aws:apigateway:{region}::/restapis/{api}[/stages/{stage}]`),
    /// as [`parse_arn`] reads it and AWS names it in tag and access-denied messages.
    #[must_use]
    pub fn arn(&self, region: &str) -> String {
        match self {
            Self::RestApi(api) => format!("arn:aws:apigateway:{region}::/restapis/{api}"),
            Self::Stage(api, stage) => {
                format!("arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}")
            }
        }
    }
}

/// *AWS* (IAM's access-denied wording): `who` may not call `method` (`PATCH`) on `resource` (an
/// [`Tagged::arn`]); `why` is appended in parentheses.
#[must_use]
pub fn not_authorized(who: &str, method: &str, resource: &str, why: &str) -> String {
    format!(
        "User: {who} is not authorized to perform: apigateway:{method} on resource: {resource} ({why})"
    )
}

/// Parses a tag ARN (the decoded `{resource_arn}` path parameter).
///
/// # Errors
/// `BadRequestException: Invalid ARN specified in the request` for anything but a REST API or stage ARN.
pub fn parse_arn(arn: &str) -> Result<Tagged, ApiError> {
    let invalid = || ApiError::bad_request(messages::INVALID_ARN);
    let rest = arn.strip_prefix("arn:").ok_or_else(invalid)?;
    let (_, rest) = rest.split_once(":apigateway:").ok_or_else(invalid)?;
    let (_region, path) = rest.split_once("::").ok_or_else(invalid)?;
    let segments: Vec<&str> = path
        .strip_prefix('/')
        .ok_or_else(invalid)?
        .split('/')
        .collect();
    match segments.as_slice() {
        ["restapis", api] if !api.is_empty() => Ok(Tagged::RestApi((*api).into())),
        ["restapis", api, "stages", stage] if !api.is_empty() && !stage.is_empty() => {
            Ok(Tagged::Stage((*api).into(), (*stage).into()))
        }
        _ => Err(invalid()),
    }
}

/// Checks tags (key ≤ 128 without `aws:`, value ≤ 256, at most 50).
///
/// # Errors
/// The first bad tag's `BadRequestException`.
pub fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
    for (key, value) in tags {
        super::rule(rules::tag(key, value))?;
    }
    if tags.len() > rules::MAX_TAGS {
        return Err(ApiError::bad_request(messages::too_many_tags(
            rules::MAX_TAGS,
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        for tagged in [
            Tagged::RestApi("a1".into()),
            Tagged::Stage("a1".into(), "prod".into()),
        ] {
            assert_eq!(parse_arn(&tagged.arn("eu-west-1")), Ok(tagged));
        }
        assert_eq!(
            parse_arn("arn:aws:apigateway:us-east-1::/restapis/a1"),
            Ok(Tagged::RestApi("a1".into()))
        );
        assert_eq!(
            parse_arn("arn:aws:apigateway:us-east-1::/restapis/a1/stages/prod"),
            Ok(Tagged::Stage("a1".into(), "prod".into()))
        );
        for bad in [
            "",
            "arn:aws:apigateway:us-east-1::/restapis/",
            "arn:aws:apigateway:us-east-1::/restapis/a1/deployments/d1",
            "arn:aws:lambda:us-east-1::/restapis/a1",
            "arn:aws:apigateway:us-east-1::restapis/a1",
        ] {
            assert_eq!(
                parse_arn(bad).unwrap_err().message,
                "Invalid ARN specified in the request",
                "{bad}"
            );
        }
    }
}
