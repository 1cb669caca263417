//! Place mentions in text: every gazetteer name looked up at each word of the folded text
//! (whole words, capitalised in Latin script), names next to kind words ("X district",
//! "the village of X"), organisation names removed, then resolution in context.

use std::collections::HashSet;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use regex::Regex;
use serde::Serialize;

use super::names::NameTable;
use super::text::{Sentence, fold_with_offsets};
use crate::gazetteer::Kind;
use crate::geocode::fold::fold;
use crate::geocode::query::strip_kind_words;
use crate::geocode::{Geocoder, Options, Status};

/// A place mentioned in the text.
///
/// The place's fields (`id` to `precision`) are set exactly when `status` is
/// [`Status::Resolved`]; they are those of the gazetteer's [`Place`](crate::gazetteer::Place).
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    /// The words as written.
    pub mention: String,
    /// Character offset (not byte) of the mention's start in the input.
    pub start: usize,
    /// Character offset of its end, past its last character.
    pub end: usize,
    /// Whether the gazetteer and the context settle the mention: one place, several that
    /// nothing tells apart (`reason` lists them), or none.
    pub status: Status,
    /// The place's gazetteer id.
    pub id: Option<String>,
    /// The place's gazetteer name, which may be spelled unlike `mention`.
    pub name: Option<String>,
    /// What kind of place it is.
    pub kind: Option<Kind>,
    /// The place's country, ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The place's province (empty when the gazetteer gives none).
    pub admin1: Option<String>,
    /// The place's district (empty when the gazetteer gives none).
    pub admin2: Option<String>,
    /// WGS84 latitude in degrees.
    pub lat: Option<f64>,
    /// WGS84 longitude in degrees.
    pub lon: Option<f64>,
    /// ACLED geo_precision: 1 the place itself, 2 near it or a district, 3 a province or
    /// region; at least 2 for a part of a place ("Upper Khorog", at Khorog's point).
    pub precision: Option<u8>,
    /// What settled it (context used), or why it is not settled.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl Mention {
    /// A mention found at `start..end`, not yet resolved.
    fn found(mention: String, start: usize, end: usize) -> Mention {
        Mention {
            mention,
            start,
            end,
            status: Status::Unresolved,
            id: None,
            name: None,
            kind: None,
            country: None,
            admin1: None,
            admin2: None,
            lat: None,
            lon: None,
            precision: None,
            reason: String::new(),
        }
    }
}

/// Words that are gazetteer names but mostly something else in English news.
const NOT_PLACES: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
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
    "president",
    "capital",
    "central",
    "north",
    "south",
    "east",
    "west",
    "border",
    "river",
    "district",
    "province",
    "region",
    "state",
    "islamic",
    "republic",
    // Demonyms are not places.
    "afghan",
    "afghans",
    "tajik",
    "tajiks",
    "uzbek",
    "uzbeks",
    "pakistani",
    "russian",
    "iranian",
    "chinese",
    "kyrgyz",
    "turkmen",
    "tajikistani",
    "arab",
    "arabs",
    "pashtun",
    "pashtuns",
];

struct Patterns {
    /// Every folded gazetteer name of four or more letters, and whether only villages carry it.
    names: NameTable<bool>,
    organisations: AhoCorasick,
}

/// The bundled gazetteer's names (a word table) and the organisation names (an automaton),
/// built once.
fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // Each folded name, and whether every place that carries it is a village.
        let mut names: rustc_hash::FxHashMap<String, bool> = Default::default();
        for p in Geocoder::bundled().places() {
            let village = p.kind == Kind::Village;
            for name in std::iter::once(&p.name).chain(&p.alt_names) {
                for variant in [name.clone(), strip_kind_words(name)] {
                    let folded = fold(&variant);
                    let letters = folded.chars().filter(|c| c.is_alphabetic()).count();
                    if letters >= 4 && !NOT_PLACES.contains(&folded.as_str()) {
                        *names.entry(folded).or_insert(true) &= village;
                    }
                }
            }
        }
        let organisations: Vec<String> = super::facts::actor_table()
            .iter()
            .map(|r| fold(&r.alias))
            .collect();
        let organisations = AhoCorasickBuilder::new()
            .match_kind(AcMatchKind::LeftmostLongest)
            .build(&organisations)
            .expect("organisation patterns build");
        Patterns {
            names: NameTable::new(names),
            organisations,
        }
    })
}

/// Finds place mentions without resolving them: character ranges, in text order. Every
/// gazetteer name looked up at each word of the folded text (whole words only, the longest
/// name at each word, organisation names hiding the places inside them), plus unknown names
/// next to kind words.
///
/// ```
/// use borderwatch::extract::toponyms::find;
/// let text = "Fighters crossed the Amu Darya in Qala-i-Zal district.";
/// let names: Vec<String> = find(text)
///     .iter()
///     .map(|&(a, b)| text.chars().skip(a).take(b - a).collect())
///     .collect();
/// assert_eq!(names, ["Amu Darya", "Qala-i-Zal"]);
/// ```
///
/// # Panics
///
/// Only if the bundled gazetteer or actor table did not load (both are built in and tested).
pub fn find(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let folded = fold_with_offsets(text);
    let p = patterns();
    // Organisation names hide the places inside them.
    let hidden = Spans(
        whole_word_matches(&p.organisations, &folded)
            .map(|(_, range)| range)
            .collect(),
    );
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut compounds = Compounds::default();
    // A name in Latin script is a place only when capitalised (see gazetteer_span): lower-case
    // words are not looked up.
    let mut source = folded.sources();
    let capitalised = |byte: usize| !chars[source(byte)].is_ascii_lowercase();
    for found in p.names.find_iter(&folded.text, capitalised) {
        let (start, end) = source_range(&folded, &found.range);
        if spans.last().is_some_and(|&(_, last_end)| start < last_end) {
            continue;
        }
        if let Some(span) = gazetteer_span(
            &chars,
            &folded.text[found.range],
            *found.value,
            start,
            end,
            &mut compounds,
        ) && !hidden.covers(span.0, span.1)
        {
            spans.push(span);
        }
    }
    let known = Spans(spans);
    let mut named = cue_named(text, &known, &hidden);
    named.extend(recurring(text, &chars, &named, &known, &hidden));
    // Of names found by both patterns ("the village of X" and "X village"), the first.
    named.sort_unstable();
    let Spans(mut spans) = known;
    let mut last_end = 0;
    for (start, end) in named {
        if start >= last_end {
            spans.push((start, end));
            last_end = end;
        }
    }
    spans.sort_unstable();
    spans
}

