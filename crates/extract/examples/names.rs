//! Prints every gazetteer name found in the text given as the first argument.
fn main() {
    let text = std::env::args().nth(1).unwrap_or_default();
    let res = match vigil_extract::Resources::embedded() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    for (s, e, spelling, targets) in res.find_names(&text) {
        println!(
            "{s}..{e} {:?} spelled {spelling:?} -> {targets:?}",
            &text[s..e]
        );
    }
}
