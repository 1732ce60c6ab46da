//! vigil's HTTP server: a versioned JSON API (`/api/v1/…`, described by an
//! OpenAPI document at `/api/v1/openapi.json`), the analyst's dashboard
//! (server-rendered HTML), watchlists with exactly-once alerts (webhooks,
//! a Server-Sent Events stream, the log) and API tokens for every write.
//!
//! [`router`] builds the routes over an [`AppState`]; [`Server::bind`]
//! checks the security policy (no open non-loopback address without tokens)
//! and binds; [`Server::run`] serves until shutdown.

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;

pub mod alerts;
pub mod api;
pub mod auth;
pub mod error;
pub mod html;
pub mod load;
pub mod query;
pub mod state;
pub mod ui;

pub use alerts::AlertConfig;
pub use error::{ApiError, ApiResult};
pub use state::{AlertEvent, AppState, Db, DynStore, LiveEvent, Memo, Rendered};

/// Default address: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Largest request body accepted, in bytes.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Serve on a non-loopback address even when no API token exists
    /// (`--allow-open`).
    pub allow_open: bool,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Reads need a token too (`--private`).
    pub private_reads: bool,
    /// Alert matching and webhook delivery.
    pub alerts: AlertConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            allow_open: false,
            body_limit: DEFAULT_BODY_LIMIT,
            private_reads: false,
            alerts: AlertConfig::default(),
        }
    }
}

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{addr}: cannot listen: {source}; is another server using the port? choose another with --addr")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{addr} is not a loopback address and no API token exists: anyone on the network could write; create a token with `vigil token create` or pass --allow-open")]
    OpenNetwork { addr: SocketAddr },
    #[error("serving failed: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Store(String),
}

/// The whole application: API, dashboard, the token guard, security
/// headers and the body limit.
pub fn router(mut state: AppState, config: &Config) -> Router {
    state.open_reads = !config.private_reads;
    Router::new()
        .nest("/api/v1", api::routes())
        .merge(ui::routes())
        .fallback(api::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), auth::guard))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(middleware::from_fn_with_state(
            config.body_limit,
            announced_length,
        ))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Refuses at once (413) a request announcing a body larger than the
/// limit, before reading it; bodies without a length are cut by
/// [`DefaultBodyLimit`] as they are read.
async fn announced_length(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        let mut response = axum::response::IntoResponse::into_response(ApiError::PayloadTooLarge);
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

/// Headers on every response: no MIME sniffing, no framing, no referrer
/// leaks, and a content security policy allowing only same-origin scripts,
/// styles and images (no inline script: put JavaScript in served files).
/// No CORS header is ever sent, so other origins cannot read responses.
async fn security_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
             form-action 'self'",
        ),
    );
    response
}

/// A bound server, ready to run.
pub struct Server {
    listener: tokio::net::TcpListener,
    app: Router,
    state: AppState,
    alerts: AlertConfig,
}

impl Server {
    /// Checks the security policy and binds `config.addr`: a non-loopback
    /// address needs at least one active API token, or `allow_open`.
    pub async fn bind(config: &Config, state: AppState) -> Result<Server, ServerError> {
        if !config.addr.ip().is_loopback() && !config.allow_open {
            let tokens = state
                .db
                .read(|s| s.tokens())
                .await
                .map_err(|e| ServerError::Store(e.to_string()))?;
            if !tokens.iter().any(|t| t.revoked.is_none()) {
                return Err(ServerError::OpenNetwork { addr: config.addr });
            }
        }
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: config.addr,
                source,
            })?;
        Ok(Server {
            listener,
            app: router(state.clone(), config),
            state,
            alerts: config.alerts.clone(),
        })
    }

    /// The address actually bound (port 0 picks a free port).
    pub fn local_addr(&self) -> Result<SocketAddr, ServerError> {
        self.listener.local_addr().map_err(ServerError::Serve)
    }

    /// Serves, matching watchlists and delivering alerts, until `shutdown`
    /// completes; then ends the event streams, finishes open requests and
    /// stops the alert loops.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let loops = alerts::spawn(&self.state, &self.alerts);
        let stop = std::sync::Arc::clone(&self.state.stop);
        let shutdown = async move {
            shutdown.await;
            // Ends the open event streams, so that shutdown is not held up.
            stop.send_replace(true);
        };
        let result = axum::serve(self.listener, self.app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServerError::Serve);
        for task in loops {
            task.abort();
        }
        result
    }
}

/// Binds and serves until Ctrl-C (SIGINT) or SIGTERM.
pub async fn serve(config: Config, state: AppState) -> Result<(), ServerError> {
    let server = Server::bind(&config, state).await?;
    tracing::info!("vigil serving on http://{}", server.local_addr()?);
    server.run(shutdown_signal()).await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Runs [`serve`] on a new multi-threaded runtime, blocking until the
/// server stops (Ctrl-C or SIGTERM): for callers without a runtime (the
/// CLI).
pub fn serve_blocking(config: Config, state: AppState) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Serve)?;
    // The stores are dropped here, on this thread, after the runtime: a
    // PostgreSQL client blocks on its own runtime when dropped, which
    // panics (and aborts the process) on a tokio worker thread.
    let keep = state.clone();
    let served = runtime.block_on(serve(config, state));
    drop(runtime);
    drop(keep);
    served
}
