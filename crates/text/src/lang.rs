//! A small language detector: script first, then stopwords and letters.

use rustc_hash::FxHashMap;
use unicode_script::{Script, UnicodeScript};

/// How much of the text is looked at.
const SAMPLE_BYTES: usize = 4096;
/// Fewer letters than this gives "und".
const MIN_LETTERS: usize = 10;

const LATIN_LANGS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "of", "and", "to", "in", "is", "that", "for", "it", "was", "on", "with", "as",
            "by", "he", "at", "from", "his", "are", "have", "this", "has", "not", "be", "were",
            "which", "an", "they", "been", "had", "said", "who", "their", "would", "will", "but",
            "or",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "de", "des", "du", "et", "est", "en", "un", "une", "que", "qui",
            "dans", "pour", "pas", "sur", "au", "aux", "par", "avec", "il", "elle", "ont", "été",
            "cette", "ce", "sont", "mais", "ou", "plus", "a",
        ],
    ),
    (
        "es",
        &[
            "el", "la", "los", "las", "de", "del", "y", "en", "que", "un", "una", "es", "por",
            "con", "para", "se", "no", "al", "lo", "su", "sus", "como", "más", "pero", "fue", "ha",
            "este", "esta", "han",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "dem", "des",
            "mit", "von", "sich", "auf", "für", "im", "auch", "es", "wird", "sind", "wurde", "bei",
            "nach", "aus", "dass", "als", "sie", "er",
        ],
    ),
    (
        "it",
        &[
            "il", "lo", "la", "gli", "le", "di", "del", "della", "e", "è", "che", "un", "una",
            "per", "con", "non", "sono", "in", "al", "alla", "dei", "delle", "da", "ha", "nel",
            "anche", "come", "ma", "più", "questo",
        ],
    ),
    (
        "pt",
        &[
            "o", "a", "os", "as", "de", "do", "da", "dos", "das", "e", "é", "que", "um", "uma",
            "em", "no", "na", "não", "para", "com", "por", "se", "mais", "foi", "ao", "pelo",
            "pela", "como", "mas", "são",
        ],
    ),
    (
        "nl",
        &[
            "de", "het", "een", "en", "van", "is", "dat", "op", "te", "in", "voor", "niet", "met",
            "zijn", "die", "aan", "er", "ook", "als", "bij", "door", "naar", "om", "was", "werd",
            "worden", "wordt", "hij", "ze", "maar",
        ],
    ),
    (
        "tr",
        &[
            "ve",
            "bir",
            "bu",
            "da",
            "de",
            "için",
            "ile",
            "olarak",
            "olan",
            "çok",
            "daha",
            "en",
            "gibi",
            "ama",
            "değil",
            "ne",
            "o",
            "şu",
            "mi",
            "ki",
            "var",
            "yok",
            "sonra",
            "kadar",
            "göre",
            "tarafından",
            "ise",
            "her",
        ],
    ),
    (
        "pl",
        &[
            "i", "w", "z", "na", "się", "nie", "do", "to", "że", "jest", "o", "jak", "od", "po",
            "przez", "dla", "oraz", "jego", "ich", "być", "był", "była", "ale", "czy", "tak",
            "już",
        ],
    ),
    (
        "sv",
        &[
            "och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den", "har",
            "de", "inte", "om", "ett", "var", "jag", "men", "ska", "sig", "från", "vid", "eller",
        ],
    ),
    (
        "id",
        &[
            "yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "pada", "adalah",
            "tidak", "dalam", "akan", "oleh", "juga", "telah", "sudah", "karena", "bahwa",
            "mereka", "atau",
        ],
    ),
];

/// Letters that point at one language: (letter, language index, weight).
fn letter_hint(c: char) -> &'static [(usize, u32)] {
    match c {
        'ñ' => &[(2, 3)],
        'ã' | 'õ' => &[(5, 3)],
        'ç' => &[(1, 1), (5, 1), (7, 1)],
        'ß' => &[(3, 4)],
        'ä' => &[(3, 1), (9, 1)],
        'ö' | 'ü' => &[(3, 1), (7, 1)],
        'ğ' | 'ş' | 'ı' | 'İ' => &[(7, 4)],
        'ł' | 'ą' | 'ę' | 'ś' | 'ź' | 'ż' | 'ć' | 'ń' => &[(8, 4)],
        'å' => &[(9, 4)],
        'è' | 'à' | 'ù' => &[(1, 1), (4, 1)],
        'ê' | 'â' | 'ô' => &[(1, 1), (5, 1)],
        'œ' => &[(1, 3)],
        'á' | 'í' | 'ó' | 'ú' => &[(2, 1), (5, 1)],
        _ => &[],
    }
}

