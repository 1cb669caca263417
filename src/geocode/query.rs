//! Reading a messy place query: the name itself, kind words ("district", "nohiya", "river"),
//! affixes ("near", "outskirts of") and trailing context ("X, Kunduz", "X district of Y
//! province", "X (Upper Darwaz)").

use unicode_normalization::UnicodeNormalization;

use super::fold::fold;
use crate::gazetteer::Kind;

/// What a kind word in the query says about the place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindHint {
    /// A city, town or village ("village", "town", "city", "selo", "kishlak", "shahr").
    Settlement,
    /// A district ("district", "wuluswali", "nohiya", "rayon", "tumani").
    District,
    /// A province ("province", "region", "oblast", "viloyat", "wilayat").
    Province,
    /// A country ("country").
    Country,
    /// A river ("river").
    River,
    /// A border crossing ("border crossing", "crossing point", "bridge"); fits a border
    /// post too, as a crossing is often named after the post that guards it.
    Crossing,
    /// A border post ("border post", "outpost", "checkpoint", "zastava", "border
    /// detachment"); fits a border crossing too.
    Post,
    /// An area ("area", "section", "valley", "gorge"); fits a district too.
    Area,
}

impl KindHint {
    /// Whether the hint names an administrative unit (district or province), whose word
    /// before a name is grammar, not part of the name.
    pub fn is_unit(self) -> bool {
        matches!(self, KindHint::District | KindHint::Province)
    }

    /// Whether a gazetteer kind fits the hint.
    pub fn accepts(self, kind: Kind) -> bool {
        match self {
            KindHint::Settlement => kind.is_settlement(),
            KindHint::District => kind == Kind::District,
            KindHint::Province => kind == Kind::Province,
            KindHint::Country => kind == Kind::Country,
            KindHint::River => kind == Kind::River,
            // A crossing is often named after the post that guards it, and the other way round.
            KindHint::Crossing => matches!(kind, Kind::BorderCrossing | Kind::BorderPost),
            KindHint::Post => matches!(kind, Kind::BorderPost | Kind::BorderCrossing),
            KindHint::Area => matches!(kind, Kind::Area | Kind::District),
        }
    }

    /// The word shown in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            KindHint::Settlement => "settlement",
            KindHint::District => "district",
            KindHint::Province => "province",
            KindHint::Country => "country",
            KindHint::River => "river",
            KindHint::Crossing => "crossing",
            KindHint::Post => "border post",
            KindHint::Area => "area",
        }
    }
}

/// Kind words, as folded token sequences (English, Dari, Tajik and Russian usage).
const KIND_WORDS: &[(&[&str], KindHint)] = &[
    (&["border", "crossing", "point"], KindHint::Crossing),
    (&["border", "crossing"], KindHint::Crossing),
    (&["crossing", "point"], KindHint::Crossing),
    (&["border", "post"], KindHint::Post),
    (&["border", "outpost"], KindHint::Post),
    (&["border", "checkpoint"], KindHint::Post),
    (&["police", "post"], KindHint::Post),
    (&["autonomous", "region"], KindHint::Province),
    (&["autonomous", "province"], KindHint::Province),
    (&["autonomous", "oblast"], KindHint::Province),
    (&["district"], KindHint::District),
    (&["districts"], KindHint::District),
    (&["wuluswali"], KindHint::District),
    (&["woluswali"], KindHint::District),
    (&["uluswali"], KindHint::District),
    (&["wolaswali"], KindHint::District),
    (&["nohiya"], KindHint::District),
    (&["nohiyai"], KindHint::District),
    (&["nohiyahoi"], KindHint::District),
    (&["rayon"], KindHint::District),
    (&["raion"], KindHint::District),
    (&["rajon"], KindHint::District),
    (&["ولسوالی"], KindHint::District),
    (&["province"], KindHint::Province),
    (&["provinces"], KindHint::Province),
    (&["region"], KindHint::Province),
    (&["oblast"], KindHint::Province),
    (&["viloyat"], KindHint::Province),
    (&["viloyati"], KindHint::Province),
    (&["velayat"], KindHint::Province),
    (&["wilayat"], KindHint::Province),
    (&["welayat"], KindHint::Province),
    (&["ولایت"], KindHint::Province),
    (&["استان"], KindHint::Province),
    (&["avtonomnaya", "oblast"], KindHint::Province),
    (&["avtonomnoy", "oblasti"], KindHint::Province),
    (&["oblasti"], KindHint::Province),
    (&["selo"], KindHint::Settlement),
    (&["kishlak"], KindHint::Settlement),
    (&["gorod"], KindHint::Settlement),
    (&["zastava"], KindHint::Post),
    (&["frontier", "post"], KindHint::Post),
    (&["frontier", "outpost"], KindHint::Post),
    (&["border", "detachment"], KindHint::Post),
    (&["border", "guard", "post"], KindHint::Post),
    (&["jamoat"], KindHint::Settlement),
    (&["ولسوالۍ"], KindHint::District),
    (&["ضلع"], KindHint::District),
    (&["gorge"], KindHint::Area),
    (&["rayonu"], KindHint::District),
    (&["tumani"], KindHint::District),
    (&["shahri"], KindHint::Settlement),
    (&["shahar"], KindHint::Settlement),
    (&["muxtor", "viloyati"], KindHint::Province),
    (&["provintsiya"], KindHint::Province),
    (&["village"], KindHint::Settlement),
    (&["villages"], KindHint::Settlement),
    (&["town"], KindHint::Settlement),
    (&["city"], KindHint::Settlement),
    (&["qishloq"], KindHint::Settlement),
    (&["qishloqi"], KindHint::Settlement),
    (&["kishlak"], KindHint::Settlement),
    (&["river"], KindHint::River),
    (&["bridge"], KindHint::Crossing),
    (&["crossing"], KindHint::Crossing),
    (&["outpost"], KindHint::Post),
    (&["checkpoint"], KindHint::Post),
    (&["post"], KindHint::Post),
    (&["area"], KindHint::Area),
    (&["section"], KindHint::Area),
    (&["valley"], KindHint::Area),
    (&["country"], KindHint::Country),
];

