//! Paged lists (GetRestApis, GetResources, GetDeployments, GetAuthorizers): the `limit` and `position`
//! query parameters and the `{"item": [...], "position": "..."}` answer.
//!
//! AWS documents `limit` as 25 by default and at most 500; its page tokens are opaque. stagecraft's
//! `position` is the offset of the next page as a decimal string (docs/aws-behaviour.md §6).

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::messages;

/// The page size when a request sets no `limit`.
pub const DEFAULT_LIMIT: usize = 25;
/// The largest `limit` accepted.
pub const MAX_LIMIT: usize = 500;

/// A paged list: `{"item": [...], "position": "..."}` (AWS's wire name is `item`; boto3 shows `items`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub item: Vec<T>,
    /// The token of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
}

/// One page of `items` (already in list order) for the raw `limit` and `position` query values.
///
/// # Errors
/// `BadRequestException` for a `limit` outside 1–500 or a `position` that is not an offset into the list.
pub fn page<T>(
    items: Vec<T>,
    limit: Option<&str>,
    position: Option<&str>,
) -> Result<Page<T>, ApiError> {
    let limit = match limit {
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::bad_request(messages::invalid_limit(raw)))?,
        None => DEFAULT_LIMIT,
    };
    let start = match position {
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= items.len())
            .ok_or_else(|| ApiError::bad_request(messages::invalid_position(raw)))?,
        None => 0,
    };
    let end = start.saturating_add(limit).min(items.len());
    let position = (end < items.len()).then(|| end.to_string());
    Ok(Page {
        item: items.into_iter().skip(start).take(end - start).collect(),
        position,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_use_item() {
        let page = Page {
            item: vec![1],
            position: None,
        };
        assert_eq!(serde_json::to_value(page).unwrap(), json!({"item": [1]}));
    }

    #[test]
    fn limit_and_position() {
        let items: Vec<u32> = (0..30).collect();
        let first = page(items.clone(), None, None).unwrap();
        assert_eq!(
            (first.item.len(), first.position.as_deref()),
            (25, Some("25"))
        );
        let rest = page(items.clone(), None, Some("25")).unwrap();
        assert_eq!((rest.item, rest.position), (vec![25, 26, 27, 28, 29], None));
        assert_eq!(
            page(items.clone(), Some("500"), None).unwrap().item.len(),
            30
        );
        for bad in ["0", "501", "x", "-1"] {
            assert_eq!(
                page(items.clone(), Some(bad), None).unwrap_err().message,
                format!("Invalid limit specified: {bad}. Must be between 1 and 500.")
            );
        }
        assert!(page(items, None, Some("31")).is_err());
    }
}
