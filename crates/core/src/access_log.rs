//! Access-log formats the API Gateway Console offers as presets (CLF, JSON, XML, CSV). Each includes
//! `$context.requestId`, which AWS requires of every access-log format.

/// `(name, format)`, in the Console's order.
pub const FORMAT_PRESETS: &[(&str, &str)] = &[
    (
        "CLF",
        "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] \"$context.httpMethod $context.resourcePath $context.protocol\" $context.status $context.responseLength $context.requestId",
    ),
    (
        "JSON",
        "{ \"requestId\":\"$context.requestId\", \"ip\": \"$context.identity.sourceIp\", \"caller\":\"$context.identity.caller\", \"user\":\"$context.identity.user\",\"requestTime\":\"$context.requestTime\", \"httpMethod\":\"$context.httpMethod\",\"resourcePath\":\"$context.resourcePath\", \"status\":\"$context.status\",\"protocol\":\"$context.protocol\", \"responseLength\":\"$context.responseLength\" }",
    ),
    (
        "XML",
        "<request id=\"$context.requestId\"> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>",
    ),
    (
        "CSV",
        "$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_as_a_stage_format() {
        for (name, format) in FORMAT_PRESETS {
            assert!(format.contains("$context.requestId"), "{name}");
            let stage = serde_json::json!({"accessLogSettings": {
                "format": format,
                "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:access"
            }});
            let report = crate::validate_stage(&stage);
            assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        }
    }
}