/// The span of a gazetteer name matched at `start..end`, or `None` when the words there are
/// not a place: lower-case, an ordinary word or a village's name that is part of a person's
/// name, a name used as an adjective ("the Pamir Kyrgyz"). The span grows over a hyphenated
/// compound the name is part of ("Qizil-Rabot"), a generic that belongs to it ("Wakhan
/// Corridor") and "Upper"/"Lower" before it; it ends before a unit word ("the Yol border
/// detachment": the place is Yol).
fn gazetteer_span(
    chars: &[char],
    folded: &str,
    village_only: bool,
    start: usize,
    end: usize,
    compounds: &mut Compounds,
) -> Option<(usize, usize)> {
    let first = chars[start];
    if first.is_ascii_alphabetic() && !first.is_uppercase() {
        return None;
    }
    // The place cue is looked for only when a rule needs it: most matches need none.
    let cue = || has_place_cue(chars, start, end);
    // An ordinary word that is also a village name is a place only next to a place cue.
    if is_common_word(folded) && !cue() {
        return None;
    }
    // "Sayed Omar Bahir", "Mohammad Naser Mehri": villages carry given names too.
    if village_only && in_capitalised_run(chars, start, end) && !cue() {
        return None;
    }
    if word_after(chars, end).is_some_and(|w| DEMONYMS.contains(&w.to_lowercase().as_str())) {
        return None;
    }
    let (start, end) = compound(chars, start, end, compounds).unwrap_or((start, end));
    let end = trim_unit_words(chars, start, extend_over_generic(chars, end));
    Some((directional_prefix(chars, start), end))
}

/// The capitalised word right after `end`, if one follows after a single space.
fn word_after(chars: &[char], end: usize) -> Option<String> {
    (chars.get(end) == Some(&' ') && chars.get(end + 1).is_some_and(|c| c.is_uppercase())).then(
        || {
            chars[end + 1..]
                .iter()
                .take_while(|c| c.is_alphabetic())
                .collect()
        },
    )
}

/// The capitalised word right before `start`, if one stands there after a single space.
fn word_before(chars: &[char], start: usize) -> Option<String> {
    if start < 2 || chars[start - 1] != ' ' {
        return None;
    }
    let end = start - 1;
    let begin = end
        - chars[..end]
            .iter()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .count();
    // Most words before a name are lower-case: no string is made for them.
    (begin < end && chars[begin].is_uppercase()).then(|| chars[begin..end].iter().collect())
}

