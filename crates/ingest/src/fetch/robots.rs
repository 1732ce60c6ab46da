//! `robots.txt` (RFC 9309): which paths of a site vigil may fetch, and the
//! site's `Crawl-delay`.
//!
//! The group for the product token `vigil` is used when there is one, else
//! the `*` group. Rules are `Allow`/`Disallow` path prefixes with `*`
//! (any run of characters) and a final `$` (end of path); the longest
//! matching rule wins and `Allow` wins a tie. No rule matching means
//! allowed.

use std::time::Duration;

/// The rules of one site for vigil.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Robots {
    /// `(allow, pattern)` pairs of the chosen group.
    rules: Vec<(bool, String)>,
    /// `Crawl-delay` of the chosen group.
    pub(crate) crawl_delay: Option<Duration>,
}

impl Robots {
    /// Rules that allow everything (no robots.txt, or a 4xx answer).
    pub(crate) fn allow_all() -> Robots {
        Robots::default()
    }

    /// Parses a robots.txt for the product token `agent` (lower case).
    pub(crate) fn parse(text: &str, agent: &str) -> Robots {
        // Groups: the user agents named, then their rules.
        let mut groups: Vec<(Vec<String>, Robots)> = Vec::new();
        let mut in_agents = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents || groups.is_empty() {
                        groups.push((Vec::new(), Robots::default()));
                    }
                    in_agents = true;
                    if let Some(group) = groups.last_mut() {
                        group.0.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(group) = groups.last_mut() {
                        // An empty Disallow allows everything: no rule.
                        if !value.is_empty() {
                            group.1.rules.push((key == "allow", value.to_string()));
                        }
                    }
                }
                "crawl-delay" => {
                    in_agents = false;
                    if let (Some(group), Ok(secs)) = (groups.last_mut(), value.parse::<f64>()) {
                        group.1.crawl_delay = Duration::try_from_secs_f64(secs).ok();
                    }
                }
                _ => {}
            }
        }
        let named = |wanted: &dyn Fn(&str) -> bool| {
            let mut merged: Option<Robots> = None;
            for (agents, robots) in &groups {
                if agents.iter().any(|a| wanted(a)) {
                    let into = merged.get_or_insert_with(Robots::default);
                    into.rules.extend(robots.rules.iter().cloned());
                    into.crawl_delay = into.crawl_delay.or(robots.crawl_delay);
                }
            }
            merged
        };
        named(&|a| a == agent)
            .or_else(|| named(&|a| a == "*"))
            .unwrap_or_default()
    }

    /// True when `path` (with its query) may be fetched.
    pub(crate) fn allows(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, path) {
                let better = match best {
                    None => true,
                    Some((len, was_allow)) => {
                        pattern.len() > len || (pattern.len() == len && *allow && !was_allow)
                    }
                };
                if better {
                    best = Some((pattern.len(), *allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Whether a robots.txt pattern matches the start of `path` (`*` any run
/// of characters, a final `$` the end). Iterative: no backtracking blow-up.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut at = 0usize;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            at = part.len();
            continue;
        }
        let last = i == parts.len() - 1;
        if last && anchored {
            // The last part must end the path, after `at`.
            return path.len() >= at + part.len() && path.ends_with(part);
        }
        match path.get(at..).and_then(|rest| rest.find(part)) {
            Some(found) => at += found + part.len(),
            None => return false,
        }
    }
    !anchored || at == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "\
# comment
User-agent: Googlebot
Disallow: /

User-agent: *
Disallow: /private/
Disallow: /*.pdf$
Allow: /private/press/
Crawl-delay: 5

User-agent: vigil
User-agent: other
Disallow: /search
Allow: /search/about
Crawl-delay: 2.5
";

    #[test]
    fn the_vigil_group_wins_over_the_star_group() {
        let robots = Robots::parse(TXT, "vigil");
        assert!(!robots.allows("/search?q=attack"));
        assert!(robots.allows("/search/about"));
        // The * group does not apply when a vigil group exists.
        assert!(robots.allows("/private/x"));
        assert_eq!(robots.crawl_delay, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn star_group_longest_match_and_wildcards() {
        let robots = Robots::parse(TXT, "someone-else");
        assert!(!robots.allows("/private/x"));
        assert!(robots.allows("/private/press/release"));
        assert!(!robots.allows("/files/report.pdf"));
        assert!(robots.allows("/files/report.pdf?download=1"));
        assert!(robots.allows("/news/1"));
        assert_eq!(robots.crawl_delay, Some(Duration::from_secs(5)));
        assert!(Robots::parse("", "vigil").allows("/anything"));
        assert!(Robots::parse("User-agent: *\nDisallow:\n", "vigil").allows("/x"));
        assert!(!Robots::parse("User-agent: *\nDisallow: /\n", "vigil").allows("/x"));
    }

    #[test]
    fn patterns() {
        assert!(matches("/a*b$", "/a/x/b"));
        assert!(!matches("/a*b$", "/a/x/bc"));
        assert!(matches("/a*b", "/a/x/bc"));
        assert!(matches("*", "/"));
        assert!(matches("/$", "/"));
        assert!(!matches("/$", "/a"));
        assert!(!matches("/b", "/a"));
        // Many stars on a long path stay linear.
        let path = "/".to_string() + &"a".repeat(10_000);
        assert!(!matches("/*a*a*a*a*a*b", &path));
    }
}
