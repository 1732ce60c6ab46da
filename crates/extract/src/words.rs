//! Small closed word classes used by several extractors. Open-ended word
//! lists (triggers, weapons, offices, names) live in `data/`; these are
//! grammar: function words, speech verbs, titles.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

/// Function words and other capitalised-at-sentence-start words that never
/// begin or end a name.
pub const STOP: &[&str] = &[
    "a",
    "about",
    "above",
    "according",
    "additionally",
    "after",
    "again",
    "against",
    "all",
    "also",
    "although",
    "among",
    "an",
    "and",
    "another",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "despite",
    "did",
    "do",
    "does",
    "during",
    "each",
    "earlier",
    "either",
    "even",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "he",
    "her",
    "here",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "including",
    "instead",
    "into",
    "is",
    "it",
    "its",
    "last",
    "later",
    "least",
    "many",
    "may",
    "meanwhile",
    "might",
    "more",
    "moreover",
    "most",
    "much",
    "must",
    "my",
    "neither",
    "never",
    "nevertheless",
    "next",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "over",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "today",
    "tomorrow",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yesterday",
    "yet",
    "you",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "said",
    "says",
    "told",
    "added",
    "officials",
    "police",
    "breaking",
    "update",
    "updated",
    "photo",
    "video",
    "read",
    "watch",
    "text",
    "new",
    "first",
    "two",
    "three",
    "several",
    "unidentified",
    "so-called",
    "mr",
    "mrs",
    "ms",
];

/// Lower-case particles that may sit inside a person's name.
pub const NAME_PARTICLES: &[&str] = &[
    "al", "bin", "ibn", "bint", "abu", "de", "del", "della", "der", "da", "das", "dos", "du", "la",
    "le", "van", "von", "y", "el",
];

/// Steps of the law a verb for people may follow in one verb group: "were
/// tried and jailed", "was charged and detained".
pub const LEGAL_STEPS: &[&str] = &[
    "tried",
    "charged",
    "prosecuted",
    "indicted",
    "convicted",
    "sentenced",
    "arrested",
    "detained",
];

/// Verbs of saying, in the forms news uses.
pub const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "stated",
    "states",
    "added",
    "adds",
    "warned",
    "warns",
    "noted",
    "notes",
    "explained",
    "declared",
    "announced",
    "announces",
    "reported",
    "reports",
    "revealed",
    "reveals",
    "confirmed",
    "confirms",
    "claimed",
    "asserted",
    "stressed",
    "emphasized",
    "emphasised",
    "argued",
    "wrote",
    "insisted",
    "acknowledged",
    "mentioned",
    "quoted",
    "cited",
    "indicated",
    "pointed",
    "concluded",
    "tweeted",
    "posted",
    "denied",
    "alleged",
    "admitted",
    "urged",
    "cautioned",
    "predicted",
    "remarked",
    "assured",
    "assures",
    "recalled",
    "recalls",
    "lamented",
    "reiterated",
    "disclosed",
    "conceded",
    "recounted",
    "narrated",
    "commented",
    "replied",
    "responded",
];

/// Titles that precede a person's name ("General Michael Kurilla").
pub const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "dr",
    "gen",
    "general",
    "col",
    "colonel",
    "lt",
    "lieutenant",
    "maj",
    "major",
    "capt",
    "captain",
    "sgt",
    "sergeant",
    "cmdr",
    "commander",
    "adm",
    "admiral",
    "president",
    "vice",
    "minister",
    "premier",
    "senator",
    "sen",
    "rep",
    "representative",
    "gov",
    "governor",
    "mayor",
    "judge",
    "justice",
    "bishop",
    "archbishop",
    "father",
    "rev",
    "reverend",
    "sheikh",
    "sheik",
    "daw",
    "imam",
    "ayatollah",
    "mullah",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "cardinal",
    "ambassador",
    "chancellor",
    "secretary",
    "prosecutor",
    "attorney",
    "lawyer",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "deputy",
    "chief",
    "inspector",
    "commissioner",
    "detective",
    "officer",
    "professor",
    "prof",
    "comrade",
    "emir",
    "sultan",
    "dictator",
    "chairman",
    "leader",
    "businessman",
    "businesswoman",
    "journalist",
    "reporter",
    "activist",
    "priest",
    "pastor",
    "rabbi",
    "councillor",
    "councilor",
    "congressman",
    "congresswoman",
    "lawmaker",
    "deputy",
    "candidate",
    "magistrate",
    "engineer",
];

/// Head words of offices and functions, for people's roles.
pub const OFFICE_HEADS: &[&str] = &[
    "head",
    "director",
    "chief",
    "minister",
    "president",
    "general",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "official",
    "officials",
    "commander",
    "advisor",
    "adviser",
    "secretary",
    "ambassador",
    "senator",
    "governor",
    "mayor",
    "leader",
    "founder",
    "expert",
    "analyst",
    "researcher",
    "officer",
    "prosecutor",
    "judge",
    "chairman",
    "chairwoman",
    "chair",
    "deputy",
    "coordinator",
    "envoy",
    "representative",
    "member",
    "lawmaker",
    "legislator",
    "colonel",
    "captain",
    "lieutenant",
    "major",
    "sergeant",
    "admiral",
    "chancellor",
    "premier",
    "king",
    "queen",
    "correspondent",
    "editor",
    "reporter",
    "professor",
    "fellow",
    "commissioner",
    "inspector",
    "agent",
    "attorney",
    "lawyer",
    "bishop",
    "priest",
    "imam",
    "cleric",
    "emir",
    "mufti",
    "activist",
    "journalist",
    "candidate",
    "councillor",
    "councilor",
    "counsel",
    "executive",
    "manager",
    "superintendent",
    "rapporteur",
    "negotiator",
];