/// Whether the name stands among other capitalised words ("Sayed Omar Bahir"), not counting
/// a capitalised word that opens a sentence.
fn in_capitalised_run(chars: &[char], start: usize, end: usize) -> bool {
    word_after(chars, end).is_some()
        || word_before(chars, start)
            .is_some_and(|w| !OPENING_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Peoples' names that, right after a place name, make it an adjective ("the Pamir Kyrgyz",
/// "Badakhshan Tajiks").
const DEMONYMS: &[&str] = &[
    "kyrgyz", "tajik", "tajiks", "uzbek", "uzbeks", "pashtun", "pashtuns", "hazara", "hazaras",
    "turkmen", "arab", "arabs", "baloch",
];

/// Short linking words inside hyphenated names ("Qala-i-Zal", "Dasht-e-Arch").
const NAME_PARTICLES: &[&str] = &["e", "i", "ye", "o", "ul", "al", "u"];

/// The hyphenated compound that the match at `start..end` is part of ("Qizil" of
/// "Qizil-Rabot"), when the gazetteer knows the compound: its parts, each a name, are then
/// not places of their own. `None` when the match is no part of a compound, or the compound is
/// not a known name ("Kunduz-Takhar highway": two places).
fn compound(
    chars: &[char],
    start: usize,
    end: usize,
    compounds: &mut Compounds,
) -> Option<(usize, usize)> {
    let is_part = |c: &char| c.is_alphabetic() || *c == '-';
    // Most names stand alone: nothing to look up.
    if !(start > 0 && is_part(&chars[start - 1]) || chars.get(end).is_some_and(is_part)) {
        return None;
    }
    let mut a = start;
    while a > 0 && is_part(&chars[a - 1]) {
        a -= 1;
    }
    let mut b = end;
    while b < chars.len() && is_part(&chars[b]) {
        b += 1;
    }
    let text: String = chars[a..b].iter().collect();
    let text = text.trim_matches('-');
    let a = a + chars[a..b].iter().take_while(|&&c| c == '-').count();
    let b = a + text.chars().count();
    let capitalised = text.split('-').all(|part| {
        part.chars().next().is_some_and(char::is_uppercase) || NAME_PARTICLES.contains(&part)
    });
    if (a, b) == (start, end) || !capitalised {
        return None;
    }
    compounds.is_name(text).then_some((a, b))
}

/// Hyphenated compounds already looked up in one text, and whether each is a name: a text
/// repeats its compounds ("Afghan-Tajik" five times in one article), and each look-up is a
/// whole geocode.
#[derive(Default)]
struct Compounds(rustc_hash::FxHashMap<String, bool>);

impl Compounds {
    /// Whether the geocoder knows the compound as a name, closely enough.
    fn is_name(&mut self, text: &str) -> bool {
        if let Some(&known) = self.0.get(text) {
            return known;
        }
        let outcome = Geocoder::bundled().geocode(text, &Options::default());
        let known = outcome.status != Status::Unresolved
            && outcome
                .candidates
                .first()
                .is_some_and(|c| c.score >= COMPOUND_MIN_SCORE);
        self.0.insert(text.to_string(), known);
        known
    }
}

/// How well a hyphenated compound must match a gazetteer name to be read as one name.
const COMPOUND_MIN_SCORE: f64 = 0.8;

/// Words that name a unit, not a place: "Yol border detachment" is a unit named after Yol.
const UNIT_WORDS: &[&str] = &[
    " border detachment",
    " border unit",
    " frontier group",
    " frontier detachment",
    " detachment",
];

/// The end of a name without a unit word that ends it.
fn trim_unit_words(chars: &[char], start: usize, end: usize) -> usize {
    // The unit words are ASCII: compared character by character, without a lower-cased copy.
    let ends_with = |unit: &str| {
        let n = unit.len();
        end - start > n
            && chars[end - n..end]
                .iter()
                .zip(unit.bytes())
                .all(|(c, u)| c.to_ascii_lowercase() == u as char)
    };
    UNIT_WORDS
        .iter()
        .find(|u| ends_with(u))
        .map_or(end, |u| end - u.len())
}

/// The start of a name with "Upper" or "Lower" before it ("Upper Khorog").
fn directional_prefix(chars: &[char], start: usize) -> usize {
    match word_before(chars, start) {
        Some(w) if DIRECTIONAL_PREFIXES.contains(&w.as_str()) => start - w.chars().count() - 1,
        _ => start,
    }
}

/// Character ranges in text order, not overlapping.
struct Spans(Vec<(usize, usize)>);

impl Spans {
    /// Whether one range holds `start..end` (a binary search: long texts stay linear).
    fn covers(&self, start: usize, end: usize) -> bool {
        let i = self.0.partition_point(|&(a, _)| a <= start);
        i > 0 && end <= self.0[i - 1].1
    }

    /// Whether a range overlaps `start..end`.
    fn overlaps(&self, start: usize, end: usize) -> bool {
        let i = self.0.partition_point(|&(_, b)| b <= start);
        self.0.get(i).is_some_and(|&(a, _)| a < end)
    }
}

/// An automaton's matches over the folded text that are whole words, in text order, each
/// with its character range in the original text.
fn whole_word_matches<'a>(
    automaton: &'a AhoCorasick,
    folded: &'a super::text::Folded,
) -> impl Iterator<Item = (aho_corasick::Match, (usize, usize))> + 'a {
    let bytes = folded.text.as_bytes();
    let boundary = |byte: Option<u8>| byte.is_none_or(|b| b == b' ');
    automaton.find_iter(&folded.text).filter_map(move |m| {
        let whole = boundary(m.start().checked_sub(1).map(|i| bytes[i]))
            && boundary(bytes.get(m.end()).copied());
        whole.then(|| (m, source_range(folded, &m.range())))
    })
}

/// The character range of the source text that a byte range of the folded text came from.
fn source_range(folded: &super::text::Folded, range: &std::ops::Range<usize>) -> (usize, usize) {
    (folded.source(range.start), folded.source(range.end - 1) + 1)
}

/// Unknown names next to kind words ("the village of X", "X district"), outside the known
/// and hidden spans, in the order the two patterns find them.
fn cue_named(text: &str, known: &Spans, hidden: &Spans) -> Vec<(usize, usize)> {
    static KIND: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (before, after) = KIND.get_or_init(|| {
        (
            // ASCII word boundaries: the kind words are ASCII, and they let the regex crate
            // search with its DFA (Unicode ones fall back to a far slower engine).
            Regex::new(&format!(r"(?-u:\b)(?:(?:village|town|district|province|jamoat|settlement|area|bazaar) of|(?:outpost|border post|frontier post|border crossing)(?: of|,)) ({NAME})")).expect("regex"),
            Regex::new(&format!(r"({NAME})(?: \(({NAME})\))?(?: and ({NAME}))? (?:district|province|village|jamoat|neighbou?rhood|border post|frontier post|border crossing|crossing|checkpoint|outpost|gorge|border unit|border detachment|frontier group|detachment)s?(?-u:\b)")).expect("regex"),
        )
    });
    let mut named = Vec::new();
    for re in [before, after] {
        // Character offsets counted on from the previous capture, not from the text's start.
        let (mut byte, mut char_index) = (0, 0);
        for c in re.captures_iter(text) {
            for g in [c.get(1), c.get(2), c.get(3)].into_iter().flatten() {
                // A capitalised word that opens a sentence ("The", "In") is not part of the name.
                let lead = g
                    .as_str()
                    .split_once(' ')
                    .filter(|(w, _)| OPENING_WORDS.contains(&w.to_lowercase().as_str()))
                    .map_or(0, |(w, _)| w.len() + 1);
                if lead >= g.as_str().len() {
                    continue;
                }
                char_index += text[byte..g.start() + lead].chars().count();
                byte = g.start() + lead;
                let name = &g.as_str()[lead..];
                let (start, end) = (char_index, char_index + name.chars().count());
                if is_place_word(&fold(name))
                    && !known.overlaps(start, end)
                    && !hidden.covers(start, end)
                {
                    named.push((start, end));
                }
            }
        }
    }
    named
}

/// Whether a folded name a kind word marks can be a place: not a month, weekday or
/// sentence opener, and not made of common English words only.
fn is_place_word(word: &str) -> bool {
    !(NOT_PLACES.contains(&word)
        || OPENING_WORDS.contains(&word)
        || word.split(' ').any(|w| NOT_PLACES.contains(&w))
        || word.split(' ').all(|w| common_words().contains(w)))
}

