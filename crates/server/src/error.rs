//! API errors: a JSON body `{"error": {"status": 404, "code": "not_found",
//! "message": "…"}}` with the matching HTTP status.
//!
//! Messages are written for the caller and never carry internals: a store
//! or I/O failure is logged in full (with a reference number) and the
//! caller only sees "internal error, reference N".

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// An error answered to an HTTP caller.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (bad query, bad parameter, bad JSON).
    #[error("{0}")]
    BadRequest(String),
    /// No credentials where a token is required.
    #[error("this request needs an API token: send `Authorization: Bearer <token>` (create one with `vigil token create`)")]
    Unauthorized,
    /// The token is unknown or revoked.
    #[error("the API token is revoked or unknown; create a new one with `vigil token create`")]
    Forbidden,
    /// The named thing does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with stored state (e.g. a duplicate name).
    #[error("{0}")]
    Conflict(String),
    /// The request body is larger than the server accepts.
    #[error("the request body is larger than the server accepts (see --body-limit)")]
    PayloadTooLarge,
    /// The server cannot answer now (e.g. shutting down).
    #[error("{0}")]
    Unavailable(String),
    /// A failure inside the server: logged in full, answered with a reference.
    #[error("internal error, reference {reference}; the server log has the details")]
    Internal { reference: u64 },
}

static REFERENCE: AtomicU64 = AtomicU64::new(1);

impl ApiError {
    /// Logs `err` in full and returns an [`ApiError::Internal`] carrying
    /// only a reference number to find the log line.
    pub fn internal(err: impl std::fmt::Display) -> ApiError {
        let reference = REFERENCE.fetch_add(1, Ordering::Relaxed);
        tracing::error!(reference, "internal error: {err}");
        ApiError::Internal { reference }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal { .. } => "internal",
        }
    }
}

/// The JSON error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status code.
    pub status: u16,
    /// A stable code: `bad_request`, `unauthorized`, `forbidden`,
    /// `not_found`, `conflict`, `payload_too_large`, `unavailable`,
    /// `internal`.
    pub code: String,
    /// A human-readable explanation saying what to do.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (
            status,
            Json(ErrorBody {
                error: ErrorDetail {
                    status: status.as_u16(),
                    code: self.code().to_string(),
                    message: self.to_string(),
                },
            }),
        )
            .into_response();
        if matches!(self, ApiError::Unauthorized) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<vigil_store::StoreError> for ApiError {
    /// A missing thing is a 404 and a refused request a 400 (their messages
    /// are about the request); anything else is internal.
    fn from(err: vigil_store::StoreError) -> Self {
        match err {
            vigil_store::StoreError::NotFound { what, id } => {
                ApiError::NotFound(format!("{what} {id:?}"))
            }
            vigil_store::StoreError::Invalid(message) => ApiError::BadRequest(message),
            other => ApiError::internal(other),
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
