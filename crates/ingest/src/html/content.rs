//! Main-text extraction: drop page chrome, score paragraph containers the
//! way Readability does, render the winner as paragraphs.
//!
//! Every pass is a loop over the flat pre-order tree (see `flat.rs`), so
//! arbitrarily deep markup cannot overflow the stack, and the work is linear
//! in the number of nodes (the ancestor walks are capped at five levels).

use super::flat::{Data, FlatNode, NO_PARENT};

/// Elements that never hold article text.
const HARD_DROP: &[&str] = &[
    "head",
    "title",
    "meta",
    "link",
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "svg",
    "math",
    "canvas",
    "button",
    "input",
    "select",
    "option",
    "textarea",
    "label",
    "nav",
    "header",
    "footer",
    "aside",
    "figure",
    "figcaption",
    "object",
    "embed",
    "video",
    "audio",
    "picture",
    "img",
    "map",
    "dialog",
    "menu",
    "datalist",
    "output",
    "progress",
    "meter",
    "source",
    "track",
];

/// Elements that start a new paragraph.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hgroup",
    "hr",
    "html",
    "li",
    "listing",
    "main",
    "ol",
    "p",
    "plaintext",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "caption",
    "ul",
    "xmp",
];

/// Substrings of class / id / aria-label values that mark page chrome.
const CHROME_SUBSTRINGS: &[&str] = &[
    "cookie",
    "consent",
    "gdpr",
    "newsletter",
    "breadcrumb",
    "sidebar",
    "advert",
    "recommend",
    "related",
    "promo",
    "banner",
    "navbar",
    "navigation",
    "comment",
    "footer",
    "social",
    "sharing",
    "share-",
    "-share",
    "share_",
    "_share",
    "sharebar",
    "sharetool",
    "sharebutton",
    "taboola",
    "outbrain",
    "popup",
    "modal",
    "masthead",
    "signup",
    "sign-up",
    "trending",
    "most-read",
    "mostread",
    "most-popular",
    "mostpopular",
    "read-more",
    "readmore",
    "more-stories",
    "morestories",
    "sponsor",
    "byline",
    "caption",
    "skip-link",
    "skiplink",
    "toolbar",
    "paywall-prompt",
    "author-bio",
    "disqus",
    "widget",
];

/// Whole tokens of class / id / aria-label values that mark page chrome.
const CHROME_TOKENS: &[&str] = &[
    "nav",
    "menu",
    "ad",
    "ads",
    "adv",
    "advertisement",
    "share",
    "shares",
    "tags",
    "tag",
    "header",
    "overlay",
    "login",
    "search",
    "rail",
    "meta",
    "dateline-meta",
    "credits",
    "copyright",
    "topics",
    "subscribe",
    "subscription",
    "signin",
];

/// ARIA roles of page chrome.
const CHROME_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
    "toolbar",
    "tablist",
    "alert",
];

/// Paragraphs that are chrome even inside the article body.
const JUNK_LINES: &[&str] = &[
    "advertisement",
    "ad",
    "story continues below advertisement",
    "article continues below advertisement",
    "continue reading",
    "continue reading below",
    "read more",
    "share this article",
    "share",
    "share this",
    "skip to main content",
    "skip to content",
    "scroll to continue",
];

const POSITIVE_CLASS: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "main", "page", "post", "text", "blog",
    "story", "liveblog",
];
const NEGATIVE_CLASS: &[&str] = &[
    "hidden",
    "banner",
    "combx",
    "comment",
    "contact",
    "foot",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
];

/// Text totals of a subtree, counting only nodes that are not dropped.
#[derive(Clone, Copy, Default)]
struct Totals {
    /// Characters, whitespace runs counted once.
    len: usize,
    /// Characters inside links.
    link: usize,
    /// Commas (ASCII, fullwidth, Arabic, ideographic).
    commas: usize,
}