/// A name the text marked as a place once is a place wherever it recurs ("the province of
/// Farah" ... "the Farah attack"): those other occurrences, as whole words.
fn recurring(
    text: &str,
    chars: &[char],
    named: &[(usize, usize)],
    known: &Spans,
    hidden: &Spans,
) -> Vec<(usize, usize)> {
    let names: HashSet<String> = named
        .iter()
        .map(|&(a, b)| chars[a..b].iter().collect())
        .collect();
    let mut occurrences: Vec<(usize, usize)> = names
        .iter()
        .flat_map(|n| {
            text.match_indices(n.as_str())
                .map(|(i, w)| (i, i + w.len()))
        })
        .collect();
    occurrences.sort_unstable();
    let mut found = Vec::new();
    let (mut byte, mut char_index) = (0, 0);
    for (a, b) in occurrences {
        if a < byte {
            continue;
        }
        char_index += text[byte..a].chars().count();
        byte = a;
        let (start, end) = (char_index, char_index + text[a..b].chars().count());
        let whole = (start == 0 || !chars[start - 1].is_alphanumeric())
            && chars.get(end).is_none_or(|c| !c.is_alphanumeric());
        if whole && !known.overlaps(start, end) && !hidden.covers(start, end) {
            found.push((start, end));
        }
    }
    found
}

/// A capitalised name of one to three words, for the place-cue patterns.
const NAME: &str = r"\p{Lu}[\p{L}'’-]+(?: \p{Lu}[\p{L}'’-]+){0,2}";

/// Capitalised words that open sentences and are never part of a place name.
const OPENING_WORDS: &[&str] = &[
    "the", "a", "an", "in", "on", "at", "of", "its", "this", "that", "from", "near", "and", "but",
    "their", "his", "her", "our", "some", "local", "every", "each", "another", "one",
];

/// Kind words that, right before or after a name, mark it as a place.
const PLACE_CUES: &[&str] = &[
    "village",
    "district",
    "town",
    "city",
    "province",
    "region",
    "jamoat",
    "border",
    "post",
    "outpost",
    "crossing",
    "gorge",
    "valley",
    "river",
    "area",
    "settlement",
];

/// Capitalised generic words that belong to the name before them ("Wakhan Corridor").
const NAME_GENERICS: &[&str] = &[" Corridor", " Mountains", " Range", " Gorge", " Valley"];

/// The common English words of `data/common_words.txt`, folded.
fn common_words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        include_str!("../../data/common_words.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether a folded match is one ordinary English word.
fn is_common_word(folded: &str) -> bool {
    !folded.contains(' ') && common_words().contains(folded)
}

/// Whether a kind word stands right before or after the span ("village of X", "X district").
fn has_place_cue(chars: &[char], start: usize, end: usize) -> bool {
    let word_after: String = chars[end..]
        .iter()
        .skip_while(|c| c.is_whitespace())
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    let before: String = chars[start.saturating_sub(12)..start].iter().collect();
    let word_before = before
        .trim_end()
        .trim_end_matches(" of")
        .rsplit(' ')
        .next()
        .unwrap_or("")
        .to_lowercase();
    PLACE_CUES.contains(&word_after.as_str()) || PLACE_CUES.contains(&word_before.as_str())
}

/// The end of a name extended over a capitalised generic that is part of it.
fn extend_over_generic(chars: &[char], end: usize) -> usize {
    NAME_GENERICS
        .iter()
        .find(|g| {
            let n = g.chars().count();
            chars.len() >= end + n
                && chars[end..end + n].iter().copied().eq(g.chars())
                && chars.get(end + n).is_none_or(|c| !c.is_alphanumeric())
        })
        .map_or(end, |g| end + g.chars().count())
}

/// Context that follows a mention in its sentence: "X district of Y province", "X, Y",
/// "X (Y)", "X region, in the Y".
fn local_context(sentence: &str, after: &str) -> Vec<String> {
    static FOLLOW: OnceLock<Regex> = OnceLock::new();
    let re = FOLLOW.get_or_init(|| {
        Regex::new(r"^(?:\s+(?:district|region|province|village|section))?\s*(?:,\s*in\s+the|,|\(|\s+of|\s+in)\s+(?:the\s+)?((?:\p{Lu}[\p{L}'’-]*)(?:[ -]\p{Lu}[\p{L}'’-]*){0,3})").expect("regex")
    });
    let _ = sentence;
    re.captures(after)
        .and_then(|c| c.get(1))
        .map(|g| vec![g.as_str().to_string()])
        .unwrap_or_default()
}

/// The kind word right after a mention ("Darvaz district"), lower-cased; also when other
/// names of a list come between ("the Jirm and Warduj districts", "Vanj, Rushan and
/// Shugnan districts").
fn kind_word_after(after: &str) -> Option<KindAfter> {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(
            r"^(?:\s+(?i:(district|province|region|village|town|city|river|border post|border crossing|border detachment|border unit|frontier group|frontier detachment|frontier post|detachment|outpost))s?\b|(?:{LIST_SEPARATOR}{LIST_ITEM})+\s+(?i:(district|province|region|village|town|river|border post))s\b)"
        ))
        .expect("regex")
    })
    .captures(after)
    .and_then(|c| {
        let (kind, list) = match (c.get(1), c.get(2)) {
            (Some(kind), _) => (kind, false),
            (None, Some(kind)) => (kind, true),
            (None, None) => return None,
        };
        Some(KindAfter {
            kind: kind.as_str().to_lowercase(),
            list,
        })
    })
}

/// A name in a list of places: capitalised words, up to two.
const LIST_ITEM: &str = r"\p{Lu}[\p{L}'’-]+(?:[ -]\p{Lu}[\p{L}'’-]+)?";
/// What separates the names of a list: a comma, "and", or both.
const LIST_SEPARATOR: &str = r"(?:\s*,\s*|\s+and\s+|\s*,\s+and\s+)";

/// The kind word that follows a mention.
#[derive(Debug, PartialEq)]
struct KindAfter {
    /// The kind word, lower-cased and singular.
    kind: String,
    /// Other names of a list stand between the mention and its kind word: a comma there
    /// separates list items and gives no context.
    list: bool,
}

