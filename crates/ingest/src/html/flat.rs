//! A flat, pre-order copy of the parsed tree.
//!
//! Every walk in the extractor runs over this vector, so none of them
//! recurses: a subtree is the contiguous index range `i..nodes[i].end`, and
//! the parent of a node always has a smaller index.

use scraper::node::Element;
use scraper::{Html, Node};

/// Marks a node without a parent (the document root).
pub(crate) const NO_PARENT: usize = usize::MAX;

/// What a flat node holds.
pub(crate) enum Data<'a> {
    /// An element with its lower-case local name.
    Element(&'a Element),
    /// A text node.
    Text(&'a str),
    /// The document, comments, doctypes, processing instructions.
    Other,
}

/// One node of the flat tree.
pub(crate) struct FlatNode<'a> {
    /// Index of the parent, or [`NO_PARENT`].
    pub parent: usize,
    /// One past the index of the last node of this node's subtree.
    pub end: usize,
    /// The node's content.
    pub data: Data<'a>,
}

impl<'a> FlatNode<'a> {
    /// The element's local name, if this is an element.
    pub fn tag(&self) -> Option<&'a str> {
        match self.data {
            Data::Element(el) => Some(el.name()),
            _ => None,
        }
    }

    /// An attribute of the element, if this is an element that has it.
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        match self.data {
            Data::Element(el) => el.attr(name),
            _ => None,
        }
    }
}

/// Flattens the document iteratively (ego-tree's `traverse` is an iterator,
/// not a recursion).
pub(crate) fn flatten(html: &Html) -> Vec<FlatNode<'_>> {
    let mut nodes: Vec<FlatNode<'_>> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for edge in html.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => {
                let data = match node.value() {
                    Node::Element(el) => Data::Element(el),
                    Node::Text(text) => Data::Text(&text.text),
                    _ => Data::Other,
                };
                let parent = stack.last().copied().unwrap_or(NO_PARENT);
                stack.push(nodes.len());
                nodes.push(FlatNode {
                    parent,
                    end: 0,
                    data,
                });
            }
            ego_tree::iter::Edge::Close(_) => {
                if let Some(index) = stack.pop() {
                    let end = nodes.len();
                    if let Some(node) = nodes.get_mut(index) {
                        node.end = end;
                    }
                }
            }
        }
    }
    nodes
}

/// The concatenated text of the subtree at `index`, whitespace collapsed.
pub(crate) fn subtree_text(nodes: &[FlatNode<'_>], index: usize) -> String {
    let Some(node) = nodes.get(index) else {
        return String::new();
    };
    let mut out = String::new();
    for n in nodes.get(index..node.end).unwrap_or(&[]) {
        if let Data::Text(text) = n.data {
            out.push_str(text);
        }
    }
    collapse_whitespace(&out)
}

/// Collapses runs of whitespace into one space and trims the ends.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
