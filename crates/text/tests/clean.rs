use vigil_core::CleaningKind;
use vigil_text::{clean, clean_inline, paragraphs, sentences, CleanOptions};

fn c(s: &str) -> vigil_text::Cleaned {
    clean(s, &CleanOptions::default())
}

#[test]
fn liveblog_update_lines_dropped() {
    let raw = "Live: Attack in Kabul\n\nUpdated 14:05 GMT\nPolice said two men were arrested.\n\nUpdated 13:40 GMT\n\nThe blast hit a market.\n";
    let out = c(raw);
    assert_eq!(
        out.text,
        "Live: Attack in Kabul\n\nPolice said two men were arrested.\n\nThe blast hit a market."
    );
    assert_eq!(out.report.boilerplate_removed, 2);
    assert!(out.timestamp.is_none()); // a time without a date is no timestamp
    assert!(out
        .report
        .changes
        .iter()
        .any(|ch| ch.kind == CleaningKind::Timestamp && ch.before == "Updated 14:05 GMT"));
}

#[test]
fn greek_and_cyrillic_lookalikes() {
    // Greek omicron, alpha, Cyrillic es, Armenian o (օ), Cherokee (Ꭺ), Greek nu.
    let out = c("Τhe ΙSΙS-K gr\u{03BF}up \u{0430}ttacked \u{0441}ivilians \u{0585}n M\u{03BF}nday. \u{13AA}ll were sa\u{03BD}ed.");
    assert_eq!(
        out.text,
        "The ISIS-K group attacked civilians on Monday. All were saved."
    );
    assert_eq!(out.report.confusables_replaced, 10);
    assert!(out
        .report
        .changes
        .iter()
        .any(|ch| ch.kind == CleaningKind::Confusable && ch.after == "attacked"));
}

#[test]
fn fullwidth_and_math_bold() {
    let out = c("Ｔｈｅ ａｔｔａｃｋ in 𝐏𝐚𝐫𝐢𝐬 killed ２４ people.");
    assert_eq!(out.text, "The attack in Paris killed 24 people.");
    assert_eq!(out.report.confusables_replaced, 3 + 6 + 5 + 2);
}

#[test]
fn zero_width_inside_words_and_soft_hyphens() {
    let out =
        c("The Is\u{200B}lamic St\u{00AD}ate\u{2060} claimed\u{FEFF} the at\u{200C}tack\u{202E}.");
    assert_eq!(out.text, "The Islamic State claimed the attack.");
    assert_eq!(out.report.invisible_removed, 6);
    assert!(out
        .report
        .changes
        .iter()
        .any(|ch| ch.kind == CleaningKind::Invisible && ch.after == "Islamic"));
}

#[test]
fn odd_spaces_and_crlf() {
    let out = c("One\u{00A0}two\u{2009}three\u{3000}four\r\n\r\nFive  six\t seven\r\n");
    assert_eq!(out.text, "One two three four\n\nFive six seven");
    assert_eq!(out.report.spaces_normalized, 3);
}

#[test]
fn genuine_russian_paragraph_survives() {
    let ru = "Теракт в «Крокус Сити Холле» произошёл 22 марта. Ответственность взяло на себя ИГИЛ. Он сказал: «Оса».";
    let raw = format!("The attack was reported in English first.\n\n{ru}\n\nIt was a shock.");
    let out = c(&raw);
    assert!(out.text.contains(ru), "{}", out.text);
    assert_eq!(out.report.confusables_replaced, 0);
}

#[test]
fn genuine_arabic_and_greek_names_survive() {
    let raw = "The group, known in Arabic as الدولة الإسلامية ولاية خراسان, struck again.\n\n\
               Officials in Αθήνα cited Σωκράτης and the ΚΚΕ party.";
    let out = c(raw);
    assert!(out.text.contains("الدولة الإسلامية ولاية خراسان"));
    assert!(
        out.text.contains("Αθήνα") && out.text.contains("Σωκράτης") && out.text.contains("ΚΚΕ"),
        "{}",
        out.text
    );
    let ar = "قال مسؤولون إن التنظيم يخطط لهجمات في أوروبا.";
    assert_eq!(c(ar).text, ar);
}

#[test]
fn mixed_word_in_cyrillic_text_untouched() {
    // A Russian sentence: all-confusable words ("Оса", "о") stay Cyrillic.
    let ru = "Оса села на стол, а кот смотрел на неё.";
    assert_eq!(c(ru).text, ru);
}

