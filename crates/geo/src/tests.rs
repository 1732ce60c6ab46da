use std::sync::OnceLock;

use super::*;

fn gaz() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| match Gazetteer::embedded() {
        Ok(g) => g,
        Err(e) => panic!("embedded gazetteer does not load: {e}"),
    })
}

fn resolve(name: &str, ctx: &[&str]) -> &'static Place {
    let g = gaz();
    match g.resolve(name, ctx) {
        Some(id) => g.place(id),
        None => panic!("{name} does not resolve"),
    }
}

#[test]
fn ids_are_indices_and_kinds_are_grouped() {
    let g = gaz();
    assert!(g.countries().len() >= 245);
    assert!(g.places().len() > 30_000);
    for (i, p) in g.places().iter().enumerate() {
        assert_eq!(p.id as usize, i);
        assert!(!p.name.is_empty());
        assert!(
            !p.aliases.contains(&p.name),
            "{} lists itself as alias",
            p.name
        );
    }
    let kinds: Vec<PlaceKind> = g.places().iter().map(|p| p.kind).collect();
    let first_region = kinds
        .iter()
        .position(|&k| k == PlaceKind::Region)
        .unwrap_or(0);
    let first_city = kinds
        .iter()
        .position(|&k| k == PlaceKind::City)
        .unwrap_or(0);
    assert!(kinds[..first_region]
        .iter()
        .all(|&k| k == PlaceKind::Country));
    assert!(kinds[first_region..first_city]
        .iter()
        .all(|&k| k == PlaceKind::Region));
    assert!(kinds[first_city..].iter().all(|&k| k == PlaceKind::City));
}

#[test]
fn cologne_and_koln_are_one_place() {
    let g = gaz();
    let a = resolve("Cologne", &[]);
    let b = resolve("Köln", &[]);
    let c = resolve("KOELN", &[]);
    assert_eq!(a.id, b.id);
    assert_eq!(a.id, c.id);
    assert_eq!(a.kind, PlaceKind::City);
    assert_eq!(a.country, "DE");
    assert_eq!(a.geonames_id, Some(2_886_242));
    assert_eq!(a.key, "geonames:2886242");
    assert_eq!(a.admin1.as_deref(), Some("North Rhine-Westphalia"));
    let geo = g.geo(a.id);
    assert!((geo.lat - 50.93).abs() < 0.1 && (geo.lon - 6.95).abs() < 0.1);
    // The analysis tells where the city lies, for maps and filters.
    assert_eq!(geo.admin1.as_deref(), Some("North Rhine-Westphalia"));
}

#[test]
fn paris_is_in_france_even_with_us_context() {
    assert_eq!(resolve("Paris", &[]).country, "FR");
    assert_eq!(resolve("Paris", &["US"]).country, "FR");
    // Lookup still knows the Texan one.
    let g = gaz();
    assert!(g
        .lookup("paris")
        .iter()
        .any(|&id| g.place(id).country == "US"));
}

#[test]
fn context_prefers_regions_and_big_cities_of_mentioned_countries() {
    assert_eq!(resolve("Georgia", &[]).kind, PlaceKind::Country);
    let ga = resolve("Georgia", &["US"]);
    assert_eq!((ga.kind, ga.country.as_str()), (PlaceKind::Region, "US"));
    assert_eq!(resolve("Birmingham", &[]).country, "GB");
    assert_eq!(resolve("Birmingham", &["US"]).country, "US");
    assert_eq!(resolve("Moscow", &["US"]).country, "RU");
}

#[test]
fn well_known_cities() {
    for (name, cc) in [
        ("Istanbul", "TR"),
        ("Moscow", "RU"),
        ("Kyiv", "UA"),
        ("Kiev", "UA"),
        ("Mecca", "SA"),
        ("Munich", "DE"),
        ("München", "DE"),
        ("Mosul", "IQ"),
        ("San Salvador", "SV"),
        ("Crocus", ""),
    ] {
        if cc.is_empty() {
            assert!(gaz().lookup(name).is_empty(), "{name}");
            continue;
        }
        let p = resolve(name, &[]);
        assert_eq!(p.country, cc, "{name}");
        assert_eq!(p.kind, PlaceKind::City, "{name}");
    }
}

#[test]
fn city_beats_its_same_named_province() {
    let kabul = resolve("Kabul", &[]);
    assert_eq!(
        (kabul.kind, kabul.country.as_str()),
        (PlaceKind::City, "AF")
    );
    let g = gaz();
    let ids = g.lookup("Kabul");
    assert!(
        ids.iter().any(|&id| g.place(id).kind == PlaceKind::Region),
        "the province is still a candidate"
    );
}

