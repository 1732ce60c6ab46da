#!/usr/bin/env python3
"""Build data/world/countries-110m.tsv (country outlines for the dashboard map).

Input: the npm package world-atlas 2.0.2 (ISC; Natural Earth 4.1.0 admin-0
boundaries at 1:110m, public domain), fetched with the ordinary npm client:

    SRC=$(mktemp -d) && (cd "$SRC" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz)
    python3 scripts/build-world-data.py "$SRC/package/countries-110m.json" [OUT_DIR]

OUT_DIR defaults to data/world next to this script's parent.  ISO 3166-1
alpha-2 codes come from data/geo/countries.tsv (its `numeric` column matches
the TopoJSON geometry ids).

Output: one line per country, UTF-8, tab-separated, with a '#' header line:

    iso2  numeric  name  rings

`rings` lists every outer ring and hole of the country as `|`-separated rings;
a ring is a space-separated list of `lon,lat` points (WGS 84 decimal degrees,
two decimals, consecutive duplicates removed, closing point omitted).  A
renderer draws all rings of a country as one path with the even-odd fill rule,
which makes holes come out right without knowing which ring is which.

Three Natural Earth units have no ISO numeric code in world-atlas; they are
mapped by name: Kosovo -> XK, N. Cyprus -> CY (drawn as part of Cyprus),
Somaliland -> SO (drawn as part of Somalia).  Several shapes of one ISO code
are merged into one line.  Rings crossing the 180th meridian (TopoJSON keeps
them whole) are cut into one ring on each side; Antarctica's ring around the
pole is closed along the pole line.

The script uses only the Python standard library and is deterministic: the
same input gives a byte-identical output.
"""

import json
import os
import sys

NO_ID_NAMES = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}


def load_alpha2(geo_dir):
    """Map ISO numeric code (string without leading zeros) -> (alpha-2, name)."""
    table = {}
    with open(os.path.join(geo_dir, "countries.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            iso2, numeric, name = cols[0], cols[2], cols[3]
            if numeric and numeric != "000":
                table[str(int(numeric))] = (iso2, name)
    return table


def decode_arcs(topology):
    """Decode the delta-encoded, quantized arcs into lists of (lon, lat)."""
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def ring_points(arcs, indices):
    """Stitch one ring from arc indices (negative = reversed, ~i)."""
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their end/start point.
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points):
    """Makes longitudes continuous (no jump of more than 180 degrees)."""
    out = [points[0]]
    for lon, lat in points[1:]:
        prev = out[-1][0]
        while lon - prev > 180:
            lon -= 360
        while lon - prev < -180:
            lon += 360
        out.append((lon, lat))
    return out


def clip_half_plane(points, inside, cross):
    """Sutherland-Hodgman clipping of a ring against one half-plane."""
    out = []
    for i, current in enumerate(points):
        previous = points[i - 1]
        if inside(current):
            if not inside(previous):
                out.append(cross(previous, current))
            out.append(current)
        elif inside(previous):
            out.append(cross(previous, current))
    return out


def crossing(x):
    def at(a, b):
        t = (x - a[0]) / (b[0] - a[0])
        return (x, a[1] + t * (b[1] - a[1]))
    return at


def split_at_antimeridian(points):
    """Rings that cross the 180th meridian, as stored in TopoJSON (e.g.
    Russia's Chukotka, Fiji), become separate rings on each side, so that a
    flat projection draws no band across the map.  A ring around a pole
    (Antarctica) is closed along the pole line first."""
    ring = unwrap(points)
    if ring[-1] == ring[0]:
        ring.pop()
    if abs(ring[-1][0] - ring[0][0]) > 180:
        # The ring winds once around the globe: close it along the pole.
        pole = -90.0 if sum(lat for _, lat in ring) < 0 else 90.0
        ring += [(ring[-1][0], pole), (ring[0][0], pole)]
    if all(-180 <= lon <= 180 for lon, _ in ring):
        return [ring]
    pieces = []
    for k in (-1, 0, 1):
        moved = [(lon + 360 * k, lat) for lon, lat in ring]
        clipped = clip_half_plane(moved, lambda p: p[0] <= 180, crossing(180))
        if clipped:
            clipped = clip_half_plane(clipped, lambda p: p[0] >= -180, crossing(-180))
        if len(clipped) >= 3:
            pieces.append(clipped)
    return pieces


def format_ring(points):
    """Round to 0.01 degree, drop repeated points and the closing point."""
    out = []
    for lon, lat in points:
        p = "%s,%s" % (fmt(lon), fmt(lat))
        if not out or out[-1] != p:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return " ".join(out) if len(out) >= 3 else None


def fmt(value):
    text = "%.2f" % value
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    source = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "data", "world")
    alpha2 = load_alpha2(os.path.join(root, "data", "geo"))
    with open(source, encoding="utf-8") as f:
        topology = json.load(f)
    arcs = decode_arcs(topology)

    countries = {}  # iso2 -> [numeric, name, rings]
    for geometry in topology["objects"]["countries"]["geometries"]:
        gid = geometry.get("id")
        name = geometry["properties"]["name"]
        if gid is None:
            if name not in NO_ID_NAMES:
                sys.exit("no ISO code for %r: add it to NO_ID_NAMES" % name)
            iso2 = NO_ID_NAMES[name]
            numeric = ""
        else:
            key = str(int(gid))
            if key not in alpha2:
                sys.exit("numeric code %s (%s) missing from data/geo/countries.tsv" % (gid, name))
            iso2 = alpha2[key][0]
            numeric = "%03d" % int(gid)
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = []
        for polygon in polygons:
            for ring in polygon:
                for piece in split_at_antimeridian(ring_points(arcs, ring)):
                    formatted = format_ring(piece)
                    if formatted:
                        rings.append(formatted)
        entry = countries.setdefault(iso2, [numeric, name, []])
        if numeric and not entry[0]:
            entry[0], entry[1] = numeric, name
        entry[2].extend(rings)

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "countries-110m.tsv")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("#iso2\tnumeric\tname\trings\n")
        for iso2 in sorted(countries):
            numeric, name, rings = countries[iso2]
            f.write("%s\t%s\t%s\t%s\n" % (iso2, numeric, name, "|".join(rings)))
    print("%s: %d countries" % (path, len(countries)), file=sys.stderr)


if __name__ == "__main__":
    main()
