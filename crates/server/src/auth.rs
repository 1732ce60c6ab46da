//! API tokens: creation, hashing, constant-time checking, and the
//! middleware that guards writes.
//!
//! A token is `vigil_` followed by 43 URL-safe characters (32 random bytes
//! from the operating system). The store keeps only its SHA-256 (hex) and
//! its first 12 characters (to recognise it in `vigil token list`).
//! Checking hashes the presented token and compares it with **every**
//! stored hash in constant time, so neither timing nor early exit tells an
//! attacker how close a guess was.
//!
//! Every request whose method may change something (anything but `GET`,
//! `HEAD` and `OPTIONS`) needs `Authorization: Bearer <token>`: without a
//! token the answer is 401, with a revoked or unknown one 403. With
//! [`AppState::open_reads`] off, reads need a token too.

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use vigil_store::desk::TokenRecord;

use crate::error::ApiError;
use crate::AppState;

/// The text every token starts with.
pub const TOKEN_PREFIX: &str = "vigil_";

/// Characters of a token kept in the store to recognise it.
pub const SHOWN_PREFIX: usize = 12;

/// A freshly created token: `secret` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub secret: String,
    /// Hex SHA-256 of `secret`: what the store keeps.
    pub hash: String,
    /// The first [`SHOWN_PREFIX`] characters of `secret`.
    pub prefix: String,
}

/// Errors creating secrets.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}; retry, or check /dev/urandom")]
pub struct RandomError(String);

/// `n` random bytes from the operating system, as unpadded URL-safe base64.
pub fn random_text(n: usize) -> Result<String, RandomError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(base64url(&bytes))
}

/// A new API token.
pub fn generate_token() -> Result<NewToken, RandomError> {
    let secret = format!("{TOKEN_PREFIX}{}", random_text(32)?);
    let prefix: String = secret.chars().take(SHOWN_PREFIX).collect();
    Ok(NewToken {
        hash: hash_token(&secret),
        secret,
        prefix,
    })
}

/// A new webhook signing secret.
pub fn generate_secret() -> Result<String, RandomError> {
    random_text(32)
}

/// Hex SHA-256 of a token.
pub fn hash_token(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// What a presented token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    /// An active token (its id).
    Valid(i64),
    /// A token that was revoked.
    Revoked,
    /// No stored token has this secret.
    Unknown,
}

/// Checks `presented` against every stored token in constant time per
/// token (every hash is compared, whatever matched before).
pub fn check_token(presented: &str, tokens: &[TokenRecord]) -> TokenCheck {
    let hash = hash_token(presented);
    let mut found = TokenCheck::Unknown;
    for token in tokens {
        let equal: bool = hash.as_bytes().ct_eq(token.hash.as_bytes()).into();
        if equal {
            found = if token.revoked.is_some() {
                TokenCheck::Revoked
            } else {
                TokenCheck::Valid(token.id)
            };
        }
    }
    found
}

/// The bearer token of a request, if any.
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Middleware: writes (and reads unless [`AppState::open_reads`]) need a
/// valid bearer token.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let read = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if read && state.open_reads {
        return next.run(request).await;
    }
    let Some(token) = bearer(&request).map(str::to_string) else {
        return ApiError::Unauthorized.into_response();
    };
    let tokens = match state.db.read(|s| s.tokens()).await {
        Ok(tokens) => tokens,
        Err(err) => return err.into_response(),
    };
    match check_token(&token, &tokens) {
        TokenCheck::Valid(_) => next.run(request).await,
        TokenCheck::Revoked | TokenCheck::Unknown => ApiError::Forbidden.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn record(id: i64, secret: &str, revoked: bool) -> TokenRecord {
        TokenRecord {
            id,
            name: format!("t{id}"),
            hash: hash_token(secret),
            prefix: secret.chars().take(SHOWN_PREFIX).collect(),
            created: Utc::now(),
            revoked: revoked.then(Utc::now),
        }
    }

    #[test]
    fn tokens_are_checked_against_their_hash() -> Result<(), RandomError> {
        let a = generate_token()?;
        let b = generate_token()?;
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with(TOKEN_PREFIX));
        assert_eq!(a.secret.len(), TOKEN_PREFIX.len() + 43);
        let stored = [record(1, &a.secret, false), record(2, &b.secret, true)];
        assert_eq!(check_token(&a.secret, &stored), TokenCheck::Valid(1));
        assert_eq!(check_token(&b.secret, &stored), TokenCheck::Revoked);
        assert_eq!(check_token("vigil_nope", &stored), TokenCheck::Unknown);
        assert_eq!(check_token(&stored[0].hash, &stored), TokenCheck::Unknown);
        Ok(())
    }

    #[test]
    fn encodings() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(base64url(b"foob"), "Zm9vYg");
        assert_eq!(base64url(b"fo\xff"), "Zm__");
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
