//! Near-duplicate detection on realistic article texts.

use vigil_corpus::{hamming, simhash, DuplicateIndex, MAX_DISTANCE};

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

#[test]
fn republished_copy_is_a_duplicate() {
    let (a, b) = (original(), republished());
    let d = hamming(simhash(&a).unwrap_or(0), simhash(&b).unwrap_or(!0));
    eprintln!("republished copy: distance {d}");
    assert!(d <= MAX_DISTANCE, "distance {d}");
    let mut index = DuplicateIndex::new();
    assert_eq!(index.insert("reuters-1", &a), None);
    assert_eq!(index.insert("mirror-7", &b), Some("reuters-1".to_string()));
    // A duplicate is not indexed itself: the index holds one story.
    assert_eq!(index.len(), 1);
    assert_eq!(index.find(&b).map(|(id, _)| id), Some("reuters-1"));
}

#[test]
fn different_articles_on_the_same_event_are_not_duplicates() {
    let (a, b) = (original(), other_article());
    let d = hamming(simhash(&a).unwrap_or(0), simhash(&b).unwrap_or(0));
    eprintln!("other article: distance {d}");
    assert!(d > MAX_DISTANCE + 8, "distance {d}");
    let mut index = DuplicateIndex::new();
    assert_eq!(index.insert("reuters-1", &a), None);
    assert_eq!(index.insert("bbc-3", &b), None);
    assert_eq!(index.len(), 2);
}

#[test]
fn whitespace_and_case_changes_are_duplicates() {
    let a = original();
    let b = a.to_uppercase().replace('\n', " ");
    assert_eq!(simhash(&a), simhash(&b));
}

#[test]
fn fingerprints_are_stable_across_runs() {
    // A fixed value: FNV-1a and the mixing are fully specified, so the
    // fingerprint never changes between runs, platforms or Rust versions.
    let fp = simhash(&original());
    assert_eq!(fp, simhash(&original()));
    let pinned = simhash("a suicide bomber blew himself up inside a crowded mosque");
    assert_eq!(pinned, Some(PINNED));
}

const PINNED: u64 = 0x12403d88011ce445;

#[test]
fn many_unrelated_stories_stay_apart() {
    // Distinct synthetic texts never collide with each other.
    let mut index = DuplicateIndex::new();
    for i in 0..500u32 {
        // A 64-bit LCG seeded per document: 60 words from a 5,000-word vocabulary.
        let mut x = u64::from(i) + 1;
        let text: String = (0..60)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                format!("w{} ", (x >> 33) % 5000)
            })
            .collect();
        assert_eq!(index.insert(&format!("d{i}"), &text), None, "doc {i}");
    }
    assert_eq!(index.len(), 500);
}
