//! Near-duplicate detection on realistic article texts.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use vigil_corpus::{DuplicateIndex, Signature, Similarity, MIN_RESEMBLANCE};

const HEADLINE: &str = "Suicide bomber kills 17 at Kandahar mosque during Friday prayers";

const BODY: &str = "\
KANDAHAR, Afghanistan (Reuters) - A suicide bomber blew himself up inside a crowded Shi'ite mosque \
in the southern Afghan city of Kandahar during Friday prayers, killing at least 17 people and wounding \
dozens more, officials and witnesses said.

The attack on the Imam Bargah mosque, the largest Shi'ite place of worship in the city, came a week \
after a similar bombing at a mosque in the northern city of Kunduz that killed more than 50 people.

\"The explosion happened when the worshippers were standing in line for prayer,\" said Hafiz Abdul Hai, \
the head of culture and information in Kandahar province. He said three attackers had tried to enter \
the building, two of whom were shot by guards at the entrance before the third detonated his vest \
in the main hall.

Doctors at the Mirwais regional hospital said they had received the bodies of 17 people and treated \
more than 40 wounded, some of them in critical condition. Residents rushed to the hospital to donate \
blood after an appeal broadcast on local radio stations in the afternoon.

No group immediately claimed responsibility, but the Islamic State's regional affiliate, known as \
Islamic State Khorasan, said it carried out the Kunduz bombing last week and has repeatedly targeted \
the country's Shi'ite Hazara minority, whom it regards as apostates.

The Taliban, who seized power in August after the collapse of the Western-backed government, have \
promised to restore security across the country, but a string of attacks claimed by the militant group \
has raised doubts about their ability to contain the threat. A spokesman for the Taliban administration \
condemned the attack and said a special forces unit had been sent to investigate.

Witnesses described scenes of chaos as people tried to flee the building. \"I saw bodies everywhere, \
people were screaming and looking for their relatives,\" said a shopkeeper whose store is across the \
street from the mosque. Security forces sealed off the area and prevented journalists from approaching \
the site for several hours.

The United Nations mission in Afghanistan condemned the bombing and called for those responsible to be \
brought to justice. Shi'ite leaders urged the authorities to provide better protection for mosques and \
religious gatherings, saying the community felt abandoned after the latest attacks.";

fn original() -> String {
    format!("{HEADLINE}\n\n{BODY}")
}

/// The same story republished by another site: a new headline and one
/// sentence rewritten.
fn republished() -> String {
    let body = BODY.replace(
        "Residents rushed to the hospital to donate blood after an appeal broadcast on local radio stations in the afternoon.",
        "Residents queued at the hospital to give blood after an appeal on local radio.",
    );
    assert_ne!(body, BODY);
    format!(
        "Kandahar mosque blast: at least 17 dead as bomber strikes Shi'ite worshippers\n\n{body}"
    )
}

/// A different article on the same bombing, written independently.
fn other_article() -> String {
    "Explosion at Shia mosque in Kandahar leaves many dead

At least 18 people were killed on Friday when an explosion ripped through a Shia mosque in Kandahar, \
Afghanistan's second-largest city, according to local health officials speaking to the BBC.

The blast struck the Bibi Fatima mosque as hundreds gathered for the weekly prayers. Footage shared on \
social media showed bloodied carpets and shattered windows, with volunteers carrying the injured to \
private cars and ambulances.

A Taliban interior ministry spokesman, Qari Sayed Khosti, said on Twitter that security forces had \
arrived at the scene and were investigating. He gave no figure for the number of casualties and did not \
say who might be behind the explosion.

The Islamic State group in Afghanistan, an enemy of the Taliban, has attacked Shia Muslims several times \
this year. Last week a bomber killed dozens of worshippers in Kunduz, in an attack later claimed by the \
group. Analysts say the group is trying to undermine the Taliban's claim to have brought peace to the \
country after two decades of war.

Hazara community leaders said they had asked the new authorities for armed guards at their mosques after \
the Kunduz attack, but that their requests had gone unanswered. Many families in the city said they would \
keep their children at home until the situation became clearer."
        .to_string()
}

fn similarity(a: &str, b: &str) -> Similarity {
    Signature::of(a)
        .unwrap()
        .similarity(&Signature::of(b).unwrap())
}

