#!/usr/bin/env python3
"""Build data/lexicon/given-names.txt, the given names that tell vigil a run
of capitalised words is a person ("Ahmed Mansoor", "Jimmy Lai").

Inputs (fetched with the ordinary registry clients into SRC):

    pip download faker==40.63.0 wordfreq==3.1.1 --no-deps -d SRC
    (cd SRC && npm pack an-array-of-english-words@2.0.0)

Usage:

    python3 scripts/build-given-names.py SRC [OUT_FILE]

The names are the first names (male, female and neutral) of every locale of
Faker's person provider (MIT) written in Latin letters, at least three
letters long. Left out: the common English words (in the word list of
an-array-of-english-words and at least once per million words in wordfreq's
`large_en`, the rule of scripts/build-geo-data.py for ambiguous place names)
that are not mostly names in news: of those 1,032 words the ones in
NOT_NAMES below (function words, titles, adjectives, nouns that open the
names of bodies and places: "Will", "General", "Christian", "Media"). Most
of the rest are names although the dictionary lists them as words ("John",
"Mark", "Grace"). The script imports Faker straight from its wheel (pure
Python), uses only the standard library otherwise and is deterministic.
"""

import glob
import gzip
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import sys
import tarfile
import zipfile


def die(msg):
    sys.stderr.write("build-given-names: " + msg + "\n")
    sys.exit(1)


def find(src, pattern):
    hits = sorted(glob.glob(os.path.join(src, pattern)))
    if not hits:
        die("no %s in %s (see the docstring for the download commands)" % (pattern, src))
    return hits[0]