/// How far back, in characters, a kind word before a mention is looked for.
const KIND_BEFORE_WINDOW: usize = 80;

/// The kind named just before a mention ("the province of Kunduz"), also across a list
/// ("the districts of Imam Sahib and Dasht-i-Archi").
fn kind_word_before(before: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(
            r"(?:(?i:(province|district) of)|(?i:(province|district)s of)(?:\s+{LIST_ITEM}{LIST_SEPARATOR})*)\s*$"
        ))
        .expect("regex")
    })
    .captures(before)
    .and_then(|c| c.get(1).or_else(|| c.get(2)))
    .map(|kind| kind.as_str().to_lowercase())
}

/// Finds and resolves every place mention of `text`.
///
/// ```
/// use borderwatch::extract::toponyms::toponyms;
/// let found = toponyms("They crossed through the Kevron district of Darvaz region, in the \
///                       Gorno-Badakhshan Autonomous Region of Tajikistan.");
/// let darvaz = found.iter().find(|m| m.mention == "Darvaz").unwrap();
/// assert_eq!(darvaz.id.as_deref(), Some("tj.dist.darvoz"));
/// ```
///
/// # Panics
///
/// Only if the bundled gazetteer or actor table did not load (both are built in and tested).
pub fn toponyms(text: &str) -> Vec<Mention> {
    toponyms_in(text, &super::text::sentences(text))
}

/// [`toponyms`] over sentences the caller has already split.
pub(super) fn toponyms_in(text: &str, sentences: &[Sentence]) -> Vec<Mention> {
    let chars: Vec<char> = text.chars().collect();
    let geocoder = Geocoder::bundled();
    // Sentences are in text order: a binary search keeps long texts linear.
    let sentence_of = |start: usize| -> &str {
        let i = sentences.partition_point(|s| s.end <= start);
        sentences
            .get(i)
            .filter(|s| s.start <= start)
            .map_or("", |s| s.text.as_str())
    };
    // Names repeat through a text: each query and context is geocoded once.
    let mut resolved: rustc_hash::FxHashMap<MentionQuery, crate::geocode::Outcome> =
        Default::default();
    // Pass 1: each mention with the context of its own sentence.
    let mut mentions: Vec<Mention> = find(text)
        .into_iter()
        .map(|(start, end)| {
            let mut m = Mention::found(chars[start..end].iter().collect(), start, end);
            let q = mention_query(&chars, &m, sentence_of(start));
            let outcome = resolved.entry(q.clone()).or_insert_with(|| {
                geocoder.geocode(
                    &q.query,
                    &Options {
                        context: q.context.clone(),
                        ..Options::default()
                    },
                )
            });
            settle(&mut m, outcome, &q.context, &q.query);
            if m.status == Status::Unresolved {
                settle_as_part(&mut m);
            }
            settle_as_river(&mut m, &chars, geocoder);
            m
        })
        .collect();
    // Pass 2: ambiguous mentions with what the whole article settled.
    let anchors = article_anchors(&mentions);
    let mut candidates: rustc_hash::FxHashMap<String, crate::geocode::Outcome> = Default::default();
    for m in mentions
        .iter_mut()
        .filter(|m| m.status == Status::Ambiguous)
    {
        let outcome = candidates.entry(m.mention.clone()).or_insert_with(|| {
            geocoder.geocode(
                &m.mention,
                &Options {
                    limit: ARTICLE_CANDIDATES,
                    ..Options::default()
                },
            )
        });
        settle_by_article(m, outcome, &anchors, &chars);
    }
    mentions
}

/// Settles "Upper Khorog" or "Lower Panj", which the gazetteer does not hold, as a part of
/// the place named after the word: that place's point, at district precision, with a reason
/// that says so.
fn settle_as_part(m: &mut Mention) {
    let mention = m.mention.clone();
    let Some((part, whole)) = mention.split_once(' ') else {
        return;
    };
    if !DIRECTIONAL_PREFIXES.contains(&part) {
        return;
    }
    let outcome = Geocoder::bundled().geocode(whole, &Options::default());
    if outcome.status != Status::Resolved {
        return;
    }
    settle(m, &outcome, &[], whole);
    m.precision = m.precision.map(|p| p.max(PART_PRECISION));
    let name = m.name.clone().unwrap_or_default();
    m.reason = format!("not in the gazetteer: a part of {name}, placed at its point");
}

/// Settles "crossed the Panj into Afghanistan" or "clashes on the Panj" as the river when the
/// name alone found a settlement: "the" before a name that nothing qualifies after it (the
/// end of the sentence, a comma, or a word such as "into", "near", "at") is how English
/// names a river, never a town. "the Kunduz governor" keeps the town.
fn settle_as_river(m: &mut Mention, chars: &[char], geocoder: &Geocoder) {
    let settlement = matches!(m.kind, Some(Kind::Town | Kind::City | Kind::Village));
    if m.status != Status::Resolved
        || !settlement
        || !after_the(chars, m.start)
        || !unqualified_after(chars, m.end)
    {
        return;
    }
    let query = format!("{} river", m.mention);
    let outcome = geocoder.geocode(&query, &Options::default());
    let river = outcome.candidates.first().filter(|c| c.kind == Kind::River);
    if outcome.status == Status::Resolved && river.is_some() {
        settle(m, &outcome, &[], &query);
        m.reason = "\"the\" before the name and no noun after it: the river".into();
    }
}

/// Whether the word before character `start` is "the".
fn after_the(chars: &[char], start: usize) -> bool {
    let before: String = chars[..start]
        .iter()
        .rev()
        .skip_while(|c| c.is_whitespace())
        .take_while(|c| c.is_alphabetic())
        .collect();
    before.eq_ignore_ascii_case("eht")
}