/// Files `a` then `b`; whether `b` joined `a`'s story.
fn joins(a: &str, b: &str) -> bool {
    let mut index = DuplicateIndex::new();
    assert_eq!(index.insert("first", a), None);
    match index.insert("second", b) {
        Some(id) => {
            assert_eq!(id, "first");
            assert_eq!(index.len(), 1);
            true
        }
        None => {
            assert_eq!(index.len(), 2);
            false
        }
    }
}

#[test]
fn identical_text_is_a_duplicate() {
    let a = original();
    let s = similarity(&a, &a);
    assert_eq!(s.resemblance, 1.0);
    assert_eq!(s.containment, 1.0);
    assert!(joins(&a, &a));
}

#[test]
fn republished_copy_is_a_duplicate() {
    let (a, b) = (original(), republished());
    let s = similarity(&a, &b);
    eprintln!("republished copy: {s:?}");
    assert!(s.resemblance >= MIN_RESEMBLANCE, "{s:?}");
    let mut index = DuplicateIndex::new();
    assert_eq!(index.insert("reuters-1", &a), None);
    assert_eq!(index.insert("mirror-7", &b), Some("reuters-1".to_string()));
    // A duplicate is not indexed itself: the index holds one story.
    assert_eq!(index.len(), 1);
    assert_eq!(index.find(&b).map(|(id, _)| id), Some("reuters-1"));
}

#[test]
fn a_few_words_changed_is_a_duplicate() {
    let a = original();
    let b = a
        .replace("at least 17 people", "at least 19 people")
        .replace("wounding dozens more", "injuring dozens more")
        .replace("sealed off the area", "cordoned off the area");
    assert_ne!(a, b);
    assert!(joins(&a, &b), "{:?}", similarity(&a, &b));
}

#[test]
fn boilerplate_differences_are_duplicates() {
    let a = original();
    let b = format!(
        "Share this article. Follow us on Twitter.\n\n{}\n\nCopyright 2021 Mirror News. All rights reserved. \
         Editing by Jane Doe.",
        a.replace("KANDAHAR, Afghanistan (Reuters) -", "KANDAHAR (AP) —")
    );
    assert!(joins(&a, &b), "{:?}", similarity(&a, &b));
}

#[test]
fn a_paragraph_appended_is_a_duplicate() {
    let a = original();
    let b = format!(
        "{a}\n\nUPDATE: The provincial health director said on Saturday that the death toll had risen to \
         32 after several of the wounded died overnight in hospital, and that 68 people were still being \
         treated, eleven of them in intensive care. Funerals were held in the afternoon under heavy guard."
    );
    assert!(joins(&a, &b), "{:?}", similarity(&a, &b));
}

#[test]
fn a_copy_cut_to_its_first_half_is_a_duplicate() {
    let a = original();
    let paragraphs: Vec<&str> = a.split("\n\n").collect();
    let b = paragraphs[..paragraphs.len() / 2 + 1].join("\n\n");
    let s = similarity(&a, &b);
    eprintln!("first half: {s:?}");
    assert!(
        s.resemblance < MIN_RESEMBLANCE,
        "the containment rule is tested: {s:?}"
    );
    assert!(joins(&a, &b), "{s:?}");
}

#[test]
fn different_articles_on_the_same_event_are_not_duplicates() {
    let (a, b) = (original(), other_article());
    let s = similarity(&a, &b);
    eprintln!("other article: {s:?}");
    assert!(s.resemblance < 0.1, "{s:?}");
    assert!(!joins(&a, &b));
}

#[test]
fn another_body_under_the_same_lead_is_not_a_duplicate() {
    // The headline and first two paragraphs reused, the rest from another
    // article.
    let a = original();
    let lead = a.split("\n\n").take(3).collect::<Vec<_>>().join("\n\n");
    let other = other_article();
    let body: Vec<&str> = other.split("\n\n").skip(1).collect();
    let b = format!("{lead}\n\n{}", body.join("\n\n"));
    let s = similarity(&a, &b);
    eprintln!("same lead: {s:?}");
    assert!(!joins(&a, &b), "{s:?}");
}

#[test]
fn whitespace_and_case_changes_are_duplicates() {
    let a = original();
    let b = a.to_uppercase().replace('\n', " ");
    assert_eq!(Signature::of(&a), Signature::of(&b));
}

#[test]
fn signatures_are_stable_across_runs() {
    // Fixed bytes: FNV-1a, the mixing and the MinHash coefficients are
    // fully specified, so a signature never changes between runs,
    // platforms or Rust versions (stores may keep them).
    let s = Signature::of("a suicide bomber blew himself up inside a crowded mosque").unwrap();
    assert_eq!(s.shingles(), 8);
    let hex: String = s.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, PINNED);
}

