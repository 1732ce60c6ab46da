//! Measures how long parsing the embedded gazetteer takes:
//! `cargo run --release -p vigil-geo --example load_time`.

use std::time::Instant;

fn main() -> Result<(), vigil_geo::GeoError> {
    let mut best = f64::MAX;
    let mut gaz = None;
    for _ in 0..20 {
        let t = Instant::now();
        let g = vigil_geo::Gazetteer::embedded()?;
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        gaz = Some(g);
    }
    if let Some(g) = gaz {
        let names: Vec<String> = g.names().map(|(n, _)| n.to_string()).collect();
        let t = Instant::now();
        let keys: usize = names.iter().map(|n| vigil_geo::fold(n).len()).sum();
        println!(
            "folding {} names: {:.1} ms ({keys} bytes)",
            names.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
        println!(
            "places: {}, countries: {}, names: {}",
            g.places().len(),
            g.countries().len(),
            g.names().count()
        );
    }
    println!("Gazetteer::embedded(): best of 20 = {best:.1} ms");
    Ok(())
}
