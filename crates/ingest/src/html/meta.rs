//! Page metadata: title, publication time, site name, canonical URL, author.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::flat::{collapse_whitespace, subtree_text, Data, FlatNode};

/// Metadata read from `<head>`, JSON-LD and a few body elements.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub site: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    /// `articleBody` from JSON-LD, a fallback for pages rendered by scripts.
    pub ld_body: Option<String>,
    /// `description` / `og:description`, the last resort for the body.
    pub description: Option<String>,
}

/// Meta names and properties that carry the publication time, best first.
const DATE_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "article.published",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "citation_publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "date",
    "original-publish-date",
    "originalpublicationdate",
    "displaydate",
    "og:updated_time",
    "article:modified_time",
];

const AUTHOR_KEYS: &[&str] = &[
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "citation_author",
];

/// Article-like JSON-LD types, preferred over other typed objects.
const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "report",
    "opinionnewsarticle",
    "backgroundnewsarticle",
];

#[derive(Default)]
struct Collected {
    metas: Vec<(String, String)>,
    title_tag: Option<String>,
    h1: Option<String>,
    canonical: Option<String>,
    rel_author: Option<String>,
    time_datetime: Vec<String>,
    itemprop_date: Option<String>,
    ld: Vec<Value>,
}

/// Reads the metadata of a page.
pub(crate) fn read_meta(
    nodes: &[FlatNode<'_>],
    parse_time: fn(&str) -> Option<DateTime<FixedOffset>>,
) -> Meta {
    let c = collect(nodes);
    let meta_value = |keys: &[&str]| -> Vec<&str> {
        let mut found = Vec::new();
        for key in keys {
            for (k, v) in &c.metas {
                if k == key && !v.trim().is_empty() {
                    found.push(v.as_str());
                }
            }
        }
        found
    };
    let ld = JsonLd::from_values(&c.ld);

    let site = first_text(meta_value(&[
        "og:site_name",
        "application-name",
        "publisher",
        "dc.publisher",
    ]))
    .or_else(|| ld.publisher.clone());

    let title = first_text(meta_value(&[
        "og:title",
        "twitter:title",
        "title",
        "dc.title",
        "headline",
        "sailthru.title",
    ]))
    .or_else(|| ld.headline.clone())
    .map(|t| strip_site_suffix(&t, site.as_deref()))
    .or_else(|| {
        c.title_tag
            .as_deref()
            .map(|t| strip_site_suffix(t, site.as_deref()))
            .filter(|t| !t.is_empty())
    })
    .or_else(|| c.h1.clone());
    let site = site.or_else(|| c.title_tag.as_deref().and_then(title_suffix));

    let mut published = None;
    for raw in meta_value(DATE_KEYS)
        .into_iter()
        .chain(c.itemprop_date.as_deref())
        .chain(ld.date_published.as_deref())
        .chain(c.time_datetime.iter().map(String::as_str))
    {
        if let Some(time) = parse_time(raw) {
            published = Some(time);
            break;
        }
    }

    let canonical = c.canonical.clone().filter(|u| !u.trim().is_empty());
    let og_url = first_text(meta_value(&["og:url", "twitter:url"]));
    let urls: Vec<String> = [canonical, og_url, ld.url.clone()]
        .into_iter()
        .flatten()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .collect();
    // The first absolute URL, else the first relative one.
    let url = urls
        .iter()
        .find(|u| is_absolute(u))
        .or_else(|| urls.first())
        .cloned();

    let author = meta_value(AUTHOR_KEYS)
        .into_iter()
        .map(clean_author)
        .find(|a| !a.is_empty() && !is_absolute(a))
        .or_else(|| ld.author.clone())
        .or_else(|| {
            c.rel_author
                .as_deref()
                .map(clean_author)
                .filter(|a| !a.is_empty())
        });

    let description = first_text(meta_value(&[
        "og:description",
        "description",
        "twitter:description",
    ]));

    Meta {
        title,
        published,
        site,
        url,
        author,
        ld_body: ld.body,
        description,
    }
}

fn collect(nodes: &[FlatNode<'_>]) -> Collected {
    let mut c = Collected::default();
    for (index, node) in nodes.iter().enumerate() {
        let Data::Element(el) = node.data else {
            continue;
        };
        match el.name() {
            "meta" => {
                let key = el
                    .attr("property")
                    .or_else(|| el.attr("name"))
                    .or_else(|| el.attr("itemprop"));
                let value = el.attr("content").or_else(|| el.attr("datetime"));
                if let (Some(key), Some(value)) = (key, value) {
                    if c.metas.len() < 1000 {
                        c.metas
                            .push((key.trim().to_ascii_lowercase(), value.to_string()));
                    }
                }
            }
            "title" if c.title_tag.is_none() => {
                let text = subtree_text(nodes, index);
                if !text.is_empty() {
                    c.title_tag = Some(text);
                }
            }
            "h1" if c.h1.is_none() => {
                let text = subtree_text(nodes, index);
                if !text.is_empty() {
                    c.h1 = Some(text);
                }
            }
            "link" => {
                let rel = el.attr("rel").unwrap_or("").to_ascii_lowercase();
                if rel.split_whitespace().any(|r| r == "canonical") && c.canonical.is_none() {
                    c.canonical = el.attr("href").map(str::to_string);
                }
            }
            "script" => {
                let is_ld = el
                    .attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
                if is_ld && c.ld.len() < 50 {
                    let text = raw_text(nodes, index);
                    if let Ok(value) = serde_json::from_str::<Value>(text.trim()) {
                        c.ld.push(value);
                    }
                }
            }
            "time" => {
                if let Some(dt) = el.attr("datetime") {
                    if c.time_datetime.len() < 20 {
                        // A `pubdate` marker or an itemprop makes it the best <time>.
                        if el.attr("pubdate").is_some()
                            || el
                                .attr("itemprop")
                                .is_some_and(|p| p.contains("datePublished"))
                        {
                            c.time_datetime.insert(0, dt.to_string());
                        } else {
                            c.time_datetime.push(dt.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
        if c.itemprop_date.is_none()
            && el
                .attr("itemprop")
                .is_some_and(|p| p.split_whitespace().any(|p| p == "datePublished"))
        {
            c.itemprop_date = el
                .attr("content")
                .or_else(|| el.attr("datetime"))
                .map(str::to_string)
                .or_else(|| Some(subtree_text(nodes, index)).filter(|t| !t.is_empty()));
        }
        if c.rel_author.is_none()
            && el.name() == "a"
            && el.attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("author"))
            })
        {
            let text = subtree_text(nodes, index);
            if !text.is_empty() {
                c.rel_author = Some(text);
            }
        }
    }
    c
}

/// The text children of a node, concatenated as is (for scripts).
fn raw_text(nodes: &[FlatNode<'_>], index: usize) -> String {
    let end = nodes.get(index).map_or(index, |n| n.end);
    let mut out = String::new();
    for node in nodes.get(index..end).unwrap_or(&[]) {
        if let Data::Text(text) = node.data {
            out.push_str(text);
        }
    }
    out
}

fn first_text(values: Vec<&str>) -> Option<String> {
    values
        .into_iter()
        .map(collapse_whitespace)
        .find(|v| !v.is_empty())
}

fn is_absolute(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

const SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " « ", " » ",
];

/// Removes a " | Site" / " - Site" suffix (or "Site | " prefix) from a title.
/// The part removed must be the site name, or short (at most four words)
/// while the rest is longer.
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    let title = collapse_whitespace(title);
    let site_lower = site.map(str::to_lowercase);
    for sep in SEPARATORS {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            let tail_is_site = site_lower
                .as_deref()
                .is_some_and(|s| tail.trim().to_lowercase() == s);
            if tail_is_site
                || (word_count(tail) <= 4
                    && word_count(head) > word_count(tail)
                    && word_count(head) >= 3)
            {
                return head.trim().to_string();
            }
        }
        if let Some((head, tail)) = title.split_once(sep) {
            if site_lower
                .as_deref()
                .is_some_and(|s| head.trim().to_lowercase() == s)
            {
                return tail.trim().to_string();
            }
        }
    }
    title
}

/// The probable site name at the end of a `<title>` ("… | Reuters").
fn title_suffix(title: &str) -> Option<String> {
    let title = collapse_whitespace(title);
    for sep in SEPARATORS {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if word_count(tail) <= 4 && word_count(head) >= 3 && !tail.trim().is_empty() {
                return Some(tail.trim().to_string());
            }
        }
    }
    None
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// "By Jane Doe and John Roe" → "Jane Doe and John Roe".
fn clean_author(raw: &str) -> String {
    let text = collapse_whitespace(raw);
    let lower = text.to_lowercase();
    if lower.starts_with("by ") {
        return text.get(3..).unwrap_or("").trim().to_string();
    }
    text
}

/// The fields vigil takes from JSON-LD.
#[derive(Default)]
struct JsonLd {
    headline: Option<String>,
    date_published: Option<String>,
    publisher: Option<String>,
    author: Option<String>,
    url: Option<String>,
    body: Option<String>,
}

impl JsonLd {
    /// Finds the best typed object (an article type if any) in the JSON-LD
    /// scripts, following `@graph` arrays and nested lists, without
    /// recursion and with a bound on the number of values visited.
    fn from_values(values: &[Value]) -> JsonLd {
        let mut objects: Vec<&serde_json::Map<String, Value>> = Vec::new();
        let mut stack: Vec<&Value> = values.iter().rev().collect();
        let mut visited = 0usize;
        while let Some(value) = stack.pop() {
            visited += 1;
            if visited > 10_000 {
                break;
            }
            match value {
                Value::Array(items) => stack.extend(items.iter().rev()),
                Value::Object(map) => {
                    if map.contains_key("@type") {
                        objects.push(map);
                    }
                    if let Some(graph) = map.get("@graph") {
                        stack.push(graph);
                    }
                }
                _ => {}
            }
        }
        let is_article = |map: &serde_json::Map<String, Value>| -> bool {
            let types: Vec<String> = match map.get("@type") {
                Some(Value::String(t)) => vec![t.to_ascii_lowercase()],
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect(),
                _ => Vec::new(),
            };
            types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str()))
        };
        let mut ld = JsonLd::default();
        let ordered = objects
            .iter()
            .filter(|m| is_article(m))
            .chain(objects.iter().filter(|m| !is_article(m)));
        for map in ordered {
            let article = is_article(map);
            if ld.headline.is_none() && article {
                ld.headline = string_of(map.get("headline")).or_else(|| string_of(map.get("name")));
            }
            if ld.date_published.is_none() {
                ld.date_published = string_of(map.get("datePublished"))
                    .or_else(|| string_of(map.get("dateCreated")));
            }
            if ld.publisher.is_none() {
                ld.publisher = map.get("publisher").and_then(name_of);
            }
            if ld.author.is_none() && article {
                ld.author = map.get("author").and_then(names_of);
            }
            if ld.url.is_none() && article {
                ld.url = string_of(map.get("url")).or_else(|| {
                    map.get("mainEntityOfPage").and_then(|m| match m {
                        Value::String(s) => Some(s.clone()),
                        Value::Object(o) => {
                            string_of(o.get("@id")).or_else(|| string_of(o.get("url")))
                        }
                        _ => None,
                    })
                });
            }
            if ld.body.is_none() && article {
                ld.body = string_of(map.get("articleBody"));
            }
        }
        ld
    }
}

fn string_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(collapse_whitespace(s)).filter(|s| !s.is_empty()),
        Value::Array(items) => items.iter().find_map(|v| string_of(Some(v))),
        _ => None,
    }
}

