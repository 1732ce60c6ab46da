//! Times the start-up stages of the pipeline: gazetteer, knowledge base,
//! lexicons, name matcher. `cargo run --release -p vigil-extract --example startup`
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let geo = match vigil_geo::Gazetteer::embedded() {
        Ok(g) => g,
        Err(e) => return eprintln!("{e}"),
    };
    let t_geo = t.elapsed();
    let t = Instant::now();
    let kb = match vigil_extract::kb::Kb::embedded() {
        Ok(k) => k,
        Err(e) => return eprintln!("{e}"),
    };
    let t_kb = t.elapsed();
    let t = Instant::now();
    let lexicon = match vigil_extract::lexicon::Lexicon::embedded() {
        Ok(l) => l,
        Err(e) => return eprintln!("{e}"),
    };
    let t_lex = t.elapsed();
    let t = Instant::now();
    let names = geo.names().count();
    let res = vigil_extract::Resources::new(geo, kb, lexicon);
    let t_res = t.elapsed();
    println!(
        "gazetteer {t_geo:?}, kb {t_kb:?}, lexicons {t_lex:?}, matcher over {names} place names {t_res:?}, ok={}",
        res.is_ok()
    );
}