const PINNED: &str = "aaa70770777a777774a07707a7a70077777a4070747a0700a77704747a7070a77a7a7a4aa77a704077777aa7aa7a00aa77477a770aa774707a44740aa07a774008000000a05abd5ea3769db34951c956a60832639008ca8ec60a29d34ff30a6e134b12f1af8c81b6da50d037bcb85558e3038fb4";

/// A 64-bit LCG.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// `n` words drawn from a vocabulary of `vocab` words.
fn random_text(rng: &mut Lcg, n: usize, vocab: u64) -> Vec<String> {
    (0..n).map(|_| format!("w{}", rng.next(vocab))).collect()
}

#[test]
fn many_unrelated_stories_stay_apart() {
    // Distinct synthetic texts never join each other's story.
    let mut index = DuplicateIndex::new();
    for i in 0..2000u64 {
        let mut rng = Lcg(i + 1);
        let text = random_text(&mut rng, 60, 5000).join(" ");
        assert_eq!(index.insert(&format!("d{i}"), &text), None, "doc {i}");
    }
    assert_eq!(index.len(), 2000);
    assert!(
        index.memory_bytes() < 2000 * 400,
        "{}",
        index.memory_bytes()
    );
}

#[test]
fn templated_reports_each_find_their_own_original() {
    // Reports sharing a boilerplate lead can share signature bands, so a
    // lookup meets other reports as candidates besides the copy's own
    // original, which must still be the one found.
    let lead = random_text(&mut Lcg(999), 40, 20_000);
    let mut index = DuplicateIndex::new();
    let mut texts = Vec::new();
    for i in 0..400u64 {
        let mut words = lead.clone();
        words.extend(random_text(&mut Lcg(i + 1), 120, 20_000));
        assert_eq!(
            index.insert(&format!("r{i}"), &words.join(" ")),
            None,
            "report {i}"
        );
        texts.push(words);
    }
    for (i, words) in texts.iter().enumerate().step_by(7) {
        let mut copy = words.clone();
        copy[50] = "edited".into();
        copy[100] = "twice".into();
        let found = index.find(&copy.join(" ")).map(|(id, _)| id.to_string());
        assert_eq!(found, Some(format!("r{i}")));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Up to three words replaced in a text of 150–400 words: always the
    /// same story.
    #[test]
    fn light_edits_join_the_story(seed in any::<u64>(), n in 150usize..400, edits in 1usize..4) {
        let mut rng = Lcg(seed);
        let a = random_text(&mut rng, n, 20_000);
        let mut b = a.clone();
        for _ in 0..edits {
            let at = rng.next(n as u64) as usize;
            b[at] = format!("edit{}", rng.next(1000));
        }
        let (a, b) = (a.join(" "), b.join(" "));
        prop_assert!(joins(&a, &b), "{:?}", similarity(&a, &b));
    }

    /// Two texts sharing their first quarter and nothing else: never the
    /// same story.
    #[test]
    fn a_shared_lead_does_not_join(seed in any::<u64>(), n in 150usize..400) {
        let mut rng = Lcg(seed);
        let a = random_text(&mut rng, n, 20_000);
        let mut b: Vec<String> = a[..n / 4].to_vec();
        b.extend(random_text(&mut rng, n - n / 4, 20_000));
        let (a, b) = (a.join(" "), b.join(" "));
        prop_assert!(!joins(&a, &b), "{:?}", similarity(&a, &b));
    }

    /// Undoing a batch leaves an index that answers like one that never
    /// saw it.
    #[test]
    fn truncate_is_exact(seed in any::<u64>(), first in 1usize..60, more in 1usize..60) {
        let mut rng = Lcg(seed);
        let texts: Vec<String> = (0..first + more).map(|_| random_text(&mut rng, 30, 50).join(" ")).collect();
        let mut index = DuplicateIndex::new();
        let mut fresh = DuplicateIndex::new();
        for (i, t) in texts.iter().take(first).enumerate() {
            let id = format!("d{i}");
            prop_assert_eq!(index.insert(&id, t), fresh.insert(&id, t));
        }
        let mark = index.len();
        for (i, t) in texts.iter().enumerate().skip(first) {
            index.insert(&format!("d{i}"), t);
        }
        index.truncate(mark);
        for t in &texts {
            prop_assert_eq!(index.find(t).map(|(id, s)| (id.to_string(), s)), fresh.find(t).map(|(id, s)| (id.to_string(), s)));
        }
    }
}