/// `"Reuters"` or `{"name": "Reuters"}` (first of a list).
fn name_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(collapse_whitespace(s)).filter(|s| !s.is_empty()),
        Value::Object(map) => string_of(map.get("name")),
        Value::Array(items) => items.iter().find_map(name_of),
        _ => None,
    }
}

/// Authors as "A, B": strings, `{"name": …}` objects or lists of them.
fn names_of(value: &Value) -> Option<String> {
    let names: Vec<String> = match value {
        Value::Array(items) => items.iter().take(20).filter_map(name_of).collect(),
        other => name_of(other).into_iter().collect(),
    };
    let names: Vec<String> = names.into_iter().filter(|n| !is_absolute(n)).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_suffixes() {
        assert_eq!(
            strip_site_suffix("Bomb kills five in Kabul | Reuters", None),
            "Bomb kills five in Kabul"
        );
        assert_eq!(
            strip_site_suffix(
                "Bomb kills five in Kabul - The Daily Planet",
                Some("The Daily Planet")
            ),
            "Bomb kills five in Kabul"
        );
        assert_eq!(
            strip_site_suffix(
                "Shafaq News | Bomb kills five in Kabul",
                Some("Shafaq News")
            ),
            "Bomb kills five in Kabul"
        );
        // A dash inside the headline is not a site suffix.
        assert_eq!(
            strip_site_suffix("Gunmen attack convoy - police say three dead in raid", None),
            "Gunmen attack convoy - police say three dead in raid"
        );
        assert_eq!(
            title_suffix("Bomb kills five in Kabul | Reuters").as_deref(),
            Some("Reuters")
        );
    }

    #[test]
    fn authors() {
        assert_eq!(clean_author("  By   Jane Doe "), "Jane Doe");
        let value: Value = serde_json::json!([{"@type": "Person", "name": "Jane Doe"}, "John Roe", {"name": "https://x.org/a"}]);
        assert_eq!(names_of(&value).as_deref(), Some("Jane Doe, John Roe"));
    }
}
