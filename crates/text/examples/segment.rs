//! Prints the sentences of a file after cleaning:
//! `cargo run -p vigil-text --example segment -- FILE`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: segment FILE");
        std::process::exit(2);
    };
    let raw = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let cleaned = vigil_text::clean(&raw, &vigil_text::CleanOptions::default());
    println!("language: {}", vigil_text::detect_language(&cleaned.text));
    println!(
        "title: {:?}\ntimestamp: {:?}",
        cleaned.title, cleaned.timestamp
    );
    for s in vigil_text::sentences(&cleaned.text) {
        println!("[{}]", &cleaned.text[s.start..s.end].replace('\n', "⏎"));
    }
}