def geo_script():
    """scripts/build-geo-data.py as a module: its msgpack reader."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build-geo-data.py")
    spec = importlib.util.spec_from_file_location("build_geo_data", path)
    if spec is None or spec.loader is None:
        die("cannot load %s" % path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def common_english_words(src):
    aw = tarfile.open(find(src, "an-array-of-english-words-2.0.0.tgz"))
    f = aw.extractfile("package/index.json")
    if f is None:
        die("an-array-of-english-words: no package/index.json")
    words = set(json.load(f))
    wfq = zipfile.ZipFile(find(src, "wordfreq-3.1.1-*.whl"))
    freq = geo_script().msgpack_load(gzip.decompress(wfq.read("wordfreq/data/large_en.msgpack.gz")))
    zipf = {}
    for i, bucket in enumerate(freq[1:]):
        z = 9.0 - i / 100.0  # bucket i holds words with frequency 10^(-i/100)
        for w in bucket:
            zipf.setdefault(w, z)
    return {w for w in words if zipf.get(w, 0.0) >= 3.0}


LATIN_NAME = re.compile(r"[A-Z\u00C0-\u00DE\u0100-\u017F][A-Za-z\u00C0-\u024F'\-]{2,}")


def faker_given_names(src):
    sys.path.insert(0, find(src, "faker-40.63.0-*.whl"))
    person = importlib.import_module("faker.providers.person")
    names = set()
    for m in sorted(pkgutil.iter_modules(person.__path__), key=lambda m: m.name):
        mod = importlib.import_module("faker.providers.person." + m.name)
        provider = getattr(mod, "Provider", None)
        if provider is None:
            continue
        for attr in ("first_names", "first_names_male", "first_names_female",
                     "first_names_nonbinary"):
            # Only lists the locale defines itself (a locale without its own
            # list inherits the English one, already counted).
            value = provider.__dict__.get(attr)
            if value is None or isinstance(value, property):
                continue
            items = value.keys() if hasattr(value, "keys") else value
            for n in items:
                if isinstance(n, str) and LATIN_NAME.fullmatch(n):
                    names.add(n)
    return names


# Common English words among Faker's names that in news more often start
# something other than a person's name (checked by hand against the 1,032
# such words; see the docstring).
NOT_NAMES = set("""
Ace Add Admiral Alfa Ally Almond Alpha Alto Among Angel Angelic Anon Ante Ants
Apollo Arch Archer Art Aspen Atlas August Aura Aurora Author Autumn Baby Baker
Bale Banks Baptist Baron Beat Bee Bell Belle Bent Berlin Berry Beta Bethel Bird
Bishop Bitten Blaze Blessing Bliss Blossom Boss Boston Brain Branch Brandy
Bristol Brit Brook Brooks Brown Buck Bud Buddy Bunk Burns Bush Buster Butler
COmfort Cadence Caesar Can Canal Candy Cannon Canyon Cap Captain Carry Case
Cash Chance Champ Charity Chase Chastity Cherish Cherry Chi Chin China Chip
Christian Clay Cliff Colon Colonel Colt Comfort Commodore Con Constant Coral
Cord Corona Council Creed Crystal Daisy Danish Darling Dawn Deacon Delta
Destiny Diamond Dock Doctor Doll Dot Dove Drake Duke Early Earl Earnest Easter
Ebb Ebony Echo Edit Elder Else Emerald Emir Emit Era Essence Ether Eve Ever
Fairy Faith Fancy Fate Fawn Fed Feline Fella Fern Fielding Fisher Fleet Flint
Floor Flora Ford Forest Forum Foster Franc French Friend Gage Gal Gala Gale
Garland Garner Garnet Garrison Gauge Gay Gee Gem General Genesis Geneva Genie
German Ginger Golden Gorge Governor Grove Green Greet Grit Gun Gunner Hale
Hall Ham Handy Harm Harmony Harsh Hart Haven Heaven Hence Herb Hill Hind Holland
Holly Hope Hunt Hunter Icy Ide Imam Immaculate India Infant Innocent Ion Jail
Jet Jewel Job Joke Journey Joy Judge Junior Justice Kick King Kit Lady Lance
Lander Lane Lark Lawyer Leafy Lean Lemon Less Liberty Lies Line Link Little
Loan Lone Long Loot Lore Lot Love Loyal Lucky Lyric Mad Made Major Male Man
Manila Manly Marine Marry Marsh Marshal Mart Martial Marvel Mate Math Maverick
May Meadow Media Melody Mentor Mercy Merry Messiah Metro Mile Miles Miller
Mills Miner Minor Miracle Mist Misty Moody Nail Nazi Newt Nil Ninja Noble
North Novella Octave Odd Olive Oral Orange Owe Page Paris Park Pastor Paw Peace
Peer Pepper Philippine Pier Pink Pleas Pleasant Press Price Prima Prince
Princess Prosper Prudence Purity Queen Raid Ransom Reason Red Reed Rein Rich
Ridge Rim River Roar Rock Roll Roma Royal Rush Sad Safari Saga Sage Saint
Scarlet Serenity Server Sever Shade Shepherd Silver Sincere Sine Sing Sister
Skip Sky Sole Son Sonata Spring Squire Star Starling Sterling Steward Stone
Storm Stormy Summer Sunshine Tab Tea Terra Texas Theta Ties Till Tiny Tone
Toon Tore Tory Toy Trace Treasure Trinity True Tutu Uni Unique Unknown Unnamed
Urban Valencia Valid Valves Van Vega Velvet Venus Victory Viking Villa Violet
Virginia Vita Viva Wage Ward Wash Watt Weaver West Wheeler Whit Wilder Will
Willow Windy Wing Winter Wolf Wood Worth Yoga York Young Zed Zeta
""".split())


def main():
    if len(sys.argv) < 2:
        die("usage: build-given-names.py SRC [OUT_FILE]")
    src = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        here, "..", "data", "lexicon", "given-names.txt")
    common = common_english_words(src)
    names = sorted(n for n in faker_given_names(src)
                   if not (n.lower() in common and n in NOT_NAMES))
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("# Given names: a capitalised run of two to four words opening with one\n")
        f.write("# is a person's name (crates/extract/src/entities.rs, classify_run).\n")
        f.write("# The MUC-4 role model reads them as features: retrain it after a change.\n")
        f.write("# Source: the first names of every locale of Faker 40.63.0's person\n")
        f.write("# provider (PyPI faker, MIT, (c) joke2k and contributors) in Latin letters,\n")
        f.write("# minus common English words (an-array-of-english-words 2.0.0, MIT, with\n")
        f.write("# wordfreq 3.1.1 large_en Zipf >= 3.0). Generated by\n")
        f.write("# scripts/build-given-names.py; do not edit by hand.\n")
        for n in names:
            f.write(n + "\n")
    sys.stderr.write("build-given-names: %d names -> %s\n" % (len(names), out))


if __name__ == "__main__":
    main()