#[test]
fn chrome_anywhere_and_trailing() {
    let raw = "Gunmen attacked a checkpoint.\nShare on Facebook\nShare on X\n\nClick here to subscribe\n\nTwo soldiers died.\n\n\
               Related\nFollow us on Telegram\nNewsletter\nAll rights reserved © 2024";
    let out = c(raw);
    assert_eq!(
        out.text,
        "Gunmen attacked a checkpoint.\n\nTwo soldiers died."
    );
    assert_eq!(out.report.boilerplate_removed, 7);
}

#[test]
fn subheadings_and_dateline_kept() {
    let raw = "KABUL, March 25 (Reuters) - A blast hit the city.\n\nOfficials warn\n\nMore attacks may follow.\n\nWhat is ISIS-Khorasan?\n\nA branch of IS.";
    assert_eq!(c(raw).text, raw);
}

#[test]
fn given_title_dropped_and_returned() {
    let title = "Warnings of ISIS-K attacks in Russia, Iran signal threat to Europe";
    let raw = "Warnings оf ISIS-K attacks in\nBody text here.";
    let out = clean(
        raw,
        &CleanOptions {
            title: Some(title),
            ..CleanOptions::default()
        },
    );
    assert_eq!(out.text, "Body text here.");
    assert_eq!(out.title.as_deref(), Some(title));
}

#[test]
fn changes_are_capped() {
    let raw = "іn ".repeat(50) + "end.";
    let out = clean(
        &raw,
        &CleanOptions {
            title: None,
            max_changes: 10,
        },
    );
    assert_eq!(out.report.changes.len(), 10);
    assert!(out.report.changes_truncated);
    assert_eq!(out.report.confusables_replaced, 50);
}

#[test]
fn inline() {
    assert_eq!(
        clean_inline(" ІSІS\u{200B}-K  сlaims\nattack "),
        "ISIS-K claims attack"
    );
    assert_eq!(clean_inline(""), "");
}

#[test]
fn hostile_inputs_do_not_panic() {
    let long_line = "ab\u{0441}d ".repeat(250_000); // 1.25 MB single line, look-alikes
    let out = c(&long_line);
    assert!(out.text.starts_with("abcd abcd"));
    assert_eq!(out.report.confusables_replaced, 250_000);
    let weird =
        "\u{202E}\u{200B}\n\r\r\n\u{FEFF}\u{0301}\u{0301}. . ..\u{2028}\u{2029}\u{0000}\u{E0041}";
    let out = c(weird);
    let _ = sentences(&out.text);
    let _ = paragraphs(&out.text);
    let many_titles = "Same title here\n".repeat(10_000);
    let out = c(&many_titles);
    assert!(out.text.len() < many_titles.len());
    let dots = ".".repeat(100_000) + " A. " + &"x".repeat(100_000);
    assert!(!sentences(&dots).is_empty());
}

#[test]
fn hostile_layouts_do_not_panic() {
    let blanks = "Body.\n".to_string() + &"\n".repeat(200_000) + &"Share\n\n\n".repeat(20_000);
    assert_eq!(c(&blanks).text, "Body.");
    let huge_title = "x".repeat(3_000_000) + "\n" + &"x".repeat(3_000_000) + "\nBody.";
    let out = c(&huge_title);
    assert!(out.text.ends_with("Body."));
    let only_chrome = "Share\nFollow us\nAdvertisement\n";
    assert_eq!(c(only_chrome).text, "");
}

#[test]
fn editorial_markers_removed_and_counted() {
    let raw = "LIMA, 14 MAR 91 (EFE) -- [TEXT] SHINING PATH GUERRILLAS DYNAMITED FOUR TOWERS.\n\nThe minister said the army would stay [passage omitted].\n\n[DATELINE]\n\n\"[The attackers] fled,\" he said.";
    let out = c(raw);
    assert_eq!(
        out.text,
        "LIMA, 14 MAR 91 (EFE) -- SHINING PATH GUERRILLAS DYNAMITED FOUR TOWERS.\n\nThe minister said the army would stay.\n\n\"[The attackers] fled,\" he said."
    );
    assert_eq!(out.report.boilerplate_removed, 3);
    assert!(out
        .report
        .changes
        .iter()
        .any(|ch| ch.kind == CleaningKind::Boilerplate && ch.before == "[TEXT]"));
    assert_eq!(c(&out.text).text, out.text);
}

#[test]
fn disguised_editorial_marker_removed() {
    // Cyrillic Т, Е, Х, Т inside the brackets.
    let out = c(
        "LIMA (EFE) -- [\u{0422}\u{0415}\u{0425}\u{0422}] GUERRILLAS ATTACKED A POLICE STATION.",
    );
    assert_eq!(
        out.text,
        "LIMA (EFE) -- GUERRILLAS ATTACKED A POLICE STATION."
    );
    assert_eq!(c(&out.text).text, out.text);
}