/// Words after a river's name that leave it unqualified ("crossed the Panj into ...").
/// "and", "by" and "with" are left out: "the Pyanj and Khorog frontier groups" names the
/// detachments, not the river.
const AFTER_A_RIVER: &[&str] = &[
    "into",
    "in",
    "at",
    "near",
    "from",
    "to",
    "along",
    "between",
    "where",
    "which",
    "was",
    "is",
    "on",
    "toward",
    "towards",
    "across",
    "upstream",
    "downstream",
];

/// Whether nothing qualifies the name ending at `end`: the text ends, a punctuation mark or a
/// line break follows, or one of [`AFTER_A_RIVER`].
fn unqualified_after(chars: &[char], end: usize) -> bool {
    let rest = &chars[end..];
    let gap = rest.iter().take_while(|c| **c == ' ').count();
    let Some(&next) = rest.get(gap) else {
        return true;
    };
    if next == '\n' || (next.is_ascii_punctuation() && next != '-' && next != '\'') {
        return true;
    }
    let word: String = rest[gap..]
        .iter()
        .take_while(|c| c.is_alphabetic())
        .collect();
    AFTER_A_RIVER.contains(&word.to_lowercase().as_str())
}

/// Words before a name that make a part of the place ("Upper Khorog").
const DIRECTIONAL_PREFIXES: &[&str] = &["Upper", "Lower"];
/// The ACLED geo_precision of a part of a place placed at the place's point ("near").
const PART_PRECISION: u8 = 2;

/// What a mention is geocoded as: its name with the kind word around it, and the places
/// that follow it in its sentence.
#[derive(Clone, PartialEq, Eq, Hash)]
struct MentionQuery {
    query: String,
    context: Vec<String>,
}

/// Reads the kind word and the local context of a mention of `sentence`.
fn mention_query(chars: &[char], m: &Mention, sentence: &str) -> MentionQuery {
    let after: String = chars[m.end..chars.len().min(m.end + KIND_AFTER_WINDOW)]
        .iter()
        .collect();
    let before: String = chars[m.start.saturating_sub(KIND_BEFORE_WINDOW)..m.start]
        .iter()
        .collect();
    let kind_after = kind_word_after(&after);
    let in_list = kind_after.as_ref().is_some_and(|k| k.list);
    let kind_word = kind_after
        .map(|k| k.kind)
        .or_else(|| kind_word_before(&before));
    let query = match &kind_word {
        Some(k) if k != "region" => format!("{} {k}", m.mention),
        _ => m.mention.clone(),
    };
    let context = if in_list {
        Vec::new()
    } else {
        local_context(sentence, &after)
    };
    MentionQuery { query, context }
}

/// A resolved mention, as evidence for the article's ambiguous names: a name that could be
/// in Badakhshan or in Faryab is the one in Badakhshan when the article names Badakhshan.
struct Anchor {
    /// The resolved place's name, for the reason shown.
    name: String,
    id: String,
    kind: Kind,
    country: String,
    admin1: String,
    admin2: String,
    /// How many of the article's mentions resolved to it.
    count: u32,
}

/// Every place the article's mentions resolved to, with how often: a province named eight
/// times weighs more than one named once. One entry per place keeps long texts linear.
fn article_anchors(mentions: &[Mention]) -> Vec<Anchor> {
    let mut index: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let mut anchors: Vec<Anchor> = Vec::new();
    for m in mentions.iter().filter(|m| m.status == Status::Resolved) {
        let Some(id) = m.id.as_deref() else {
            continue;
        };
        if let Some(&i) = index.get(id) {
            anchors[i].count += 1;
            continue;
        }
        let (Some(name), Some(kind), Some(country)) = (&m.name, m.kind, &m.country) else {
            continue;
        };
        index.insert(id, anchors.len());
        anchors.push(Anchor {
            name: name.clone(),
            id: id.to_string(),
            kind,
            country: country.clone(),
            admin1: m.admin1.clone().unwrap_or_default(),
            admin2: m.admin2.clone().unwrap_or_default(),
            count: 1,
        });
    }
    anchors
}

/// How much a resolved mention supports a candidate: the smallest unit they share.
fn support(anchor: &Anchor, c: &crate::geocode::Candidate) -> u32 {
    let same_country = anchor.country == c.country;
    let same_province = same_country && !anchor.admin1.is_empty() && anchor.admin1 == c.admin1;
    let same_district = same_province && !anchor.admin2.is_empty() && anchor.admin2 == c.admin2;
    if anchor.id == c.id {
        SUPPORT_SAME_PLACE
    } else if same_district && anchor.kind != Kind::Province {
        SUPPORT_DISTRICT
    } else if same_province && anchor.kind != Kind::Country {
        SUPPORT_PROVINCE
    } else if same_country {
        SUPPORT_COUNTRY
    } else {
        0
    }
}

/// The article's support for one candidate, and the anchors that gave it.
struct Support<'a> {
    total: u32,
    from: Vec<&'a str>,
}

fn support_of<'a>(anchors: &'a [Anchor], c: &crate::geocode::Candidate) -> Support<'a> {
    let mut total = 0;
    let mut from: Vec<&str> = Vec::new();
    for a in anchors {
        let s = support(a, c);
        total += s * a.count;
        if s > SUPPORT_COUNTRY && !from.contains(&a.name.as_str()) {
            from.push(&a.name);
        }
    }
    Support { total, from }
}

/// Settles an ambiguous mention with what the rest of the article resolved (the candidate
/// whose district, province or country the article names most), or else as the town or the
/// river its wording points to. A tie stays ambiguous.
fn settle_by_article(
    m: &mut Mention,
    outcome: &crate::geocode::Outcome,
    anchors: &[Anchor],
    chars: &[char],
) {
    let query = m.mention.clone();
    if let Some((best, from)) = best_supported(outcome, anchors) {
        settle(m, &resolved_as(outcome, best), &[], &query);
        m.reason = format!("article context: {from}");
        return;
    }
    // Town or river: "the Panj" is the river, a bare "Kunduz" the town.
    let wanted_river = after_the(chars, m.start);
    if let Some(first) = town_or_river(outcome, wanted_river) {
        settle(m, &resolved_as(outcome, first.clone()), &[], &query);
        m.reason = if wanted_river {
            "\"the\" before the name: the river".into()
        } else {
            "a river needs \"River\" after its name: the place".into()
        };
    }
}