/// Guesses the language of a text: an ISO 639-1 code or `"und"`.
///
/// Looks at the first 8 KB. The dominant script decides non-Latin
/// languages (Cyrillic → ru/uk/sr/bg by their distinctive letters, Arabic
/// script → ar/fa/ur, Han → zh, kana → ja, Hangul → ko, Greek → el, Hebrew →
/// he, Devanagari → hi, Thai → th …). Latin-script text is scored by
/// stopwords and distinctive letters for en, fr, es, de, it, pt, nl, tr, pl,
/// sv and id. Fewer than 10 letters, or Latin text with no evidence, gives
/// `"und"`.
pub fn detect_language(text: &str) -> &'static str {
    let mut cut = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let sample = &text[..cut];
    let mut counts: Vec<(Script, usize)> = Vec::new();
    let mut letters = 0usize;
    for c in sample.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        // ASCII letters are Latin: skip the script table for them.
        let s = if c.is_ascii() {
            Script::Latin
        } else {
            c.script()
        };
        let s = match s {
            Script::Hiragana | Script::Katakana => Script::Hiragana,
            s => s,
        };
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some(e) => e.1 += 1,
            None => counts.push((s, 1)),
        }
    }
    if letters < MIN_LETTERS {
        return "und";
    }
    let count = |s: Script| counts.iter().find(|(k, _)| *k == s).map_or(0, |e| e.1);
    let Some(&(dominant, _)) = counts.iter().max_by_key(|e| e.1) else {
        return "und";
    };
    match dominant {
        Script::Latin => latin(sample),
        Script::Cyrillic => cyrillic(sample),
        Script::Arabic => arabic(sample),
        Script::Han | Script::Hiragana => {
            if count(Script::Hiragana) * 10 >= count(Script::Han) + count(Script::Hiragana) {
                "ja"
            } else {
                "zh"
            }
        }
        Script::Hangul => "ko",
        Script::Greek => "el",
        Script::Hebrew => "he",
        Script::Devanagari => "hi",
        Script::Thai => "th",
        Script::Armenian => "hy",
        Script::Georgian => "ka",
        Script::Bengali => "bn",
        Script::Tamil => "ta",
        Script::Ethiopic => "am",
        _ => "und",
    }
}

fn cyrillic(sample: &str) -> &'static str {
    let has = |set: &[char]| sample.chars().filter(|c| set.contains(c)).count();
    let uk = has(&['ї', 'є', 'ґ', 'Ї', 'Є', 'Ґ']) + has(&['і', 'І']) / 2;
    let sr = has(&['ђ', 'ј', 'љ', 'њ', 'ћ', 'џ', 'Ђ', 'Ј', 'Љ', 'Њ', 'Ћ', 'Џ']);
    let ru = has(&['ы', 'э', 'ё', 'Ы', 'Э', 'Ё']);
    let hard = has(&['ъ', 'Ъ']);
    if sr > ru && sr >= uk && sr > 0 {
        "sr"
    } else if uk > ru && uk > 0 {
        "uk"
    } else if ru == 0 && hard >= 3 {
        "bg"
    } else {
        "ru"
    }
}

fn arabic(sample: &str) -> &'static str {
    let has = |set: &[char]| sample.chars().filter(|c| set.contains(c)).count();
    let fa = has(&['پ', 'چ', 'ژ', 'گ', 'ک', 'ی']);
    let ur = has(&['ٹ', 'ڈ', 'ڑ', 'ں', 'ے', 'ھ']);
    let ar = has(&['ة', 'ي', 'ك', 'ى']);
    if ur > 0 && ur * 2 >= fa && ur >= ar / 4 {
        "ur"
    } else if fa > ar {
        "fa"
    } else {
        "ar"
    }
}

