//! Small closed word classes used by several extractors. Open-ended word
//! lists (triggers, weapons, offices, names) live in `data/`; these are
//! grammar: function words, speech verbs, titles.

/// Function words and other capitalised-at-sentence-start words that never
/// begin or end a name.
pub const STOP: &[&str] = &[
    "a", "about", "above", "according", "additionally", "after", "again", "against", "all", "also", "although",
    "among", "an", "and", "another", "any", "are", "as", "at", "be", "because", "been", "before", "being",
    "between", "both", "but", "by", "can", "could", "despite", "did", "do", "does", "during", "each", "earlier",
    "either", "even", "every", "few", "for", "from", "further", "had", "has", "have", "he", "her", "here", "his",
    "how", "however", "i", "if", "in", "including", "instead", "into", "is", "it", "its", "last", "later", "least",
    "many", "may", "meanwhile", "might", "more", "moreover", "most", "much", "must", "my", "neither", "never",
    "nevertheless", "next", "no", "nor", "not", "now", "of", "on", "once", "one", "only", "or", "other", "our",
    "over", "since", "so", "some", "still", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "though", "through", "thus", "to", "today", "tomorrow", "too", "under",
    "until", "up", "upon", "us", "was", "we", "were", "what", "when", "where", "whether", "which", "while",
    "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yesterday", "yet", "you",
    "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "said", "says",
    "told", "added", "officials", "police", "breaking", "update", "updated", "photo", "video", "read", "watch",
    "text", "new", "first", "two", "three", "several", "unidentified", "so-called", "mr", "mrs", "ms",
];

/// Lower-case particles that may sit inside a person's name.
pub const NAME_PARTICLES: &[&str] =
    &["al", "bin", "ibn", "bint", "abu", "de", "del", "della", "der", "da", "das", "dos", "du", "la", "le", "van", "von", "y", "el"];

/// Verbs of saying, in the forms news uses.
pub const SPEECH_VERBS: &[&str] = &[
    "said", "says", "say", "told", "tells", "stated", "states", "added", "adds", "warned", "warns", "noted",
    "notes", "explained", "declared", "announced", "announces", "reported", "reports", "revealed", "reveals",
    "confirmed", "confirms", "claimed", "asserted", "stressed", "emphasized", "emphasised", "argued", "wrote",
    "insisted", "acknowledged", "mentioned", "quoted", "cited", "indicated", "pointed", "concluded", "tweeted",
    "posted", "denied", "alleged", "admitted", "urged", "cautioned", "predicted", "remarked",
];

/// Titles that precede a person's name ("General Michael Kurilla").
pub const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "general", "col", "colonel", "lt", "lieutenant", "maj", "major", "capt",
    "captain", "sgt", "sergeant", "cmdr", "commander", "adm", "admiral", "president", "vice", "minister", "premier",
    "senator", "sen", "rep", "representative", "gov", "governor", "mayor", "judge", "justice", "bishop",
    "archbishop", "father", "rev", "reverend", "sheikh", "sheik", "imam", "ayatollah", "mullah", "king", "queen",
    "prince", "princess", "pope", "cardinal", "ambassador", "chancellor", "secretary", "prosecutor", "attorney",
    "lawyer", "spokesman", "spokeswoman", "spokesperson", "deputy", "chief", "inspector", "commissioner",
    "detective", "officer", "professor", "prof", "comrade", "emir", "sultan", "dictator", "chairman", "leader",
    "businessman", "businesswoman", "journalist", "reporter", "activist", "priest", "pastor", "rabbi", "councillor",
    "councilor", "congressman", "congresswoman", "lawmaker", "deputy", "candidate", "magistrate", "engineer",
];

/// Head words of offices and functions, for people's roles.
pub const OFFICE_HEADS: &[&str] = &[
    "head", "director", "chief", "minister", "president", "general", "spokesman", "spokeswoman", "spokesperson",
    "official", "officials", "commander", "advisor", "adviser", "secretary", "ambassador", "senator", "governor",
    "mayor", "leader", "founder", "expert", "analyst", "researcher", "officer", "prosecutor", "judge", "chairman",
    "chairwoman", "chair", "deputy", "coordinator", "envoy", "representative", "member", "lawmaker", "legislator",
    "colonel", "captain", "lieutenant", "major", "sergeant", "admiral", "chancellor", "premier", "king", "queen",
    "correspondent", "editor", "reporter", "professor", "fellow", "commissioner", "inspector", "agent", "attorney",
    "lawyer", "bishop", "priest", "imam", "cleric", "emir", "mufti", "activist", "journalist", "candidate",
    "councillor", "councilor", "counsel", "executive", "manager", "superintendent", "rapporteur", "negotiator",
];

pub fn is_stop(lower: &str) -> bool {
    STOP.contains(&lower)
}

pub fn is_speech_verb(lower: &str) -> bool {
    SPEECH_VERBS.contains(&lower)
}

pub fn is_honorific(lower: &str) -> bool {
    HONORIFICS.contains(&lower.trim_end_matches('.'))
}

pub fn is_office_head(lower: &str) -> bool {
    OFFICE_HEADS.contains(&lower)
}

/// Parses a small cardinal: digits ("7", "1,200") or a number word
/// ("seven", "a dozen"). Returns `None` for anything else.
pub fn number_value(lower: &str) -> Option<u32> {
    let digits: String = lower.chars().filter(|c| *c != ',').collect();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return digits.parse().ok();
    }
    const WORDS: [&str; 21] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
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