/// The outcome settled as one of its candidates, without copying the others.
fn resolved_as(
    outcome: &crate::geocode::Outcome,
    chosen: crate::geocode::Candidate,
) -> crate::geocode::Outcome {
    crate::geocode::Outcome {
        query: outcome.query.clone(),
        status: Status::Resolved,
        candidates: vec![chosen],
        note: outcome.note.clone(),
    }
}

/// Of the candidates that match about as well as the best, the one the article supports
/// most, when no other place (farther than [`SAME_PLACE_KM`]) is supported as much.
fn best_supported(
    outcome: &crate::geocode::Outcome,
    anchors: &[Anchor],
) -> Option<(crate::geocode::Candidate, String)> {
    let top = outcome.candidates.first()?.score;
    let close: Vec<(&crate::geocode::Candidate, Support)> = outcome
        .candidates
        .iter()
        .filter(|c| c.score >= top - CLOSE_SCORE)
        .map(|c| (c, support_of(anchors, c)))
        .collect();
    let most = close.iter().map(|(_, s)| s.total).max()?;
    if most == 0 {
        return None;
    }
    // The first (best-ranked) of the most supported; any other as supported must be it.
    let (best, support) = close.iter().find(|(_, s)| s.total == most)?;
    let rival = close
        .iter()
        .filter(|(c, s)| s.total == most && c.id != best.id)
        .any(|(c, _)| km_between(best, c) > SAME_PLACE_KM);
    if rival {
        return None;
    }
    let from = if support.from.is_empty() {
        format!("in {}", best.country)
    } else {
        support.from.join(", ")
    };
    Some(((*best).clone(), from))
}

fn km_between(a: &crate::geocode::Candidate, b: &crate::geocode::Candidate) -> f64 {
    crate::spatial::geodesic_km(geo::Point::new(a.lon, a.lat), geo::Point::new(b.lon, b.lat))
}

/// The one place (or one river) among close candidates, when the others are only rivers
/// (or only places) or the same place within [`SAME_PLACE_KM`].
fn town_or_river(
    outcome: &crate::geocode::Outcome,
    wanted_river: bool,
) -> Option<&crate::geocode::Candidate> {
    let best = outcome.candidates.first()?.score;
    let close = || {
        outcome
            .candidates
            .iter()
            .filter(move |c| c.score >= best - CLOSE_SCORE)
    };
    let fits: Vec<&crate::geocode::Candidate> = close()
        .filter(|c| (c.kind == Kind::River) == wanted_river)
        .collect();
    let rivers_only_rivals =
        close().all(|c| fits.iter().any(|f| f.id == c.id) || c.kind == Kind::River || wanted_river);
    let first = *fits.first()?;
    let distinct = |c: &crate::geocode::Candidate| km_between(first, c) > SAME_PLACE_KM;
    (rivers_only_rivals && !fits.iter().any(|f| distinct(f))).then_some(first)
}

/// How far on, in characters, a kind word and context after a mention are looked for.
const KIND_AFTER_WINDOW: usize = 120;
/// Candidates asked for when the article settles an ambiguous mention.
const ARTICLE_CANDIDATES: usize = 20;
/// Candidates this close to the best score compete as town or river.
const CLOSE_SCORE: f64 = 0.13;
/// Close candidates nearer than this are one place.
const SAME_PLACE_KM: f64 = 25.0;
/// Support an article's resolved mention gives a candidate that is that very place.
const SUPPORT_SAME_PLACE: u32 = 6;
/// ... that lies in the mention's district (or is its district).
const SUPPORT_DISTRICT: u32 = 4;
/// ... that lies in the mention's province.
const SUPPORT_PROVINCE: u32 = 2;
/// ... that lies in the mention's country only.
const SUPPORT_COUNTRY: u32 = 1;