/// What people are, said right before their name in running text
/// ("novelist Tsitsi Dangarembga", "journalists Wa Lone and Kyaw Soe Oo",
/// "veteran actor, Chiwetala Agu") or in an apposition after it. Singular
/// forms; [`role_noun`] also reads the plural in -s.
pub const ROLE_NOUNS: &[&str] = &[
    "academic",
    "activist",
    "actor",
    "actress",
    "artist",
    "athlete",
    "author",
    "blogger",
    "boxer",
    "broadcaster",
    "businessman",
    "businesswoman",
    "campaigner",
    "cartoonist",
    "citizen",
    "columnist",
    "comedian",
    "comedienne",
    "commentator",
    "composer",
    "correspondent",
    "critic",
    "dancer",
    "defender",
    "demonstrator",
    "detainee",
    "dissident",
    "doctor",
    "economist",
    "editor",
    "engineer",
    "farmer",
    "filmmaker",
    "footballer",
    "historian",
    "influencer",
    "inmate",
    "intellectual",
    "journalist",
    "lawyer",
    "lecturer",
    "lyricist",
    "migrant",
    "missionary",
    "monk",
    "musician",
    "national",
    "novelist",
    "nun",
    "nurse",
    "organiser",
    "organizer",
    "painter",
    "paramedic",
    "pastor",
    "photographer",
    "photojournalist",
    "physician",
    "playwright",
    "podcaster",
    "poet",
    "politician",
    "preacher",
    "presenter",
    "priest",
    "prisoner",
    "protester",
    "protestor",
    "rapper",
    "refugee",
    "reporter",
    "resident",
    "satirist",
    "scholar",
    "singer",
    "student",
    "surgeon",
    "teacher",
    "trader",
    "translator",
    "unionist",
    "worker",
    "wrestler",
    "writer",
    "youtuber",
];

/// `Some(false)` for a role noun of [`ROLE_NOUNS`], `Some(true)` for its
/// plural ("journalists"), else `None`.
pub fn role_noun(lower: &str) -> Option<bool> {
    if classes().role.contains(lower) {
        return Some(false);
    }
    lower
        .strip_suffix('s')
        .filter(|w| classes().role.contains(w))
        .map(|_| true)
}

/// The closed word classes as hash sets, built once: these predicates run
/// for every token of every document (hence a fast non-keyed hash: the keys
/// are our own word lists, not input).
struct Classes {
    stop: FxHashSet<&'static str>,
    speech: FxHashSet<&'static str>,
    honorific: FxHashSet<&'static str>,
    office: FxHashSet<&'static str>,
    role: FxHashSet<&'static str>,
}

fn classes() -> &'static Classes {
    static CLASSES: OnceLock<Classes> = OnceLock::new();
    CLASSES.get_or_init(|| Classes {
        stop: STOP.iter().copied().collect(),
        speech: SPEECH_VERBS.iter().copied().collect(),
        honorific: HONORIFICS.iter().copied().collect(),
        office: OFFICE_HEADS.iter().copied().collect(),
        role: ROLE_NOUNS.iter().copied().collect(),
    })
}

pub fn is_stop(lower: &str) -> bool {
    classes().stop.contains(lower)
}

/// Whether a lower-case word is a month's abbreviation ("feb", "sept"),
/// which the stop words (with the months' full names) leave out: "mar",
/// "dec" or "jan" are words or names too, a month only before a day or a
/// full stop.
pub fn is_month_abbreviation(lower: &str) -> bool {
    matches!(
        lower,
        "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
    )
}

pub fn is_speech_verb(lower: &str) -> bool {
    classes().speech.contains(lower)
}

pub fn is_honorific(lower: &str) -> bool {
    classes().honorific.contains(lower.trim_end_matches('.'))
}

pub fn is_office_head(lower: &str) -> bool {
    classes().office.contains(lower)
}

/// A person's age written in digits after a name (", 34,"): one to three
/// digits, at most 110.
pub fn age(lower: &str) -> Option<u8> {
    (lower.len() <= 3)
        .then(|| lower.parse::<u8>().ok())
        .flatten()
        .filter(|a| *a <= 110)
}

/// Parses a small cardinal: digits ("7", "1,200") or a number word
/// ("seven", "a dozen"). Returns `None` for anything else.
pub fn number_value(lower: &str) -> Option<u32> {
    let digits: String = lower.chars().filter(|c| *c != ',').collect();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return digits.parse().ok();
    }
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(n) = WORDS.iter().position(|w| *w == lower) {
        return u32::try_from(n).ok();
    }
    match lower {
        "thirty" => Some(30),
        "forty" => Some(40),
        "fifty" => Some(50),
        "hundred" | "a hundred" => Some(100),
        "dozen" => Some(12),
        "a" | "an" | "single" | "lone" => Some(1),
        "both" | "couple" | "pair" => Some(2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number_value("7"), Some(7));
        assert_eq!(number_value("1,200"), Some(1200));
        assert_eq!(number_value("three"), Some(3));
        assert_eq!(number_value("several"), None);
        assert_eq!(number_value("7a"), None);
        assert_eq!(number_value("99999999999999"), None);
    }

    #[test]
    fn word_classes() {
        assert!(is_honorific("gen."));
        assert!(is_speech_verb("told"));
        assert!(is_stop("however"));
        assert!(!is_stop("haines"));
    }
}