/// Leading words that say "around here" rather than name the place.
const AFFIXES: &[&[&str]] = &[
    &["on", "the", "outskirts", "of"],
    &["the", "outskirts", "of"],
    &["outskirts", "of"],
    &["in", "the", "vicinity", "of"],
    &["the", "vicinity", "of"],
    &["vicinity", "of"],
    &["the", "village", "of"],
    &["village", "of"],
    &["the", "town", "of"],
    &["town", "of"],
    &["the", "city", "of"],
    &["city", "of"],
    &["the", "district", "of"],
    &["district", "of"],
    &["the", "province", "of"],
    &["province", "of"],
    &["near"],
    &["nearby"],
    &["around"],
    &["close", "to"],
    &["the"],
    &["northern"],
    &["southern"],
    &["eastern"],
    &["western"],
    &["north-eastern"],
    &["northeastern"],
    &["north-western"],
    &["northwestern"],
    &["south-eastern"],
    &["southeastern"],
    &["south-western"],
    &["southwestern"],
];

/// Words that stand before a name and say what it is, as folded text: Persian (ولسوالی X,
/// ولایت X, شهر X, قریه X, ده X), Tajik (ноҳияи X, вилояти X, шаҳри X, ҷамоати X, деҳаи X),
/// Russian (город X, село X, посёлок X) and their romanisations with the izafe ("Shahr-e X",
/// "Qaryah-ye X", "Velayat-e X"). Honorifics ("Hazrat-e X") are read the same way. A name
/// is first looked up whole ("Shahr-e Buzurg" and "Deh Dadi" are names), and without the
/// word only when the whole name matches nothing as written; without a district or province
/// word always (it is grammar: "ноҳияи X" is X district, whatever alias carries the word).
const LEADING_KIND_WORDS: &[(&str, Option<KindHint>)] = &[
    ("ولسوالی", Some(KindHint::District)),
    ("ولسوالي", Some(KindHint::District)),
    ("ولایت", Some(KindHint::Province)),
    ("ولايت", Some(KindHint::Province)),
    ("ولاية", Some(KindHint::Province)),
    ("استان", Some(KindHint::Province)),
    ("شهر", Some(KindHint::Settlement)),
    ("شهرستان", Some(KindHint::Settlement)),
    ("قریه", Some(KindHint::Settlement)),
    ("قريه", Some(KindHint::Settlement)),
    ("ده", Some(KindHint::Settlement)),
    ("nohiya", Some(KindHint::District)),
    ("nohiyai", Some(KindHint::District)),
    ("nohiyayi", Some(KindHint::District)),
    ("rayon", Some(KindHint::District)),
    ("viloyat", Some(KindHint::Province)),
    ("viloyati", Some(KindHint::Province)),
    ("velayat", Some(KindHint::Province)),
    ("welayat", Some(KindHint::Province)),
    ("wilayat", Some(KindHint::Province)),
    ("oblast", Some(KindHint::Province)),
    ("shahr", Some(KindHint::Settlement)),
    ("shahri", Some(KindHint::Settlement)),
    ("shakhri", Some(KindHint::Settlement)),
    ("gorod", Some(KindHint::Settlement)),
    ("selo", Some(KindHint::Settlement)),
    ("poselok", Some(KindHint::Settlement)),
    ("posyolok", Some(KindHint::Settlement)),
    ("qarya", Some(KindHint::Settlement)),
    ("qaryah", Some(KindHint::Settlement)),
    ("qaryai", Some(KindHint::Settlement)),
    ("qishloq", Some(KindHint::Settlement)),
    ("qishloqi", Some(KindHint::Settlement)),
    ("deh", Some(KindHint::Settlement)),
    ("dehai", Some(KindHint::Settlement)),
    ("dehi", Some(KindHint::Settlement)),
    ("jamoat", Some(KindHint::Settlement)),
    ("jamoati", Some(KindHint::Settlement)),
    ("wuluswali", Some(KindHint::District)),
    ("woluswali", Some(KindHint::District)),
    ("uluswali", Some(KindHint::District)),
    ("mukhtori", Some(KindHint::Province)),
    ("خودمختار", Some(KindHint::Province)),
    ("صوبہ", Some(KindHint::Province)),
    ("صوبه", Some(KindHint::Province)),
    ("ناحیه", Some(KindHint::District)),
    ("ناحیهٔ", Some(KindHint::District)),
    ("ناحیۀ", Some(KindHint::District)),
    ("ضلع", Some(KindHint::District)),
    ("علاقه", Some(KindHint::District)),
    ("داری", None),
    ("د", None),
    ("provintsiya", Some(KindHint::Province)),
    ("provintsiyai", Some(KindHint::Province)),
    ("nokhiya", Some(KindHint::District)),
    ("nokhiyai", Some(KindHint::District)),
    ("mintaqa", Some(KindHint::Province)),
    ("mintaqai", Some(KindHint::Province)),
    ("province", Some(KindHint::Province)),
    ("district", Some(KindHint::District)),
    ("hazrat", None),
    ("hazrati", None),
];