#[test]
fn regions() {
    let nrw = resolve("North Rhine-Westphalia", &[]);
    assert_eq!((nrw.kind, nrw.country.as_str()), (PlaceKind::Region, "DE"));
    assert_eq!(resolve("NRW", &[]).id, nrw.id);
    assert_eq!(resolve("Nordrhein-Westfalen", &[]).id, nrw.id);
    let k = resolve("Khorasan", &[]);
    assert_eq!(k.kind, PlaceKind::Region);
    assert_eq!(k.key, "region:khorasan");
    assert!(k.countries.iter().any(|c| c == "AF"));
    let eu = resolve("Europe", &[]);
    assert_eq!((eu.kind, eu.country.as_str()), (PlaceKind::Region, ""));
    assert_eq!(resolve("Gaza", &[]).name, "Gaza Strip");
    assert_eq!(resolve("Zamfara", &[]).country, "NG");
    // Florida the US state beats Florida the Colombian town.
    let fl = resolve("Florida", &[]);
    assert_eq!((fl.kind, fl.country.as_str()), (PlaceKind::Region, "US"));
}

#[test]
fn countries_by_name_and_alias() {
    let g = gaz();
    let cases = [
        ("U.S.", "US"),
        ("United States of America", "US"),
        ("America", "US"),
        ("Britain", "GB"),
        ("UK", "GB"),
        ("Holland", "NL"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Islamic Republic of Iran", "IR"),
        ("Russian Federation", "RU"),
        ("Côte d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Syria", "SY"),
        ("Tajikistan", "TJ"),
    ];
    for (name, iso) in cases {
        assert_eq!(
            g.country_by_name(name).map(|c| c.iso2.as_str()),
            Some(iso),
            "{name}"
        );
        assert_eq!(resolve(name, &[]).key, format!("country:{iso}"), "{name}");
    }
    assert!(g.country_by_name("Cologne").is_none());
    let de = g
        .country("de")
        .map(|c| (c.iso3.as_str(), c.numeric.as_str(), c.name.as_str()));
    assert_eq!(de, Some(("DEU", "276", "Germany")));
    assert_eq!(
        g.country_of(resolve("Cologne", &[]).id)
            .map(|c| c.iso2.as_str()),
        Some("DE")
    );
}

#[test]
fn demonyms() {
    let g = gaz();
    for (word, iso) in [
        ("Tajik", "TJ"),
        ("Turkmen", "TM"),
        ("Kyrgyz", "KG"),
        ("Afghan", "AF"),
        ("Afghans", "AF"),
        ("Pakistani", "PK"),
        ("Salvadoran", "SV"),
        ("Salvadorean", "SV"),
        ("Colombian", "CO"),
        ("Peruvian", "PE"),
        ("American", "US"),
        ("British", "GB"),
        ("Briton", "GB"),
        ("Dutch", "NL"),
        ("German", "DE"),
    ] {
        assert_eq!(
            g.country_by_demonym(word).map(|c| c.iso2.as_str()),
            Some(iso),
            "{word}"
        );
    }
    assert!(g.country_by_demonym("Russian-speaking").is_none());
    assert!(g.country_by_demonym("Khorasan").is_none());
    assert!(g
        .demonyms()
        .any(|(d, c)| d == "Tajikistani" && c.iso2 == "TJ"));
}

#[test]
fn ambiguous_names() {
    let g = gaz();
    for n in [
        "Of", "Reading", "Nice", "Bath", "Split", "Mobile", "Chad", "us",
    ] {
        assert!(g.is_ambiguous_name(n), "{n}");
    }
    for n in ["Paris", "Cologne", "Kabul", "Tajikistan"] {
        assert!(!g.is_ambiguous_name(n), "{n}");
    }
    // "Of" is still a place, for callers with strong evidence.
    assert_eq!(resolve("Of", &[]).country, "TR");
}

#[test]
fn names_cover_aliases() {
    let g = gaz();
    let cologne = resolve("Cologne", &[]).id;
    let names: Vec<&str> = g
        .names()
        .filter(|&(_, id)| id == cologne)
        .map(|(n, _)| n)
        .collect();
    assert!(
        names.contains(&"Köln") && names.contains(&"Cologne") && names.contains(&"Koln"),
        "{names:?}"
    );
    assert!(g.names().count() > g.places().len());
}

#[test]
fn load_dir_matches_embedded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/geo");
    let from_dir = match Gazetteer::load_dir(&dir) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(from_dir.places().len(), gaz().places().len());
    let missing = Gazetteer::load_dir(Path::new("/nonexistent/vigil-geo"));
    assert!(matches!(missing, Err(GeoError::Io { .. })));
}

#[test]
fn a_region_word_picks_the_region_of_a_context_country() {
    let g = gaz();
    let country = |ctx: &[&str]| {
        g.resolve_region("Bolivar", ctx)
            .map(|id| g.place(id).country.clone())
    };
    // Colombia's and Ecuador's departments and Venezuela's state.
    assert_eq!(country(&["CO"]).as_deref(), Some("CO"));
    assert_eq!(country(&["ec"]).as_deref(), Some("EC"));
    // Without context, the most populous.
    assert_eq!(country(&[]).as_deref(), Some("VE"));
    assert_eq!(g.resolve_region("Bogota", &[]), None, "no region so named")
}
