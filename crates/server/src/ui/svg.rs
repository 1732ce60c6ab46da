//! Server-side SVG: the world map of incidents (country shading and point
//! markers) and the timeline chart (incidents per week by type).
//!
//! Pure functions from data to an SVG string; no I/O. Every label that may
//! come from an article is escaped with [`esc`]. The map uses the Natural
//! Earth projection (Šavrič, Jenny, Patterson & Jenny, 2015: "A polynomial
//! equation for the Natural Earth projection"), cropped to latitudes
//! 58° S – 84° N (Antarctica is left out).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate};
use vigil_core::EventType;

use super::html::esc;
use super::world::World;

/// Southern and northern limits of the map, in degrees.
const LAT_MIN: f64 = -58.0;
const LAT_MAX: f64 = 84.0;

/// The Natural Earth projection of `(lon, lat)` in degrees, in units of the
/// Earth's radius: `x` grows eastwards, `y` northwards. Longitude 180° maps
/// to `x ≈ 2.7354`, the North Pole to `y ≈ 1.4224`.
pub fn natural_earth(lon: f64, lat: f64) -> (f64, f64) {
    let lambda = lon.clamp(-180.0, 180.0).to_radians();
    let phi = lat.clamp(-90.0, 90.0).to_radians();
    let phi2 = phi * phi;
    let phi4 = phi2 * phi2;
    let x = lambda
        * (0.870700 - 0.131979 * phi2
            + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)));
    let y = phi
        * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)));
    (x, y)
}

/// Maps degrees to SVG pixel coordinates for a map `width` pixels wide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapFrame {
    scale: f64,
    x0: f64,
    y_top: f64,
    /// Pixel width of the map.
    pub width: f64,
    /// Pixel height of the map (follows from the width and the crop).
    pub height: f64,
}

impl MapFrame {
    /// A frame for a map `width` pixels wide.
    pub fn new(width: f64) -> MapFrame {
        let (x_max, _) = natural_earth(180.0, 0.0);
        let (_, y_top) = natural_earth(0.0, LAT_MAX);
        let (_, y_bottom) = natural_earth(0.0, LAT_MIN);
        let scale = width / (2.0 * x_max);
        MapFrame {
            scale,
            x0: x_max,
            y_top,
            width,
            height: (y_top - y_bottom) * scale,
        }
    }

    /// Pixel coordinates of `(lon, lat)`; the origin is the top-left corner.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = natural_earth(lon, lat.clamp(LAT_MIN, LAT_MAX));
        ((x + self.x0) * self.scale, (self.y_top - y) * self.scale)
    }
}

/// A point on the map: one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub lat: f64,
    pub lon: f64,
    /// Tooltip (shown as the SVG `<title>`), e.g. "Bombing in Kabul, 12 killed".
    pub title: String,
    /// Link target (a dashboard path), when the marker is clickable.
    pub href: Option<String>,
    /// Drives the colour.
    pub kind: EventType,
    /// Drives the radius (e.g. the number of sources); 1 for a plain dot.
    pub weight: u32,
}

/// How a map's countries are shaded and linked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shading {
    /// Incidents per country (ISO alpha-2).
    pub counts: BTreeMap<String, u32>,
    /// Link for a country, with `{}` standing for its ISO code
    /// (`/search?q=country:{}`); `None` leaves countries unlinked.
    pub href_template: Option<String>,
}

/// Fill colours for the shading classes, light to dark.
const SHADES: [&str; 5] = ["#fbe3c8", "#f6b98a", "#ec8a56", "#d4553d", "#9e2a2b"];
/// Fill for countries without incidents.
const NO_DATA: &str = "#e4e6ea";

/// The lower bounds of up to five shading classes for counts up to `max`:
/// `1`, then "nice" numbers (1, 2, 5 × 10ⁿ) spaced evenly on a log scale.
pub fn class_breaks(max: u32) -> Vec<u32> {
    let mut breaks = vec![1u32];
    if max <= 1 {
        return breaks;
    }
    let log_max = f64::from(max).ln();
    for k in 1..SHADES.len() {
        let target = (log_max * k as f64 / SHADES.len() as f64).exp();
        let nice = nice_number(target);
        if nice > *breaks.last().unwrap_or(&1) && nice <= max {
            breaks.push(nice);
        }
    }
    breaks
}