/// Izafe particles that may follow a leading word ("Shahr-e", "Qaryah-ye", "Velāyat-i").
const IZAFE: &[&str] = &["e", "i", "ye", "yi", "y"];

/// Russian adjectival endings of place names, as folded text ("Ванчский район" → vanch,
/// "Хатлонская область" → khatlon, "Pyandzhskiy" → pyandzh), longest first.
const ADJECTIVE_ENDINGS: &[&str] = &[
    "skogo", "skaya", "skoye", "skoe", "skiy", "skii", "skij", "skom", "skoy", "sky", "ski",
];

/// Shortest stem left once an adjectival ending is cut (shorter is another word).
const MIN_ADJECTIVE_STEM: usize = 3;

/// Another way to read a query, tried when the name as written matches nothing as written (a
/// district or province word dropped is always tried: it is grammar, not part of the name).
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The name to look up instead.
    pub name: String,
    /// What the dropped word said about the place.
    pub kind: Option<KindHint>,
    /// How the variant was made, for explanations ("without the word Shahr-e").
    pub how: String,
}

/// A query taken apart.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedQuery {
    /// The name to look up, as written (affixes and kind words removed).
    pub name: String,
    /// Other readings of the name (a leading kind word or honorific dropped, a Russian
    /// adjective made a noun), tried when the name matches nothing as written (a dropped
    /// district or province word always).
    pub variants: Vec<Variant>,
    /// What kind words said.
    pub kind: Option<KindHint>,
    /// Context: trailing names ("X, Kunduz"), "of"/"in" phrases, parentheses.
    pub context: Vec<String>,
}

