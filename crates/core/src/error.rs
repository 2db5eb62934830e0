//! The AWS error model: an error type (sent as `x-amzn-ErrorType`) and AWS's exact message.

use std::fmt;

/// The API Gateway error shapes (botocore `apigateway` 2015-07-09), with their HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// 400.
    BadRequest,
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
}

impl ErrorType {
    /// The shape name, e.g. `BadRequestException`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequestException",
            Self::Unauthorized => "UnauthorizedException",
            Self::NotFound => "NotFoundException",
            Self::Conflict => "ConflictException",
            Self::LimitExceeded => "LimitExceededException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::ServiceUnavailable => "ServiceUnavailableException",
        }
    }

    /// The HTTP status AWS answers with.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::NotFound => 404,
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
    /// A `BadRequestException`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            error_type: ErrorType::BadRequest,
            message: message.into(),
        }
    }

    /// A `NotFoundException`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            error_type: ErrorType::NotFound,
            message: message.into(),
        }
    }

    /// A `ConflictException`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self {
            error_type: ErrorType::Conflict,
            message: message.into(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type.code(), self.message)
    }
}

impl std::error::Error for ApiError {}