/// The nearest number of the form 1, 2 or 5 × 10ⁿ to `value` (≥ 1).
fn nice_number(value: f64) -> u32 {
    let mut best = 1u32;
    let mut best_distance = f64::INFINITY;
    let mut magnitude = 1u32;
    while magnitude <= 1_000_000_000 {
        for step in [1u32, 2, 5] {
            let candidate = step.saturating_mul(magnitude);
            let distance = (f64::from(candidate).ln() - value.max(1.0).ln()).abs();
            if distance < best_distance {
                best = candidate;
                best_distance = distance;
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
    best
}

/// The shading class (index into the breaks) of `count`, `None` for 0.
fn class_of(count: u32, breaks: &[u32]) -> Option<usize> {
    if count == 0 {
        return None;
    }
    breaks.iter().rposition(|&b| count >= b)
}

/// Colour of an event type on the map and in charts.
pub fn type_color(kind: EventType) -> &'static str {
    match kind {
        EventType::Attack => "#c0392b",
        EventType::Bombing => "#e74c3c",
        EventType::Shooting => "#8e44ad",
        EventType::Stabbing => "#d35400",
        EventType::Arson => "#e67e22",
        EventType::Kidnapping => "#16a085",
        EventType::HostageTaking => "#1abc9c",
        EventType::VehicleRamming => "#a0522d",
        EventType::Assassination => "#6c3483",
        EventType::Robbery => "#7f8c8d",
        EventType::Plot => "#f1c40f",
        EventType::Arrest => "#2980b9",
        EventType::Raid => "#3498db",
        EventType::Conviction => "#2c3e50",
        EventType::Warning => "#f39c12",
        EventType::Claim => "#95a5a6",
    }
}

/// A human label of an event type ("hostage taking").
pub fn type_label(kind: EventType) -> String {
    kind.as_str().replace('_', " ")
}

/// Formats a coordinate with one decimal (enough at dashboard sizes).
fn c(v: f64) -> String {
    let mut s = format!("{v:.1}");
    if s.ends_with(".0") {
        s.truncate(s.len() - 2);
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// Renders the world map as a standalone `<svg>` element `width` pixels wide:
/// countries shaded by incident count (with a legend), then one marker per
/// incident with a tooltip and optional link.
pub fn world_map(world: &World, shading: &Shading, markers: &[Marker], width: f64) -> String {
    let frame = MapFrame::new(width);
    let mut out = String::with_capacity(200_000);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="map-title"><title id="map-title">Map of incidents</title>"#,
        w = c(frame.width),
        h = c(frame.height)
    );
    // The outline of the projected globe (the ocean).
    out.push_str(r##"<path class="sphere" fill="#f4f8fb" stroke="#c9d3dc" d=""##);
    let mut outline = Vec::new();
    for i in 0..=36 {
        outline.push(frame.project(-180.0, LAT_MIN + (LAT_MAX - LAT_MIN) * f64::from(i) / 36.0));
    }
    for i in (0..=36).rev() {
        outline.push(frame.project(180.0, LAT_MIN + (LAT_MAX - LAT_MIN) * f64::from(i) / 36.0));
    }
    push_ring(&mut out, &outline);
    out.push_str(r#""/>"#);

    let max = shading.counts.values().copied().max().unwrap_or(0);
    let breaks = class_breaks(max);
    out.push_str(
        r##"<g class="countries" stroke="#ffffff" stroke-width="0.5" fill-rule="evenodd">"##,
    );
    for country in &world.countries {
        if country.iso2 == "AQ" {
            continue;
        }
        let count = shading.counts.get(&country.iso2).copied().unwrap_or(0);
        let fill = class_of(count, &breaks)
            .and_then(|i| SHADES.get(i))
            .copied()
            .unwrap_or(NO_DATA);
        let link = shading
            .href_template
            .as_ref()
            .filter(|_| count > 0)
            .map(|t| t.replace("{}", &country.iso2));
        if let Some(href) = &link {
            let _ = write!(out, r#"<a href="{}">"#, esc(href));
        }
        let _ = write!(
            out,
            r#"<path data-iso="{}" fill="{fill}" d=""#,
            esc(&country.iso2)
        );
        for ring in &country.rings {
            let points: Vec<(f64, f64)> = ring
                .iter()
                .map(|&(lon, lat)| frame.project(lon, lat))
                .collect();
            push_ring(&mut out, &points);
        }
        let noun = if count == 1 { "incident" } else { "incidents" };
        let _ = write!(
            out,
            r#""><title>{}: {count} {noun}</title></path>"#,
            esc(&country.name)
        );
        if link.is_some() {
            out.push_str("</a>");
        }
    }
    out.push_str("</g>");

    // Markers: largest first so small ones stay clickable on top.
    let mut order: Vec<&Marker> = markers.iter().collect();
    order.sort_by_key(|m| std::cmp::Reverse(m.weight));
    out.push_str(
        r##"<g class="markers" stroke="#ffffff" stroke-width="0.8" fill-opacity="0.85">"##,
    );
    for marker in order {
        if !(marker.lat.is_finite() && marker.lon.is_finite()) {
            continue;
        }
        let (x, y) = frame.project(marker.lon, marker.lat);
        let radius = (2.5 + 1.5 * f64::from(marker.weight.max(1)).sqrt()).min(12.0);
        if let Some(href) = &marker.href {
            let _ = write!(out, r#"<a href="{}">"#, esc(href));
        }
        let _ = write!(
            out,
            r#"<circle class="marker" data-type="{}" cx="{}" cy="{}" r="{}" fill="{}"><title>{}</title></circle>"#,
            marker.kind.as_str(),
            c(x),
            c(y),
            c(radius),
            type_color(marker.kind),
            esc(&marker.title)
        );
        if marker.href.is_some() {
            out.push_str("</a>");
        }
    }
    out.push_str("</g>");

    // Legend (bottom left).
    if max > 0 {
        let x = 12.0;
        let mut y = frame.height - 14.0 - 16.0 * breaks.len() as f64;
        let _ = write!(
            out,
            r##"<g class="legend" font-size="11" fill="#333"><text x="{}" y="{}">Incidents per country</text>"##,
            c(x),
            c(y - 6.0)
        );
        for (i, lower) in breaks.iter().enumerate() {
            let label = match breaks.get(i + 1) {
                Some(next) if next - 1 > *lower => format!("{lower}–{}", next - 1),
                Some(_) => lower.to_string(),
                None if *lower == max => lower.to_string(),
                None => format!("{lower}–{max}"),
            };
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="14" height="12" fill="{}"/><text x="{}" y="{}">{label}</text>"#,
                c(x),
                c(y),
                SHADES.get(i).copied().unwrap_or(NO_DATA),
                c(x + 20.0),
                c(y + 10.0)
            );
            y += 16.0;
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// Appends `M x y L x y … Z` for a ring of pixel points, skipping points
/// that round to the previous one.
fn push_ring(out: &mut String, points: &[(f64, f64)]) {
    let mut last = String::new();
    let mut first = true;
    for &(x, y) in points {
        let point = format!("{} {}", c(x), c(y));
        if point == last {
            continue;
        }
        out.push(if first { 'M' } else { 'L' });
        out.push_str(&point);
        last = point;
        first = false;
    }
    if !first {
        out.push('Z');
    }
}

/// Counts per week by event type, ready for [`timeline_chart`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    /// The Monday of each week, consecutive, oldest first.
    pub weeks: Vec<NaiveDate>,
    /// One series per event type that occurs, in [`EventType::ALL`] order;
    /// `values[i]` belongs to `weeks[i]`.
    pub series: Vec<(EventType, Vec<u32>)>,
}

impl Timeline {
    /// Buckets dated items by ISO week (weeks start on Monday), filling empty
    /// weeks, keeping at most the latest `max_weeks` weeks.
    pub fn weekly(
        items: impl IntoIterator<Item = (NaiveDate, EventType)>,
        max_weeks: usize,
    ) -> Timeline {
        let mut counts: BTreeMap<(NaiveDate, EventType), u32> = BTreeMap::new();
        for (date, kind) in items {
            *counts.entry((week_start(date), kind)).or_insert(0) += 1;
        }
        let (Some(first), Some(last)) = (
            counts.keys().map(|k| k.0).min(),
            counts.keys().map(|k| k.0).max(),
        ) else {
            return Timeline::default();
        };
        let mut weeks = Vec::new();
        let mut week = last;
        while week >= first && weeks.len() < max_weeks.max(1) {
            weeks.push(week);
            week -= Duration::weeks(1);
        }
        weeks.reverse();
        let series = EventType::ALL
            .iter()
            .filter_map(|&kind| {
                let values: Vec<u32> = weeks
                    .iter()
                    .map(|&w| counts.get(&(w, kind)).copied().unwrap_or(0))
                    .collect();
                values.iter().any(|&v| v > 0).then_some((kind, values))
            })
            .collect();
        Timeline { weeks, series }
    }

    /// The total of week `i` over every series.
    fn total(&self, i: usize) -> u32 {
        self.series
            .iter()
            .map(|(_, v)| v.get(i).copied().unwrap_or(0))
            .sum()
    }
}

/// The Monday of the ISO week of `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Tick values for an axis from 0 to at least `max`: steps of 1, 2 or 5 ×
/// 10ⁿ, at most six ticks.
pub fn axis_ticks(max: u32) -> Vec<u32> {
    let max = max.max(1);
    let mut magnitude = 1u32;
    loop {
        for step in [1u32, 2, 5] {
            let step = step.saturating_mul(magnitude);
            let top = max.div_ceil(step).saturating_mul(step);
            if top / step <= 5 {
                return (0..=top / step).map(|i| i * step).collect();
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// Renders a stacked bar chart of incidents per week by type, with axes,
/// a legend and a tooltip on every bar segment.
pub fn timeline_chart(timeline: &Timeline, width: f64, height: f64) -> String {
    let mut out = String::with_capacity(20_000);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart timeline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="timeline-title" font-size="11"><title id="timeline-title">Incidents per week by type</title>"#,
        w = c(width),
        h = c(height)
    );
    if timeline.weeks.is_empty() {
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#666">No dated incidents yet</text></svg>"##,
            c(width / 2.0),
            c(height / 2.0)
        );
        return out;
    }
    let legend_height = 18.0 * ((timeline.series.len() as f64 / 6.0).ceil().max(1.0));
    let (left, right, top, bottom) = (40.0, 10.0, 10.0 + legend_height, 28.0);
    let plot_w = (width - left - right).max(10.0);
    let plot_h = (height - top - bottom).max(10.0);
    let n = timeline.weeks.len();
    let max = (0..n).map(|i| timeline.total(i)).max().unwrap_or(0);
    let ticks = axis_ticks(max);
    let top_value = f64::from(ticks.last().copied().unwrap_or(1).max(1));
    let y_of = |v: f64| top + plot_h - v / top_value * plot_h;

    // Legend.
    for (i, (kind, _)) in timeline.series.iter().enumerate() {
        let x = left + (i % 6) as f64 * (plot_w / 6.0);
        let y = 6.0 + (i / 6) as f64 * 18.0;
        let _ = write!(
            out,
            r##"<g class="legend-item"><rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" fill="#333">{}</text></g>"##,
            c(x),
            c(y),
            type_color(*kind),
            c(x + 14.0),
            c(y + 9.0),
            esc(&type_label(*kind))
        );
    }
    // Y axis with grid lines.
    out.push_str(r##"<g class="axis y" fill="#555" stroke="#ddd">"##);
    for tick in &ticks {
        let y = y_of(f64::from(*tick));
        let _ = write!(
            out,
            r#"<line x1="{}" x2="{}" y1="{y}" y2="{y}"/><text x="{}" y="{}" text-anchor="end" stroke="none">{tick}</text>"#,
            c(left),
            c(left + plot_w),
            c(left - 4.0),
            c(y + 4.0),
            y = c(y)
        );
    }
    out.push_str("</g>");
    // Bars.
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.8).max(1.0);
    out.push_str(r#"<g class="bars">"#);
    for (i, week) in timeline.weeks.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let mut base = 0.0;
        for (kind, values) in &timeline.series {
            let v = values.get(i).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let y1 = y_of(base);
            let y2 = y_of(base + f64::from(v));
            base += f64::from(v);
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>Week of {}: {} {}</title></rect>"#,
                c(x),
                c(y2),
                c(bar_w),
                c((y1 - y2).max(0.5)),
                type_color(*kind),
                week.format("%Y-%m-%d"),
                v,
                esc(&type_label(*kind))
            );
        }
    }
    out.push_str("</g>");
    // X axis: a label about every 80 px, with the year on the first label
    // and whenever it changes.
    let every = ((80.0 / slot).ceil() as usize).max(1);
    let axis_y = top + plot_h;
    let _ = write!(
        out,
        r##"<g class="axis x" fill="#555"><line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="#999"/>"##,
        c(left),
        c(left + plot_w),
        y = c(axis_y)
    );
    let mut last_year = None;
    for (i, week) in timeline.weeks.iter().enumerate().step_by(every) {
        let x = left + slot * (i as f64 + 0.5);
        let label = if last_year != Some(week.year()) {
            week.format("%-d %b %Y").to_string()
        } else {
            week.format("%-d %b").to_string()
        };
        last_year = Some(week.year());
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle">{label}</text>"#,
            c(x),
            c(axis_y + 16.0)
        );
    }
    out.push_str("</g></svg>");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    /// Parses `xml` completely; returns the number of elements, or the error.
    fn well_formed(xml: &str) -> Result<usize, String> {
        let mut reader = Reader::from_str(xml);
        let mut depth = 0i64;
        let mut elements = 0usize;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    depth += 1;
                    elements += 1;
                    for a in e.attributes() {
                        a.map_err(|e| e.to_string())?;
                    }
                }
                Ok(Event::Empty(e)) => {
                    elements += 1;
                    for a in e.attributes() {
                        a.map_err(|e| e.to_string())?;
                    }
                }
                Ok(Event::End(_)) => depth -= 1,
                Ok(Event::GeneralRef(r)) => {
                    let name = r.into_inner().into_owned();
                    let known = matches!(name.as_str(), "amp" | "lt" | "gt" | "quot" | "apos");
                    if !known && !name.starts_with('#') {
                        return Err(format!("unknown entity &{name};"));
                    }
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(format!("at {}: {e}", reader.buffer_position())),
            }
        }
        if depth != 0 {
            return Err(format!("unbalanced: depth {depth}"));
        }
        Ok(elements)
    }

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-3 && (a.1 - b.1).abs() < 1e-3
    }

    #[test]
    fn natural_earth_known_points() {
        assert!(close(natural_earth(0.0, 0.0), (0.0, 0.0)));
        // Equator: x = 0.8707 λ.
        assert!(close(
            natural_earth(180.0, 0.0),
            (0.8707 * std::f64::consts::PI, 0.0)
        ));
        assert!(close(
            natural_earth(-90.0, 0.0),
            (-0.8707 * std::f64::consts::FRAC_PI_2, 0.0)
        ));
        // The pole line: y(90°) = 1.4224 (Šavrič et al. give the
        // projection's height-to-width ratio 0.52).
        let (x_pole, y_pole) = natural_earth(180.0, 90.0);
        let (x_eq, _) = natural_earth(180.0, 0.0);
        assert!((y_pole - 1.4224).abs() < 1e-3, "{y_pole}");
        assert!((y_pole / x_eq - 0.52).abs() < 0.01, "{}", y_pole / x_eq);
        // The pole line is shorter than the equator but not a point.
        assert!(x_pole < x_eq && x_pole > 0.5 * x_eq);
        // Symmetric in both axes.
        let (x, y) = natural_earth(2.35, 48.86);
        assert!(close(natural_earth(-2.35, -48.86), (-x, -y)));
    }

    #[test]
    fn frame_puts_places_where_they_belong() {
        let frame = MapFrame::new(1000.0);
        assert!(
            frame.height > 400.0 && frame.height < 560.0,
            "{}",
            frame.height
        );
        let (x, _) = frame.project(0.0, 0.0);
        assert!((x - 500.0).abs() < 1e-9);
        let (x_w, _) = frame.project(-180.0, 0.0);
        let (x_e, _) = frame.project(180.0, 0.0);
        assert!(x_w.abs() < 1e-9 && (x_e - 1000.0).abs() < 1e-9);
        // Paris is north-east of the map centre and north of Kabul's latitude.
        let paris = frame.project(2.35, 48.86);
        let kabul = frame.project(69.18, 34.53);
        let sydney = frame.project(151.21, -33.87);
        assert!(paris.0 > 500.0 && paris.1 < kabul.1);
        assert!(kabul.0 > paris.0 && sydney.0 > kabul.0 && sydney.1 > kabul.1);
        // Everything stays inside the frame, clamped at the crop.
        let south = frame.project(0.0, -89.0);
        assert!((south.1 - frame.height).abs() < 1e-6);
        assert!(frame.project(0.0, LAT_MAX).1.abs() < 1e-9);
    }

    #[test]
    fn breaks_and_ticks() {
        assert_eq!(class_breaks(0), vec![1]);
        assert_eq!(class_breaks(1), vec![1]);
        assert_eq!(class_breaks(3), vec![1, 2]);
        let b = class_breaks(1000);
        assert_eq!(b.first(), Some(&1));
        assert!(b.len() == 5 && b.windows(2).all(|w| w[0] < w[1]), "{b:?}");
        assert_eq!(class_of(0, &b), None);
        assert_eq!(class_of(1, &b), Some(0));
        assert_eq!(class_of(1000, &b), Some(4));
        assert_eq!(axis_ticks(0), vec![0, 1]);
        assert_eq!(axis_ticks(7), vec![0, 2, 4, 6, 8]);
        assert_eq!(axis_ticks(10), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(axis_ticks(23), vec![0, 5, 10, 15, 20, 25]);
        assert_eq!(axis_ticks(u32::MAX).first(), Some(&0));
    }

    #[test]
    fn weekly_buckets_fill_gaps_and_cap() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(week_start(d("2024-03-24")), d("2024-03-18")); // Sunday
        assert_eq!(week_start(d("2024-03-18")), d("2024-03-18")); // Monday
        let items = vec![
            (d("2024-03-01"), EventType::Bombing),
            (d("2024-03-02"), EventType::Bombing),
            (d("2024-03-20"), EventType::Arrest),
        ];
        let t = Timeline::weekly(items.clone(), 100);
        assert_eq!(
            t.weeks,
            vec![
                d("2024-02-26"),
                d("2024-03-04"),
                d("2024-03-11"),
                d("2024-03-18")
            ]
        );
        assert_eq!(
            t.series,
            vec![
                (EventType::Bombing, vec![2, 0, 0, 0]),
                (EventType::Arrest, vec![0, 0, 0, 1])
            ]
        );
        let capped = Timeline::weekly(items, 2);
        assert_eq!(capped.weeks, vec![d("2024-03-11"), d("2024-03-18")]);
        assert_eq!(capped.series, vec![(EventType::Arrest, vec![0, 1])]);
        assert_eq!(Timeline::weekly(Vec::new(), 10), Timeline::default());
    }

    #[test]
    fn map_is_well_formed_and_escapes_titles() {
        let world = World::embedded();
        let mut counts = BTreeMap::new();
        counts.insert("FR".to_string(), 3);
        counts.insert("AF".to_string(), 40);
        let shading = Shading {
            counts,
            href_template: Some("/search?q=country:{}&amp=1".to_string()),
        };
        let markers = vec![Marker {
            lat: 48.86,
            lon: 2.35,
            title: "<script>alert(1)</script> & \"Paris\"".to_string(),
            href: Some("/incidents/doc%201/V1".to_string()),
            kind: EventType::Bombing,
            weight: 3,
        }];
        let svg = world_map(world, &shading, &markers, 960.0);
        let elements = well_formed(&svg).unwrap();
        assert!(elements > world.countries.len(), "{elements}");
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Paris&quot;"));
        assert!(svg.contains(r#"href="/search?q=country:FR&amp;amp=1""#));
        assert!(
            svg.contains(r##"data-iso="AF" fill="#9e2a2b""##),
            "most incidents: darkest shade"
        );
        assert!(
            svg.contains(r##"data-iso="DE" fill="#e4e6ea""##),
            "no incidents: grey"
        );
        assert!(!svg.contains(r#"data-iso="AQ""#));
        assert!(svg.contains("Incidents per country"));
        // One marker, at Paris.
        let frame = MapFrame::new(960.0);
        let (x, y) = frame.project(2.35, 48.86);
        assert!(svg.contains(&format!(r#"cx="{}" cy="{}""#, c(x), c(y))));
        assert_eq!(svg.matches("<circle").count(), 1);
    }

    #[test]
    fn map_without_data_has_no_legend() {
        let svg = world_map(World::embedded(), &Shading::default(), &[], 600.0);
        well_formed(&svg).unwrap();
        assert!(!svg.contains("Incidents per country"));
        assert!(!svg.contains("<a "));
    }

    #[test]
    fn timeline_is_well_formed_with_axes_and_legend() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut items = Vec::new();
        for day in 0..200 {
            let date = d("2023-10-01") + Duration::days(day);
            items.push((date, EventType::Bombing));
            if day % 3 == 0 {
                items.push((date, EventType::Arrest));
            }
        }
        let t = Timeline::weekly(items, 52);
        let svg = timeline_chart(&t, 800.0, 240.0);
        well_formed(&svg).unwrap();
        assert!(svg.contains(">bombing</text>") && svg.contains(">arrest</text>"));
        assert!(svg.contains("2023") && svg.contains("2024"), "year labels");
        // One stacked segment per non-zero (week, type).
        let segments: usize = t
            .series
            .iter()
            .map(|(_, v)| v.iter().filter(|&&x| x > 0).count())
            .sum();
        assert_eq!(svg.matches("<title>Week of").count(), segments);
        let empty = timeline_chart(&Timeline::default(), 400.0, 200.0);
        well_formed(&empty).unwrap();
        assert!(empty.contains("No dated incidents"));
    }
}