/// Takes a query apart.
///
/// ```
/// use borderwatch::geocode::query::{parse, KindHint};
/// let q = parse("Qala-e-Zal district, Kunduz");
/// assert_eq!(q.name, "Qala-e-Zal");
/// assert_eq!(q.kind, Some(KindHint::District));
/// assert_eq!(q.context, vec!["Kunduz".to_string()]);
/// let q = parse("Maimai district (Upper Darwaz)");
/// assert_eq!((q.name.as_str(), q.context[0].as_str()), ("Maimai", "Upper Darwaz"));
/// let q = parse("near the village of Kevron");
/// assert_eq!(q.name, "Kevron");
/// ```
pub fn parse(raw: &str) -> ParsedQuery {
    let text: String = raw
        .nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let (main, mut context) = split_brackets(&text);
    let mut parts = main.split([',', ';']);
    let core = parts.next().unwrap_or("");
    context.extend(parts.map(|s| s.trim().to_string()));

    let mut tokens: Vec<&str> = core.split_whitespace().collect();
    let folded: Vec<String> = tokens.iter().map(|t| fold(t)).collect();
    let mut start = 0;
    'affix: loop {
        for affix in AFFIXES {
            if tokens.len() - start > affix.len() && starts_with(&folded[start..], affix) {
                start += affix.len();
                continue 'affix;
            }
        }
        break;
    }
    tokens.drain(..start);
    let mut folded: Vec<String> = folded[start..].to_vec();
    // "X district of Y province", "X in Y": Y is context.
    if let Some(split) = (1..tokens.len()).find(|&i| matches!(folded[i].as_str(), "of" | "in")) {
        let tail = tokens[split + 1..].join(" ");
        if !tail.is_empty() {
            context.push(tail);
        }
        tokens.truncate(split);
        folded.truncate(split);
    }
    let mut kind = None;
    let mut end = tokens.len();
    while let Some((words, hint)) = KIND_WORDS
        .iter()
        .find(|(words, _)| end > words.len() && ends_with(&folded[..end], words))
    {
        end -= words.len();
        kind.get_or_insert(*hint);
    }
    let context = context
        .into_iter()
        .map(|c| context_name(&c))
        .filter(|c| !c.is_empty())
        .collect();
    let name = tokens[..end].join(" ");
    ParsedQuery {
        variants: variants(&name),
        name,
        kind,
        context,
    }
}

/// The text outside brackets, and each bracketed group ("Maimai district (Upper Darwaz)");
/// an unclosed bracket runs to the end.
fn split_brackets(text: &str) -> (String, Vec<String>) {
    let mut groups = Vec::new();
    let mut main = String::new();
    let mut depth = 0usize;
    let mut group = String::new();
    for ch in text.chars() {
        match ch {
            '(' | '[' => {
                depth += 1;
                if depth == 1 {
                    group.clear();
                    continue;
                }
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    groups.push(group.trim().to_string());
                    continue;
                }
            }
            _ => {}
        }
        if depth > 0 {
            group.push(ch);
        } else {
            main.push(ch);
        }
    }
    if depth > 0 {
        groups.push(group.trim().to_string());
    }
    (main, groups)
}

/// The other readings of a name: without a leading kind word or honorific, and a Russian
/// adjective as the noun it is made from.
///
/// ```
/// use borderwatch::geocode::query::{variants, KindHint};
/// let v = variants("ноҳияи Ванҷ");
/// assert_eq!((v[0].name.as_str(), v[0].kind), ("Ванҷ", Some(KindHint::District)));
/// assert_eq!(variants("Shahr-e Buzurg")[0].name, "Buzurg");
/// assert_eq!(variants("Ванчский")[0].name, "vanch");
/// assert!(variants("Kunduz").is_empty());
/// ```
pub fn variants(name: &str) -> Vec<Variant> {
    let mut out = Vec::new();
    if let Some(variant) = without_leading_word(name) {
        out.push(variant);
    }
    let bases: Vec<String> = std::iter::once(name.to_string())
        .chain(out.iter().map(|v| v.name.clone()))
        .collect();
    for base in bases {
        if let Some(noun) = adjective_noun(&base) {
            let kind = out.iter().find(|v| v.name == base).and_then(|v| v.kind);
            out.push(Variant {
                name: noun,
                kind,
                how: "a Russian adjective read as its noun".into(),
            });
        }
    }
    out
}