fn measure(nodes: &[FlatNode<'_>], dropped: &[bool]) -> Vec<Totals> {
    let mut totals = vec![Totals::default(); nodes.len()];
    let mut link_until = 0usize;
    let mut i = 0;
    while i < nodes.len() {
        let node = &nodes[i];
        if dropped.get(i).copied().unwrap_or(false) {
            i = node.end.max(i + 1);
            continue;
        }
        match node.data {
            Data::Element(el) => {
                if el.name() == "a" {
                    link_until = link_until.max(node.end);
                }
            }
            Data::Text(text) => {
                let (len, commas) = text_stats(text);
                totals[i] = Totals {
                    len,
                    link: if i < link_until { len } else { 0 },
                    commas,
                };
            }
            Data::Other => {}
        }
        i += 1;
    }
    for i in (0..nodes.len()).rev() {
        let parent = nodes[i].parent;
        if parent != NO_PARENT && parent < i {
            let child = totals[i];
            let p = &mut totals[parent];
            p.len += child.len;
            p.link += child.link;
            p.commas += child.commas;
        }
    }
    totals
}

fn text_stats(text: &str) -> (usize, usize) {
    let mut len = 0;
    let mut commas = 0;
    let mut in_space = true;
    for ch in text.chars() {
        if ch.is_whitespace() {
            if !in_space {
                len += 1;
                in_space = true;
            }
        } else {
            len += 1;
            in_space = false;
            if matches!(ch, ',' | '，' | '،' | '、') {
                commas += 1;
            }
        }
    }
    (len, commas)
}

/// Lower-case class, id and aria-label of an element, space-joined.
fn descriptor(node: &FlatNode<'_>) -> String {
    let mut out = String::new();
    for attr in ["class", "id", "aria-label", "data-component", "data-testid"] {
        if let Some(value) = node.attr(attr) {
            out.push_str(&value.to_lowercase());
            out.push(' ');
        }
    }
    out
}

fn is_chrome(node: &FlatNode<'_>) -> bool {
    let Some(tag) = node.tag() else { return false };
    if tag == "form" {
        return true;
    }
    if node.attr("hidden").is_some()
        || node
            .attr("aria-hidden")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    if let Some(style) = node.attr("style") {
        let style: String = style
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    if let Some(role) = node.attr("role") {
        if role
            .split_whitespace()
            .any(|r| CHROME_ROLES.contains(&r.to_ascii_lowercase().as_str()))
        {
            return true;
        }
    }
    // "commentary" is an opinion article, not a comment thread.
    let desc = descriptor(node).replace("commentary", "");
    if desc.is_empty() {
        return false;
    }
    if CHROME_SUBSTRINGS.iter().any(|s| desc.contains(s)) {
        return true;
    }
    desc.split(|c: char| !c.is_alphanumeric())
        .any(|token| CHROME_TOKENS.contains(&token))
}

fn is_article_body(node: &FlatNode<'_>) -> bool {
    node.attr("itemprop").is_some_and(|p| {
        p.split_whitespace()
            .any(|p| p.eq_ignore_ascii_case("articleBody"))
    })
}

fn is_block(tag: &str) -> bool {
    BLOCK.contains(&tag)
}

/// Chooses and renders the main text of the page as paragraphs.
pub(crate) fn main_paragraphs(nodes: &[FlatNode<'_>]) -> Vec<String> {
    let n = nodes.len();
    let hard: Vec<bool> = nodes
        .iter()
        .map(|node| node.tag().is_some_and(|t| HARD_DROP.contains(&t)))
        .collect();
    let hard_totals = measure(nodes, &hard);
    let total_len = hard_totals.first().map_or(0, |t| t.len);

    // Does the subtree contain an itemprop=articleBody element?
    let mut holds_body = vec![false; n];
    for i in (0..n).rev() {
        if is_article_body(&nodes[i]) {
            holds_body[i] = true;
        }
        let parent = nodes[i].parent;
        if holds_body[i] && parent != NO_PARENT && parent < i {
            holds_body[parent] = true;
        }
    }

    // Soft drops: chrome by class, id, role or visibility, and link lists;
    // never the element holding most of the page's text or the article body.
    let mut dropped = hard.clone();
    for i in 0..n {
        if dropped[i] {
            continue;
        }
        let node = &nodes[i];
        let Some(tag) = node.tag() else { continue };
        if matches!(tag, "html" | "body") || holds_body[i] {
            continue;
        }
        let t = hard_totals[i];
        let dominant = t.len * 10 >= total_len * 6 && t.len > 0;
        // Link farms: menus, "Read more" lines, lists of headlines.
        let link_list = matches!(
            tag,
            "ul" | "ol" | "dl" | "table" | "td" | "th" | "div" | "section" | "p" | "li"
        ) && t.len > 0
            && t.link * 10 >= t.len * 6;
        if !dominant && (link_list || is_chrome(node)) {
            dropped[i] = true;
        }
    }
    let totals = measure(nodes, &dropped);

    let mut chosen = article_bodies(nodes, &dropped, &totals);
    if chosen.is_empty() {
        chosen = best_candidates(nodes, &dropped, &totals);
    }
    let mut paragraphs = Vec::new();
    for &index in &chosen {
        render(nodes, index, &dropped, &mut paragraphs);
    }
    if paragraphs.is_empty() {
        // Nothing survived the chrome filter: fall back to every text that is
        // not in a script, navigation bar or the like.
        render(nodes, 0, &hard, &mut paragraphs);
    }
    paragraphs
}

/// Non-nested, non-empty itemprop=articleBody elements in document order.
fn article_bodies(nodes: &[FlatNode<'_>], dropped: &[bool], totals: &[Totals]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut total = 0;
    while i < nodes.len() {
        if dropped[i] {
            i = nodes[i].end.max(i + 1);
            continue;
        }
        if is_article_body(&nodes[i]) && totals[i].len > 0 {
            out.push(i);
            total += totals[i].len;
            i = nodes[i].end.max(i + 1);
            continue;
        }
        i += 1;
    }
    if total < 100 {
        out.clear();
    }
    out
}

fn class_weight(node: &FlatNode<'_>) -> f64 {
    let mut weight = 0.0;
    for attr in ["class", "id"] {
        if let Some(value) = node.attr(attr) {
            let value = value.to_lowercase();
            if NEGATIVE_CLASS.iter().any(|s| value.contains(s)) {
                weight -= 25.0;
            }
            if POSITIVE_CLASS.iter().any(|s| value.contains(s)) {
                weight += 25.0;
            }
        }
    }
    weight
}

fn initial_score(node: &FlatNode<'_>) -> f64 {
    let tag_weight = match node.tag().unwrap_or("") {
        "article" => 10.0,
        "main" => 5.0,
        "div" => 5.0,
        "section" => 3.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    tag_weight + class_weight(node)
}

/// Readability-style scoring; returns the winning container and the
/// siblings that belong with it, in document order.
fn best_candidates(nodes: &[FlatNode<'_>], dropped: &[bool], totals: &[Totals]) -> Vec<usize> {
    let n = nodes.len();
    let mut has_block_child = vec![false; n];
    for node in nodes {
        let parent = node.parent;
        if parent != NO_PARENT && parent < n && node.tag().is_some_and(is_block) {
            has_block_child[parent] = true;
        }
    }
    let mut score: Vec<Option<f64>> = vec![None; n];
    let mut i = 0;
    while i < n {
        if dropped[i] {
            i = nodes[i].end.max(i + 1);
            continue;
        }
        let node = &nodes[i];
        let Some(tag) = node.tag() else {
            i += 1;
            continue;
        };
        let t = totals[i];
        let para_like = match tag {
            "p" | "pre" | "td" | "blockquote" => true,
            "li" => t.len >= 80,
            "div" | "section" | "span" | "font" | "center" => !has_block_child[i],
            _ => false,
        };
        if para_like && t.len >= 25 {
            let content = 1.0 + t.commas as f64 + (t.len as f64 / 100.0).min(3.0);
            let mut ancestor = node.parent;
            let mut level = 0usize;
            while ancestor != NO_PARENT && ancestor < n && level < 5 {
                if nodes[ancestor].tag().is_some() {
                    let divider = match level {
                        0 => 1.0,
                        1 => 2.0,
                        l => l as f64 * 3.0,
                    };
                    let entry =
                        score[ancestor].get_or_insert_with(|| initial_score(&nodes[ancestor]));
                    *entry += content / divider;
                }
                ancestor = nodes[ancestor].parent;
                level += 1;
            }
            // A text block is never itself a container; skip its inside.
            i = node.end.max(i + 1);
            continue;
        }
        i += 1;
    }
    let final_score = |i: usize| -> Option<f64> {
        let s = score[i]?;
        let t = totals[i];
        let density = if t.len == 0 {
            0.0
        } else {
            t.link as f64 / t.len as f64
        };
        Some(s * (1.0 - density))
    };
    let mut top: Option<(usize, f64)> = None;
    for i in 0..n {
        if let Some(s) = final_score(i) {
            if top.is_none_or(|(_, best)| s > best) {
                top = Some((i, s));
            }
        }
    }
    let Some((mut top, mut top_score)) = top else {
        return vec![0];
    };
    // Move up while an ancestor scores higher (several posts of a liveblog,
    // an article split into sections).
    let threshold = top_score / 3.0;
    let mut last = top_score;
    let mut parent = nodes[top].parent;
    while parent != NO_PARENT && !matches!(nodes[parent].tag(), Some("body") | Some("html") | None)
    {
        if let Some(ps) = final_score(parent) {
            if ps < threshold {
                break;
            }
            if ps > last {
                top = parent;
                top_score = ps;
                break;
            }
            last = ps;
        }
        parent = nodes[parent].parent;
    }
    // Siblings that look like part of the article.
    let parent = nodes[top].parent;
    if parent == NO_PARENT || parent >= n || nodes[parent].tag().is_none() {
        return vec![top];
    }
    let sibling_threshold = (top_score * 0.2).max(10.0);
    let mut chosen = Vec::new();
    let mut j = parent + 1;
    while j < nodes[parent].end {
        let next = nodes[j].end.max(j + 1);
        if j == top {
            chosen.push(j);
        } else if !dropped[j] && nodes[j].tag().is_some() {
            let t = totals[j];
            let density = if t.len == 0 {
                1.0
            } else {
                t.link as f64 / t.len as f64
            };
            let keep = final_score(j).is_some_and(|s| s >= sibling_threshold)
                || (nodes[j].tag() == Some("p") && t.len > 80 && density < 0.25);
            if keep {
                chosen.push(j);
            }
        }
        j = next;
    }
    chosen
}

/// Appends the paragraphs of the subtree at `start` to `out`.
fn render(nodes: &[FlatNode<'_>], start: usize, dropped: &[bool], out: &mut Vec<String>) {
    let Some(root) = nodes.get(start) else { return };
    let end = root.end.min(nodes.len());
    let mut buf = String::new();
    let mut open_blocks: Vec<usize> = Vec::new();
    let mut i = start;
    while i < end {
        while open_blocks.last().is_some_and(|&block_end| block_end <= i) {
            open_blocks.pop();
            flush(&mut buf, out);
        }
        let node = &nodes[i];
        if dropped.get(i).copied().unwrap_or(false) && i != start {
            i = node.end.max(i + 1);
            continue;
        }
        match node.data {
            Data::Element(el) => {
                let tag = el.name();
                if tag == "br" || tag == "hr" {
                    flush(&mut buf, out);
                } else if is_block(tag) {
                    flush(&mut buf, out);
                    open_blocks.push(node.end);
                } else if matches!(tag, "td" | "th") {
                    push_space(&mut buf);
                }
            }
            Data::Text(text) => push_collapsed(&mut buf, text),
            Data::Other => {}
        }
        i += 1;
    }
    flush(&mut buf, out);
}

fn push_space(buf: &mut String) {
    if !buf.is_empty() && !buf.ends_with(' ') {
        buf.push(' ');
    }
}

/// Appends text, collapsing runs of ASCII whitespace (as HTML renders it;
/// no-break and other Unicode spaces are kept for the cleaner).
fn push_collapsed(buf: &mut String, text: &str) {
    for ch in text.chars() {
        if ch.is_ascii_whitespace() {
            push_space(buf);
        } else {
            buf.push(ch);
        }
    }
}

fn flush(buf: &mut String, out: &mut Vec<String>) {
    let para = buf.trim_matches(|c: char| c.is_whitespace());
    if !para.is_empty() && !is_junk(para) {
        out.push(para.to_string());
    }
    buf.clear();
}

fn is_junk(para: &str) -> bool {
    if para.len() > 60 {
        return false;
    }
    let lower = para
        .trim_end_matches([':', '.', '…', '>', '»'])
        .trim()
        .to_lowercase();
    JUNK_LINES.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::super::flat::flatten;
    use super::*;

    fn chrome_flags(html: &str) -> Vec<(String, bool)> {
        let parsed = scraper::Html::parse_document(html);
        let nodes = flatten(&parsed);
        nodes
            .iter()
            .filter(|n| n.tag() == Some("div"))
            .map(|n| (n.attr("class").unwrap_or("").to_string(), is_chrome(n)))
            .collect()
    }

    #[test]
    fn chrome_classes() {
        let flags = chrome_flags(
            r#"<div class="commentary-body"></div><div class="subscriber-content"></div><div class="hidden-xs"></div>
               <div class="comments-list"></div><div class="newsletter-subscribe"></div><div class="c-share-tools"></div>
               <div class="article-body"></div><div class="main-nav"></div><div class="shadow"></div>"#,
        );
        let expected = [
            ("commentary-body", false),
            ("subscriber-content", false),
            ("hidden-xs", false),
            ("comments-list", true),
            ("newsletter-subscribe", true),
            ("c-share-tools", true),
            ("article-body", false),
            ("main-nav", true),
            ("shadow", false),
        ];
        let got: Vec<(&str, bool)> = flags.iter().map(|(c, f)| (c.as_str(), *f)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn junk_lines() {
        assert!(is_junk("Advertisement"));
        assert!(is_junk("Share this:"));
        assert!(!is_junk(
            "Advertisement revenue fell sharply, the company said."
        ));
    }
}