/// Every stopword of `LATIN_LANGS` with the languages it belongs to,
/// built once: one hash lookup per word instead of a scan of every list.
/// (A fast non-keyed hash: the keys are our own word lists.)
fn stopword_index() -> &'static FxHashMap<&'static str, Vec<usize>> {
    static INDEX: std::sync::OnceLock<FxHashMap<&'static str, Vec<usize>>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: FxHashMap<&'static str, Vec<usize>> = FxHashMap::default();
        for (k, (_, stop)) in LATIN_LANGS.iter().enumerate() {
            for word in stop.iter() {
                let langs = index.entry(word).or_default();
                if !langs.contains(&k) {
                    langs.push(k);
                }
            }
        }
        index
    })
}

/// The length in bytes of the longest stopword: a longer ASCII word is none.
fn longest_stopword() -> usize {
    static LONGEST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LONGEST.get_or_init(|| {
        LATIN_LANGS
            .iter()
            .flat_map(|(_, stop)| stop.iter().map(|w| w.len()))
            .max()
            .unwrap_or(0)
    })
}

fn latin(sample: &str) -> &'static str {
    let mut scores = [0u32; LATIN_LANGS.len()];
    let mut words = 0usize;
    let mut lower = String::new();
    let index = stopword_index();
    let longest = longest_stopword();
    for word in sample
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| !w.is_empty())
    {
        words += 1;
        lower.clear();
        if word.is_ascii() {
            // ASCII lower-casing keeps the length: a long word is no stopword.
            if word.len() > longest {
                continue;
            }
            lower.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            lower.extend(word.chars().flat_map(char::to_lowercase));
        }
        if let Some(langs) = index.get(lower.as_str()) {
            for &k in langs {
                scores[k] += 2;
            }
        }
    }
    for c in sample.chars() {
        for &(k, w) in letter_hint(c) {
            scores[k] += w;
        }
    }
    let (best, &score) = scores
        .iter()
        .enumerate()
        .max_by_key(|&(k, s)| (*s, usize::MAX - k))
        .unwrap_or((0, &0));
    if score < 4 && !(words < 4 && score >= 2) {
        return "und";
    }
    LATIN_LANGS[best].0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        let cases = [
            ("en", "The recent attacks by the organization in Russia and Iran may encourage it to target European countries."),
            ("fr", "Les attaques récentes de l'organisation en Russie et en Iran pourraient l'encourager à cibler des pays européens."),
            ("es", "Los recientes ataques de la organización en Rusia e Irán podrían animarla a atacar países europeos, según expertos."),
            ("de", "Die jüngsten Anschläge der Organisation in Russland und im Iran könnten sie ermutigen, europäische Länder anzugreifen."),
            ("it", "Gli attacchi recenti dell'organizzazione in Russia e in Iran potrebbero incoraggiarla a colpire i paesi europei, che sono a rischio."),
            ("pt", "Os recentes ataques da organização na Rússia e no Irã podem encorajá-la a atacar países europeus, segundo especialistas."),
            ("tr", "Örgütün Rusya ve İran'daki son saldırıları, onu Avrupa ülkelerini hedef almaya teşvik edebilir ve bu çok tehlikeli."),
            ("ru", "Недавние нападения организации в России и Иране могут подтолкнуть её к атакам на европейские страны."),
            ("uk", "Нещодавні напади організації в Росії та Ірані можуть підштовхнути її до атак на європейські країни."),
            ("ar", "قد تشجع الهجمات الأخيرة التي شنها تنظيم الدولة في روسيا وإيران على استهداف الدول الأوروبية."),
            ("fa", "حملات اخیر این گروه در روسیه و ایران ممکن است آن را به هدف گرفتن کشورهای اروپایی تشویق کند."),
            ("zh", "该组织最近在俄罗斯和伊朗发动的袭击可能会鼓励其将欧洲国家作为目标。"),
            ("ja", "最近のロシアとイランでの攻撃は、組織がヨーロッパ諸国を標的にすることを促す可能性があります。"),
            ("el", "Οι πρόσφατες επιθέσεις της οργάνωσης στη Ρωσία και το Ιράν μπορεί να την ενθαρρύνουν."),
        ];
        for (want, text) in cases {
            assert_eq!(detect_language(text), want, "{text}");
        }
    }

    #[test]
    fn undetermined() {
        assert_eq!(detect_language(""), "und");
        assert_eq!(detect_language("ISIS-K"), "und");
        assert_eq!(detect_language("12345 !!! ---"), "und");
        assert_eq!(detect_language("Xyzzy plugh qwerty asdfgh zxcvb"), "und");
    }
}