/// A context name without the unit words around it ("ولایت کندز", "Kunduz province"), which
/// say nothing of which place it is. Settlement words and honorifics stay: they begin names
/// ("Shahri Buzurg", "Hazrati Sultan").
fn context_name(context: &str) -> String {
    let name = match without_leading_word(context) {
        Some(v) if v.kind.is_some_and(KindHint::is_unit) => v.name,
        _ => context.to_string(),
    };
    strip_kind_words(&name)
}

/// The query read as a name, then a second unit word and what follows as context
/// ("ولسوالی قلعه زال ولایت قندوز": district Qala-i-Zal, province Kunduz), when a district or
/// province word stands inside the name; tried when the whole name is unresolved, as such
/// words also stand inside names ("مرکز ولايت شبرغان").
///
/// ```
/// use borderwatch::geocode::query::{parse, split_at_unit_word};
/// let q = split_at_unit_word(&parse("ولسوالی قلعه زال ولایت قندوز")).unwrap();
/// assert_eq!((q.name.as_str(), q.context[0].as_str()), ("ولسوالی قلعه زال", "قندوز"));
/// assert!(split_at_unit_word(&parse("Vanj nohiya")).is_none());
/// ```
pub fn split_at_unit_word(parsed: &ParsedQuery) -> Option<ParsedQuery> {
    let tokens: Vec<&str> = parsed.name.split_whitespace().collect();
    let folded: Vec<String> = tokens.iter().map(|t| fold(t)).collect();
    let named_before = |i: usize| folded[..i].iter().any(|w| !is_unit_word(w));
    let split = (1..tokens.len().saturating_sub(1))
        .find(|&i| is_unit_word(&folded[i]) && named_before(i))?;
    let mut reading = parse(&tokens[..split].join(" "));
    reading
        .context
        .insert(0, context_name(&tokens[split..].join(" ")));
    reading.context.extend(parsed.context.iter().cloned());
    Some(reading)
}

/// Whether a folded word is a leading word of a district or province ("ولایت", "viloyati").
fn is_unit_word(folded: &str) -> bool {
    leading_kind_words()
        .iter()
        .any(|(word, hint)| word == folded && hint.is_some_and(KindHint::is_unit))
}

/// [`LEADING_KIND_WORDS`] folded, once: every query's first word is compared with them.
fn leading_kind_words() -> &'static [(String, Option<KindHint>)] {
    static FOLDED: std::sync::OnceLock<Vec<(String, Option<KindHint>)>> =
        std::sync::OnceLock::new();
    FOLDED.get_or_init(|| {
        LEADING_KIND_WORDS
            .iter()
            .map(|&(word, hint)| (fold(word), hint))
            .collect()
    })
}

fn without_leading_word(name: &str) -> Option<Variant> {
    // "Shahr-e Buzurg": the word and its izafe may be one token; split on hyphens too.
    let tokens: Vec<&str> = name
        .split([' ', '-', '\u{200c}'])
        .filter(|t| !t.is_empty())
        .collect();
    let mut rest = &tokens[..];
    let mut kind = None;
    // "Вилояти Мухтори Кӯҳистони Бадахшон": several words may lead.
    while let Some((_, hint)) = rest.first().and_then(|first| {
        let first = fold(first);
        leading_kind_words().iter().find(|(word, _)| *word == first)
    }) {
        kind = kind.or(*hint);
        rest = &rest[1..];
        if rest.len() > 1 && IZAFE.contains(&fold(rest[0]).as_str()) {
            rest = &rest[1..];
        }
    }
    if rest.is_empty() || rest.len() == tokens.len() {
        return None;
    }
    Some(Variant {
        name: rest.join(" "),
        kind,
        how: format!("without the word {:?}", tokens[0]),
    })
}

fn adjective_noun(name: &str) -> Option<String> {
    let folded = fold(name);
    let ending = ADJECTIVE_ENDINGS.iter().find(|e| folded.ends_with(*e))?;
    let stem = folded[..folded.len() - ending.len()].trim_end();
    (stem.chars().count() >= MIN_ADJECTIVE_STEM).then(|| stem.to_string())
}

