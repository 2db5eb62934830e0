//! The AWS error model: an error type (sent as `x-amzn-ErrorType`) and AWS's exact message.

use std::fmt;

/// The API Gateway error shapes (botocore `apigateway` 2015-07-09), with their HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// 400.
    BadRequest,
    /// 400: input that fails the service model's constraints (a missing required member, a value outside
    /// an enum), reported by AWS's request validation before the operation runs.
    Validation,
    /// 400: a body that is not JSON or does not fit the operation's input shape.
    Serialization,
    /// 401.
    Unauthorized,
    /// 404.
    NotFound,
    /// 409.
    Conflict,
    /// 429.
    LimitExceeded,
    /// 429.
    TooManyRequests,
    /// 503.
    ServiceUnavailable,
    /// 404: no operation has this method and path.
    UnknownOperation,
}

impl ErrorType {
    /// The shape name, e.g. `BadRequestException`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequestException",
            Self::Validation => "ValidationException",
            Self::Serialization => "SerializationException",
            Self::Unauthorized => "UnauthorizedException",
            Self::NotFound => "NotFoundException",
            Self::Conflict => "ConflictException",
            Self::LimitExceeded => "LimitExceededException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::ServiceUnavailable => "ServiceUnavailableException",
            Self::UnknownOperation => "UnknownOperationException",
        }
    }

    /// The HTTP status AWS answers with.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            Self::BadRequest | Self::Validation | Self::Serialization => 400,
            Self::Unauthorized => 401,
            Self::NotFound | Self::UnknownOperation => 404,
            Self::Conflict => 409,
            Self::LimitExceeded | Self::TooManyRequests => 429,
            Self::ServiceUnavailable => 503,
        }
    }
}

/// An error as API Gateway reports it: its type and its exact message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The error shape.
    pub error_type: ErrorType,
    /// AWS's message, verbatim.
    pub message: String,
}

impl ApiError {
    /// An error of any type.
    pub fn new(error_type: ErrorType, message: impl Into<String>) -> Self {
        Self {
            error_type,
            message: message.into(),
        }
    }

    /// A `BadRequestException`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorType::BadRequest, message)
    }

    /// A `ValidationException`: a missing required member or a value outside its enum, with AWS's
    /// "1 validation error detected: …" text.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorType::Validation, message)
    }

    /// A required member that is missing (`location` as AWS names it: `createRestApiInput.name`).
    #[must_use]
    pub fn member_null(location: &str) -> Self {
        Self::validation(crate::messages::member_null(location))
    }

    /// A member outside its enum: `value` at `location`, `allowed` the enum's values in AWS's order.
    #[must_use]
    pub fn enum_violation(value: &str, location: &str, allowed: &[&str]) -> Self {
        Self::validation(crate::messages::enum_violation(
            value,
            location,
            &allowed.join(", "),
        ))
    }

    /// A `SerializationException` for a body that is not JSON or does not fit the input shape
    /// (`detail`: the parser's description, with line and column).
    #[must_use]
    pub fn serialization(detail: &dyn fmt::Display) -> Self {
        Self::new(
            ErrorType::Serialization,
            crate::messages::invalid_body(detail),
        )
    }

    /// An `UnknownOperationException`: no operation has `method` and `path`.
    #[must_use]
    pub fn unknown_operation(method: &str, path: &str) -> Self {
        Self::new(
            ErrorType::UnknownOperation,
            crate::messages::unknown_operation(method, path),
        )
    }

    /// A `NotFoundException`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorType::NotFound, message)
    }

    /// A `ConflictException`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorType::Conflict, message)
    }
}

/// The constraint violations of one request, collected in AWS's order (the input shape's member order)
/// and reported together as one `ValidationException`, as AWS's request validation does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Violations(Vec<String>);

impl Violations {
    /// No violations yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A required member that is missing.
    pub fn null(&mut self, location: &str) {
        self.0.push(crate::messages::null_constraint(location));
    }

    /// `value` outside the enum `allowed` (unless it is in it).
    pub fn check_enum(&mut self, value: &str, location: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.0.push(crate::messages::enum_constraint(
                value,
                location,
                &allowed.join(", "),
            ));
        }
    }

    /// A list member with values outside the enum `allowed` (unless all are in it).
    pub fn check_list_enum(&mut self, values: &[String], location: &str, allowed: &[&str]) {
        if !values.iter().all(|v| allowed.contains(&v.as_str())) {
            self.0.push(crate::messages::list_enum_constraint(
                values,
                location,
                &allowed.join(", "),
            ));
        }
    }

    /// A value that does not match the member's pattern (written as AWS writes it).
    pub fn pattern(&mut self, value: &str, location: &str, pattern: &str) {
        self.0.push(crate::messages::pattern_constraint(
            value, location, pattern,
        ));
    }

    /// `Ok` when nothing was found, else the `ValidationException` listing every violation.
    ///
    /// # Errors
    /// The violations found.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(crate::messages::validation_errors(
                &self.0,
            )))
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type.code(), self.message)
    }
}

impl std::error::Error for ApiError {}