fn settle(m: &mut Mention, outcome: &crate::geocode::Outcome, context: &[String], query: &str) {
    m.status = outcome.status;
    match (outcome.status, outcome.candidates.first()) {
        (Status::Resolved, Some(c)) => {
            m.id = Some(c.id.clone());
            m.name = Some(c.name.clone());
            m.kind = Some(c.kind);
            m.country = Some(c.country.clone());
            m.admin1 = Some(c.admin1.clone());
            m.admin2 = Some(c.admin2.clone());
            m.lat = Some(c.lat);
            m.lon = Some(c.lon);
            m.precision = Some(c.precision);
            m.reason = if c.context.is_empty() {
                format!("{} match of {query:?}", c.match_kind.as_str())
            } else {
                format!("{} match; {}", c.match_kind.as_str(), c.context.join(", "))
            };
        }
        (Status::Ambiguous, _) => {
            m.reason = outcome.note.clone().unwrap_or_default();
            if !context.is_empty() {
                m.reason
                    .push_str(&format!(" (context tried: {})", context.join(", ")));
            }
        }
        _ => m.reason = "not in the gazetteer".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Status, kind_word_after, kind_word_before, toponyms};

    /// The mentions of `text`, each as (words, resolved id).
    fn found(text: &str) -> Vec<(String, Option<String>)> {
        toponyms(text)
            .into_iter()
            .map(|m| (m.mention, m.id))
            .collect()
    }

    fn id_of(text: &str, mention: &str) -> Option<String> {
        toponyms(text)
            .into_iter()
            .find(|m| m.mention == mention)
            .unwrap_or_else(|| panic!("no mention {mention:?} in {text:?}"))
            .id
    }

    #[test]
    fn the_before_an_unqualified_name_is_the_river() {
        let river = Some("af.river.panj-river".to_string());
        for text in [
            "Smugglers crossed the Panj into Afghanistan.",
            "He fled across the Panj, officials said.",
            "Guards clash with smugglers on the Panj",
        ] {
            assert_eq!(id_of(text, "Panj"), river, "{text}");
        }
        // A noun after the name, no "the", or a kind word: the place.
        assert_eq!(
            id_of("The Kunduz governor said so.", "Kunduz").as_deref(),
            Some("af.pl.kunduz")
        );
        assert_eq!(
            id_of("They live in Panj.", "Panj").as_deref(),
            Some("tj.pl.panj")
        );
        assert_eq!(
            id_of("Fighting in the Panj district.", "Panj district").as_deref(),
            Some("tj.dist.panj")
        );
    }

    #[test]
    fn the_article_settles_a_name_by_the_units_it_names() {
        // Kohistan is a district of Badakhshan and of Faryab; the article names Badakhshan.
        let text = "The Taliban took Kohistan on Thursday. Officials in Badakhshan said \
                    reinforcements were sent. Badakhshan police confirmed it.";
        assert_eq!(id_of(text, "Kohistan").as_deref(), Some("af.dist.kohistan"));
        // Parkhar (Farkhor, TJ) or Farkhar (AF): the article is set in Tajikistan.
        let text = "Police seized heroin near Parkhar, south of Dushanbe.";
        assert_eq!(id_of(text, "Parkhar").as_deref(), Some("tj.pl.farkhor"));
        // Named alone, with nothing else to go by, it stays ambiguous.
        let alone = toponyms("Heroin was seized near Parkhar.");
        assert_eq!(alone[0].status, Status::Ambiguous);
    }

    #[test]
    fn a_hyphenated_name_is_one_mention_when_the_gazetteer_knows_it() {
        let text = "They crossed into Qizil-Rabot jamoat on Tuesday.";
        assert_eq!(found(text)[0].0, "Qizil-Rabot");
        assert_eq!(found(text).len(), 1);
        // Two places joined by a hyphen stay two places.
        let names: Vec<String> = found("Traffic on the Kunduz-Takhar highway stopped.")
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        assert_eq!(names, ["Kunduz", "Takhar"]);
    }

    #[test]
    fn a_village_name_inside_a_persons_name_is_no_place() {
        assert!(found("Sayed Omar Bahir, an activist, said so.").is_empty());
        assert!(found("spokesman Mohammad Naser Mehri said").is_empty());
        // A province in a title stays a place: "Badakhshan Police Chief".
        assert_eq!(
            found("Badakhshan Police Chief Abdul Khaliq Aqsai said")[0].0,
            "Badakhshan"
        );
    }

    #[test]
    fn a_place_name_before_a_people_is_an_adjective() {
        let names: Vec<String> = found("the Pamir Kyrgyz living in the Wakhan Corridor")
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        assert_eq!(names, ["Wakhan Corridor"]);
        assert!(found("Arab mercenaries crossed").is_empty());
    }

    #[test]
    fn a_unit_named_after_a_place_is_a_mention_of_the_place_resolved_to_the_unit() {
        let text = "the 7th border post, which belongs to the Yol border detachment";
        assert_eq!(
            id_of(text, "Yol").as_deref(),
            Some("tj.post.yol-border-detachment")
        );
        let text = "the twelfth frontier post of the Moscow frontier group";
        assert_eq!(
            id_of(text, "Moscow").as_deref(),
            Some("tj.post.moskovsky-border-detachment")
        );
        // Moscow alone is the city.
        assert_eq!(
            id_of("officials in Moscow said", "Moscow").as_deref(),
            Some("ru.pl.moscow")
        );
    }

    #[test]
    fn upper_or_lower_before_a_place_names_a_part_of_it() {
        let m = toponyms("police fired into the air in Upper Khorog on Wednesday")
            .into_iter()
            .find(|m| m.mention == "Upper Khorog")
            .expect("Upper Khorog is one mention");
        assert_eq!(m.id.as_deref(), Some("tj.pl.khorugh"));
        assert_eq!(m.precision, Some(2));
        assert!(m.reason.contains("a part of"), "{}", m.reason);
    }

    #[test]
    fn countries_of_the_world_are_places() {
        let names: Vec<String> = found("Russia demanded that France and the United Kingdom act.")
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        assert_eq!(names, ["Russia", "France", "United Kingdom"]);
    }

    #[test]
    fn a_kind_word_after_a_list_applies_to_every_name_of_it() {
        let kind = |after: &str| kind_word_after(after).map(|k| (k.kind, k.list));
        let of = |kind: &str, list: bool| Some((kind.to_string(), list));
        assert_eq!(kind(" district of Badakhshan"), of("district", false));
        assert_eq!(kind(" districts bordering"), of("district", false));
        assert_eq!(kind(" and Warduj districts of"), of("district", true));
        assert_eq!(kind(", Rushan and Shugnan districts"), of("district", true));
        assert_eq!(kind(", Takhar, and Kunduz provinces"), of("province", true));
        // A singular kind word after a list names the last place only.
        assert_eq!(kind(" and Panj River"), None);
        assert_eq!(kind(" and the Warduj districts"), None);
        assert_eq!(kind(" said"), None);
    }

    #[test]
    fn a_kind_word_before_a_list_applies_to_every_name_of_it() {
        let kind = |before: &str| kind_word_before(before);
        assert_eq!(kind("in the province of ").as_deref(), Some("province"));
        assert_eq!(kind("The districts of ").as_deref(), Some("district"));
        assert_eq!(
            kind("the Kunduz districts of Imam Sahib and ").as_deref(),
            Some("district")
        );
        assert_eq!(
            kind("the districts of Vanj, Rushan, and ").as_deref(),
            Some("district")
        );
        assert_eq!(kind("the district of Vanj and "), None);
        assert_eq!(kind("fighting in "), None);
    }
}