/// A name without its trailing kind words: "Darvoz District" → "Darvoz".
///
/// ```
/// use borderwatch::geocode::query::strip_kind_words;
/// assert_eq!(strip_kind_words("Gorno-Badakhshan Autonomous Region"), "Gorno-Badakhshan");
/// assert_eq!(strip_kind_words("Kunduz River"), "Kunduz");
/// assert_eq!(strip_kind_words("River"), "River");
/// ```
pub fn strip_kind_words(name: &str) -> String {
    // Most names end in no kind word: one fold of the last word tells (this runs for every
    // name of the gazetteer at start-up).
    let last = name.split_whitespace().next_back().map(fold);
    if !last.is_some_and(|last| {
        KIND_WORDS
            .iter()
            .any(|(words, _)| words.last() == Some(&last.as_str()))
    }) {
        return name.to_string();
    }
    let tokens: Vec<&str> = name.split_whitespace().collect();
    let folded: Vec<String> = tokens.iter().map(|t| fold(t)).collect();
    let mut end = tokens.len();
    while let Some((words, _)) = KIND_WORDS
        .iter()
        .find(|(words, _)| end > words.len() && ends_with(&folded[..end], words))
    {
        end -= words.len();
    }
    tokens[..end].join(" ")
}

fn starts_with(tokens: &[String], words: &[&str]) -> bool {
    tokens.len() >= words.len() && tokens.iter().zip(words).all(|(t, w)| t == w)
}

fn ends_with(tokens: &[String], words: &[&str]) -> bool {
    tokens.len() >= words.len()
        && tokens[tokens.len() - words.len()..]
            .iter()
            .zip(words)
            .all(|(t, w)| t == w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_unit_word_can_start_the_context() {
        // As a reading tried after the whole name: such words stand inside names too.
        assert!(parse("ولسوالی قلعه زال ولایت قندوز").context.is_empty());
        let q = split_at_unit_word(&parse("ولسوالی قلعه زال ولایت قندوز")).unwrap();
        assert_eq!(q.name, "ولسوالی قلعه زال");
        assert_eq!(q.context, ["قندوز"]);
        let q = split_at_unit_word(&parse("ноҳияи Ванҷ вилояти Бадахшон, Тоҷикистон")).unwrap();
        assert_eq!(q.name, "ноҳияи Ванҷ");
        assert_eq!(q.context, ["Бадахшон", "Тоҷикистон"]);
        // A unit word that ends the name is a kind word, not a context.
        assert!(split_at_unit_word(&parse("Vanj nohiya")).is_none());
        // A context loses its unit words, not the settlement words names begin with.
        assert_eq!(parse("Qala-e-Zal, ولایت کندز").context, ["کندز"]);
        assert_eq!(parse("Yaftal, Shahri Buzurg").context, ["Shahri Buzurg"]);
    }

    #[test]
    fn kind_words_become_hints() {
        assert_eq!(parse("Vanj nohiya").kind, Some(KindHint::District));
        assert_eq!(parse("Panj River").kind, Some(KindHint::River));
        assert_eq!(parse("Khatlon viloyati").kind, Some(KindHint::Province));
        assert_eq!(parse("Ishkashim border post").kind, Some(KindHint::Post));
        assert_eq!(parse("Kunduz wuluswali").name, "Kunduz");
        assert_eq!(parse("Дарвоз район").name, "Дарвоз");
    }

    #[test]
    fn a_lone_kind_word_is_a_name() {
        assert_eq!(parse("District").name, "District");
        assert_eq!(parse("near").name, "near");
    }

    #[test]
    fn of_and_in_phrases_are_context() {
        let q = parse("Jirm district of Badakhshan province");
        assert_eq!(q.name, "Jirm");
        assert_eq!(q.context, vec!["Badakhshan"]);
        let q = parse("Dashti Yazgulyam section of Vanj district");
        assert_eq!(q.name, "Dashti Yazgulyam");
        assert_eq!(q.kind, Some(KindHint::Area));
        assert_eq!(q.context, vec!["Vanj"]);
    }

    #[test]
    fn affixes_are_dropped() {
        assert_eq!(parse("outskirts of Kunduz").name, "Kunduz");
        assert_eq!(parse("northern Kunduz").name, "Kunduz");
        assert_eq!(parse("Near Qala-i-Zal").name, "Qala-i-Zal");
    }

    #[test]
    fn control_characters_are_blanked() {
        assert_eq!(parse("Vanj\u{1b}[31m").name, "Vanj");
        assert_eq!(parse("\tVanj\r").name, "Vanj");
    }

    #[test]
    fn unbalanced_parenthesis_is_context() {
        let q = parse("Maimai (Upper Darwaz");
        assert_eq!(q.name, "Maimai");
        assert_eq!(q.context, vec!["Upper Darwaz"]);
    }
}
