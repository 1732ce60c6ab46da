//! `vigil bench --http URL`: load a running `vigil serve` over HTTP and
//! report latency percentiles and request rates per endpoint (the load
//! generator is [`vigil_server::load`]; see docs/api.md, section "Load").

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use vigil_server::load::{self, Endpoint, EndpointReport, Options};

/// The flags of `vigil bench --http`.
#[derive(clap::Args, Debug, Clone)]
pub struct HttpArgs {
    /// Load the vigil server at URL (`http://127.0.0.1:8080`) with
    /// --connections keep-alive connections in a closed loop, one endpoint
    /// after another: feed (GET /api/v1/incidents), feed_page (GET /),
    /// incident (GET /api/v1/incidents/{id}, random ids), search (GET
    /// /api/v1/incidents?q=…, a mix of queries), board (GET /threats).
    #[arg(long, value_name = "URL")]
    pub http: Option<String>,
    /// With --http: concurrent connections.
    #[arg(long, value_name = "N", default_value_t = 50, requires = "http")]
    pub connections: usize,
    /// With --http: measured time per endpoint (`30s`, `2m`, `500ms`).
    #[arg(long, value_name = "TIME", default_value = "30s", requires = "http")]
    pub duration: String,
    /// With --http: unmeasured warm-up per endpoint.
    #[arg(long, value_name = "TIME", default_value = "3s", requires = "http")]
    pub warmup: String,
    /// With --http: the endpoints, comma-separated (default: feed,
    /// feed_page, incident, search).
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "http")]
    pub endpoints: Vec<String>,
    /// With --http: a request failing to answer within this time counts
    /// as an error.
    #[arg(long, value_name = "TIME", default_value = "30s", requires = "http")]
    pub timeout: String,
}

/// Parses `30s`, `2m`, `500ms` or a plain number of seconds.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .with_context(|| format!("{text:?} is not a duration: write 30s, 2m or 500ms"))?;
    anyhow::ensure!(
        value.is_finite() && value >= 0.0,
        "{text:?} is not a duration: write 30s, 2m or 500ms"
    );
    Ok(Duration::from_secs_f64(value * scale))
}

fn options(url: &str, args: &HttpArgs) -> anyhow::Result<Options> {
    let url = url.trim().trim_end_matches('/');
    anyhow::ensure!(
        url.starts_with("http://"),
        "--http {url:?}: give the server's address as http://HOST:PORT"
    );
    anyhow::ensure!(args.connections >= 1, "--connections must be at least 1");
    let endpoints = if args.endpoints.is_empty() {
        Endpoint::DEFAULT.to_vec()
    } else {
        args.endpoints
            .iter()
            .map(|name| {
                Endpoint::parse(name).with_context(|| {
                    let known: Vec<&str> = Endpoint::ALL.iter().map(|e| e.as_str()).collect();
                    format!(
                        "--endpoints: unknown endpoint {name:?}; use {}",
                        known.join(", ")
                    )
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    Ok(Options {
        base: url.to_string(),
        connections: args.connections,
        duration: parse_duration(&args.duration)?,
        warmup: parse_duration(&args.warmup)?,
        endpoints,
        timeout: parse_duration(&args.timeout)?,
        ..Options::default()
    })
}

fn line(r: &EndpointReport) -> String {
    format!(
        "{:<10} {:>9.0} req/s  p50 {:>7.1} ms  p90 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms  {:>7} ok  {:>5} errors  load {}",
        r.endpoint.as_str(),
        r.requests_per_second,
        r.p50_ms,
        r.p90_ms,
        r.p99_ms,
        r.max_ms,
        r.requests,
        r.errors,
        r.load_average
            .map_or_else(|| "?".to_string(), |l| format!("{l:.2}"))
    )
}

/// Runs the load and prints the figures (a table, or JSON with `json`).
/// Fails (exit status 1) when a request failed.
pub fn run(url: &str, args: &HttpArgs, json: bool) -> anyhow::Result<ExitCode> {
    let opts = options(url, args)?;
    eprintln!(
        "vigil bench: loading {} with {} connections, {:.0} s per endpoint after {:.0} s of warm-up",
        opts.base,
        opts.connections,
        opts.duration.as_secs_f64(),
        opts.warmup.as_secs_f64()
    );
    let report = load::run(&opts, &mut |r| {
        if !json {
            println!("{}", line(r));
        }
    })
    .with_context(|| format!("loading {}", opts.base))?;
    let errors: u64 = report.endpoints.iter().map(|e| e.errors).sum();
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} incidents in the store; {} incident ids and {} queries drawn from; load average {} at the start, {} at the end",
            report.incidents,
            report.ids,
            report.queries,
            report
                .load_average_start
                .map_or_else(|| "?".into(), |l| format!("{:.2} {:.2} {:.2}", l[0], l[1], l[2])),
            report
                .load_average_end
                .map_or_else(|| "?".into(), |l| format!("{:.2} {:.2} {:.2}", l[0], l[1], l[2]))
        );
    }
    for e in report.endpoints.iter().filter(|e| e.errors > 0) {
        eprintln!(
            "vigil bench: {}: {} failed requests; the first: {}",
            e.endpoint.as_str(),
            e.errors,
            e.first_error.as_deref().unwrap_or("?")
        );
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() -> anyhow::Result<()> {
        assert_eq!(parse_duration("30s")?, Duration::from_secs(30));
        assert_eq!(parse_duration("2m")?, Duration::from_secs(120));
        assert_eq!(parse_duration("500ms")?, Duration::from_millis(500));
        assert_eq!(parse_duration("1.5")?, Duration::from_millis(1500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
        Ok(())
    }
}
