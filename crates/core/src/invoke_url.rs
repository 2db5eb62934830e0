//! A stage's invoke URLs: AWS's (`https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`, as the
//! Console shows it) and the two forms the stagecraft emulator serves its data plane on (the path form
//! `/restapis/{apiId}/{stage}/_user_request_/` and the `Host` form `{apiId}.execute-api.localhost`).

/// The host suffix of the emulator's `Host`-header invoke URL form.
pub const LOCAL_HOST_SUFFIX: &str = ".execute-api.localhost";

/// The stage's invoke URL on AWS.
#[must_use]
pub fn aws(api: &str, region: &str, stage: &str) -> String {
    format!("https://{api}.execute-api.{region}.amazonaws.com/{stage}")
}

/// The stage's two invoke URLs on an emulator reached at `base` (`http://127.0.0.1:4567`): the path
/// form, then the `Host` form (same port).
#[must_use]
pub fn local(base: &str, api: &str, stage: &str) -> [String; 2] {
    let base = base.trim_end_matches('/');
    let (scheme, authority) = base.split_once("://").unwrap_or(("http", base));
    let port = authority
        .rsplit_once(':')
        .map_or(String::new(), |(_, p)| format!(":{p}"));
    [
        format!("{base}/restapis/{api}/{stage}/_user_request_/"),
        format!("{scheme}://{api}{LOCAL_HOST_SUFFIX}{port}/{stage}/"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_form() {
        assert_eq!(
            aws("a1b2c3d4e5", "eu-west-1", "prod"),
            "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod"
        );
    }

    #[test]
    fn local_forms() {
        assert_eq!(
            local("http://127.0.0.1:4567/", "abc", "prod"),
            [
                "http://127.0.0.1:4567/restapis/abc/prod/_user_request_/".to_owned(),
                "http://abc.execute-api.localhost:4567/prod/".to_owned(),
            ]
        );
        assert_eq!(
            local("http://localhost", "abc", "dev")[1],
            "http://abc.execute-api.localhost/dev/"
        );
    }
}
