//! What a sentence says happened: actors (from the alias table `data/actors.csv`), the ACLED
//! event type from its verbs and nouns, fatalities from numbers and number words, and
//! relative locations ("50 miles southwest of Dushanbe").

use std::sync::OnceLock;

use regex::Regex;

/// The bundled actor alias table: (alias, actor, kind).
const ACTORS_CSV: &str = include_str!("../../data/actors.csv");

/// One row of `data/actors.csv`.
#[derive(Debug, Clone)]
pub(crate) struct ActorRow {
    /// A name the text may use ("Tajik border guards").
    pub alias: String,
    /// The actor it stands for, under the name drafts use.
    pub actor: String,
    /// "armed group", "state force", "civilians", "organisation" (not an actor: a name that
    /// hides places, such as "Afghanistan International").
    pub kind: String,
    /// ACLED's interaction code, when the actor takes part in events.
    pub inter: Option<u8>,
}

/// The rows of `data/actors.csv`.
pub(crate) fn actor_table() -> &'static [ActorRow] {
    static ROWS: OnceLock<Vec<ActorRow>> = OnceLock::new();
    ROWS.get_or_init(|| {
        csv::Reader::from_reader(ACTORS_CSV.as_bytes())
            .records()
            .map(|r| {
                let r = r.expect("data/actors.csv is valid (tested)");
                ActorRow {
                    alias: r[0].to_string(),
                    actor: r[1].to_string(),
                    kind: r[2].to_string(),
                    inter: r.get(3).and_then(|x| x.parse().ok()),
                }
            })
            .collect()
    })
}

/// Actors named in a sentence, in order of appearance, armed groups and state forces only.
///
/// ```
/// use borderwatch::extract::facts::actors;
/// assert_eq!(actors("three members of the Jamaat Ansarullah were killed by Tajik border guards"),
///            ["Jamaat Ansarullah", "Military Forces of Tajikistan (1994-) Border Troops"]);
/// ```
///
/// # Panics
///
/// Only if the bundled `data/actors.csv` did not parse (it is built in and tested).
pub fn actors(sentence: &str) -> Vec<String> {
    let lower = sentence.to_lowercase();
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    for ActorRow {
        alias, actor, kind, ..
    } in actor_table()
    {
        if kind == "organisation" {
            continue;
        }
        let key = alias.to_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find(&key) {
            let start = from + at;
            let end = start + key.len();
            let before = lower[..start].chars().next_back();
            let after = lower[end..].chars().next();
            let whole = before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| !c.is_alphanumeric());
            // Case matters for short abbreviations (IS, TIP): they must be capitals as written.
            let cased = key.len() > 4 || sentence[start..end] == *alias;
            if whole && cased && !found.iter().any(|(s, e, _)| *s <= start && end <= *e) {
                found.retain(|(s, e, _)| !(start <= *s && *e <= end));
                found.push((start, end, actor));
            }
            from = end;
        }
    }
    found.sort_by_key(|f| f.0);
    let mut out: Vec<String> = Vec::new();
    for (_, _, actor) in found {
        if !out.iter().any(|a| a == actor) {
            out.push(actor.to_string());
        }
    }
    out
}

/// ACLED event type and sub-event type suggested by a sentence, if it describes an event.
///
/// ```
/// use borderwatch::extract::facts::event_type;
/// assert_eq!(event_type("As a result of the shootout, three members were neutralized"),
///            Some(("Battles", "Armed clash")));
/// assert_eq!(event_type("Tajikistan supports peace and stability in the region"), None);
/// // The titles of the articles of law a case is opened under are not the event.
/// let case = r#"A case was opened under Article 195 ("Illegal Carrying of Weapons, Explosives or Explosive Devices")"#;
/// assert_eq!(event_type(case), None);
/// ```
pub fn event_type(sentence: &str) -> Option<(&'static str, &'static str)> {
    // A quoted title in brackets names something (an article of law: 195 ("Illegal
    // Acquisition ... of Weapons, Ammunition, Explosives")); it tells nothing of the event.
    static TITLE: OnceLock<Regex> = OnceLock::new();
    let title = TITLE.get_or_init(|| Regex::new(r#"\(\s*["“«][^)]*["”»]\s*\)"#).expect("regex"));
    let s = title.replace_all(sentence, " ").to_lowercase();
    // Words match at the start of a word: "ied" is not in "tried", "raid" not in "afraid".
    let has = |words: &[&str]| {
        words.iter().any(|w| {
            s.match_indices(w).any(|(i, _)| {
                s[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
        })
    };
    let rule = EVENT_RULES.iter().find(|r| has(r.words))?;
    Some(match rule.refine {
        Refine::Civilians
            if has(&["civilians were", "civilian", "villagers were"])
                && !has(&["police", "soldier", "guard", "forces", "militant"]) =>
        {
            ("Violence against civilians", "Attack")
        }
        Refine::Drugs if !has(&["heroin", "opium", "hashish", "drug", "narcotic"]) => {
            ("Strategic developments", "Disrupted weapons use")
        }
        _ => (rule.event_type, rule.sub_event_type),
    })
}

/// A rule of [`event_type`]: a sentence with one of `words` reports an event of this type.
struct EventRule {
    words: &'static [&'static str],
    event_type: &'static str,
    sub_event_type: &'static str,
    refine: Refine,
}

/// What a matched [`EventRule`] still depends on.
enum Refine {
    /// Nothing: the rule's type stands.
    None,
    /// Violence against civilians when only civilians are named as its victims.
    Civilians,
    /// A seizure is of drugs (the rule's type) or, when no drug is named, of arms.
    Drugs,
}

/// The rules of [`event_type`], the first that matches deciding: the more specific and
/// the more severe come first (an air strike before a clash, a clash before an arrest).
const EVENT_RULES: &[EventRule] = &[
    EventRule {
        words: &["airstrike", "air strike", "drone strike"],
        event_type: "Explosions/Remote violence",
        sub_event_type: "Air/drone strike",
        refine: Refine::None,
    },
    EventRule {
        words: &["shelling", "artillery", "rocket"],
        event_type: "Explosions/Remote violence",
        sub_event_type: "Shelling/artillery/missile attack",
        refine: Refine::None,
    },
    EventRule {
        words: &["ied", "roadside bomb", "landmine", "explosive device"],
        event_type: "Explosions/Remote violence",
        sub_event_type: "Remote explosive/landmine/IED",
        refine: Refine::None,
    },
    EventRule {
        words: &["suicide bomb"],
        event_type: "Explosions/Remote violence",
        sub_event_type: "Suicide bomb",
        refine: Refine::None,
    },
    EventRule {
        words: &["mortar"],
        event_type: "Explosions/Remote violence",
        sub_event_type: "Shelling/artillery/missile attack",
        refine: Refine::None,
    },
    EventRule {
        words: &["retook", "retake", "recaptured", "regained control"],
        event_type: "Battles",
        sub_event_type: "Government regains territory",
        refine: Refine::None,
    },
    EventRule {
        words: &[
            "took control of",
            "taken control of",
            "captured",
            "fell to",
            "fell into the hands",
            "overrun",
        ],
        event_type: "Battles",
        sub_event_type: "Non-state actor overtakes territory",
        refine: Refine::None,
    },
    EventRule {
        words: &["into the air", "warning shots"],
        event_type: "Protests",
        sub_event_type: "Protest with intervention",
        refine: Refine::None,
    },
    EventRule {
        words: &[
            "shootout",
            "clash",
            "gun battle",
            "firefight",
            "attacked",
            "attack on",
            "raid",
            "siege",
            "destruction of",
            "destroyed",
            "ambush",
            "neutralized",
            "neutralised",
            "killed",
            "overran",
            "stormed",
            "skirmish",
            "shot dead",
            "opened fire",
            "fired on",
            "fired at",
            "exchange of fire",
            "fighting",
            "struck",
            "shooting",
            "foiled",
            "targeted",
            "attack",
            "fired",
        ],
        event_type: "Battles",
        sub_event_type: "Armed clash",
        refine: Refine::Civilians,
    },
    EventRule {
        words: &["arrested", "detained"],
        event_type: "Strategic developments",
        sub_event_type: "Arrests",
        refine: Refine::None,
    },
    EventRule {
        words: &["seized", "confiscated", "intercepted", "found at the scene"],
        event_type: "Strategic developments",
        sub_event_type: "Other",
        refine: Refine::Drugs,
    },
    EventRule {
        words: &["burned down", "set fire", "looted"],
        event_type: "Strategic developments",
        sub_event_type: "Looting/property destruction",
        refine: Refine::None,
    },
    EventRule {
        words: &["protest", "demonstrat", "rally"],
        event_type: "Protests",
        sub_event_type: "Peaceful protest",
        refine: Refine::None,
    },
    EventRule {
        words: &["crossing", "crossed", "infiltrat", "fled into"],
        event_type: "Strategic developments",
        sub_event_type: "Other",
        refine: Refine::None,
    },
];

const NUMBER_WORDS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("a dozen", 12),
    ("dozens", 24),
    ("hundreds", 200),
];

/// A number written in digits or words.
pub fn number(text: &str) -> Option<u32> {
    let t = text.trim().to_lowercase().replace(',', "");
    t.parse()
        .ok()
        .or_else(|| NUMBER_WORDS.iter().find(|(w, _)| *w == t).map(|(_, n)| *n))
}

/// Fatalities a sentence reports, and a note when the count is not exact.
///
/// ```
/// use borderwatch::extract::facts::fatalities;
/// assert_eq!(fatalities("At least 17 people were killed on Wednesday").0, Some(17));
/// assert_eq!(fatalities("three members of the group were neutralized").0, Some(3));
/// let (count, note) = fatalities("killing and wounding more than 40 Afghan security personnel");
/// assert_eq!(count, None);
/// assert!(note.unwrap().contains("killed and wounded"));
/// // One person named with "a": one death, unless "a" opens a quantity.
/// assert_eq!(fatalities("A Tajik border guard officer has been killed").0, Some(1));
/// assert_eq!(fatalities("guards have shot dead a drug smuggler").0, Some(1));
/// assert_eq!(fatalities("a number of smugglers were killed").0, None);
/// ```
pub fn fatalities(sentence: &str) -> (Option<u32>, Option<String>) {
    // Characters from a figure to its verb: room for an apposition ("One of the trespassers,
    // Afghan national Abdurahman waladi Amanboy, was reportedly killed").
    const TOLL_REACH: usize = 90;
    static P: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (killed, verb_first, mixed) = P.get_or_init(|| {
        let n = r"(\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|dozens|hundreds)";
        (
            Regex::new(&format!(r"(?i)\b(?:at least |more than |some |about )?{n}\b[^.;]{{0,{TOLL_REACH}}}?\b(?:were|was|have been|had been)?(?: reportedly| also)? ?(?:killed|dead|died|neutrali[sz]ed|slain)")).expect("regex"),
            Regex::new(&format!(r"(?i)\b(?:killing|killed) (?:at least |more than |some |about )?{n}\b")).expect("regex"),
            Regex::new(r"(?i)\bkill(?:ing|ed)? and wound(?:ing|ed)?|\bkilled or wounded|\bdead (?:and|or) wounded|\bcasualties\b").expect("regex"),
        )
    });
    if mixed.is_match(sentence) {
        return (
            None,
            Some("killed and wounded are not counted apart: no fatality figure".into()),
        );
    }
    // Numbers of dates and years are not counts of people.
    static DATES: OnceLock<Regex> = OnceLock::new();
    let dates = DATES.get_or_init(|| {
        Regex::new(r"(?i)\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\b\d{4}\b|\b\d+[- ]years?[- ]old\b").expect("regex")
    });
    let undated = dates.replace_all(sentence, " ");
    let sentence = undated.as_ref();
    let count = killed
        .captures(sentence)
        .or_else(|| verb_first.captures(sentence))
        .and_then(|c| number(&c[1]))
        .or_else(|| one_person_killed(sentence).then_some(1));
    let bound = ["at least", "more than", "some ", "about "]
        .iter()
        .any(|w| sentence.to_lowercase().contains(w));
    let note = match (count, bound) {
        (Some(_), true) => Some("the source gives a lower bound or an estimate".into()),
        _ => None,
    };
    (count, note)
}

/// Words after "a"/"an" that make it a quantity, not one person ("a number of", "a dozen").
const QUANTITY_WORDS: &[&str] = &[
    "number", "group", "dozen", "few", "handful", "lot", "score", "unknown", "total", "couple",
];

/// Whether the sentence reports the death of one person named with "a"/"an": "a border
/// guard officer has been killed", "shot dead a drug smuggler".
fn one_person_killed(sentence: &str) -> bool {
    static P: OnceLock<[Regex; 2]> = OnceLock::new();
    let patterns = P.get_or_init(|| {
        [
            Regex::new(r"(?i)\ban? (\w+)[^.;,]{0,60}?\b(?:was|has been|had been)(?: reportedly)? (?:killed|shot dead|slain)\b").expect("regex"),
            Regex::new(r"(?i)\b(?:killing|killed|shot dead|shooting dead|shot and killed) an? (\w+)").expect("regex"),
        ]
    });
    patterns.iter().any(|p| {
        p.captures_iter(sentence)
            .any(|c| !QUANTITY_WORDS.contains(&c[1].to_lowercase().as_str()))
    })
}

/// Deaths a sentence reports, with the side they fell on.
#[derive(Debug, Clone, PartialEq)]
pub struct Toll {
    /// How many died, as [`fatalities`] reads the sentence.
    pub count: u32,
    /// "state forces", "armed group", "civilians" or "people" (side not said).
    pub side: &'static str,
    /// Why the figure is not exact, when it is not.
    pub note: Option<String>,
}

/// Words naming the dead, by side.
const SIDES: &[(&str, &[&str])] = &[
    (
        "state forces",
        &[
            "soldier", "troops", "guard", "police", "officer", "commando", "army", "russians",
            "servicem",
        ],
    ),
    (
        "armed group",
        &[
            "militant",
            "taliban",
            "insurgent",
            "rebel",
            "fighter",
            "attacker",
            "trafficker",
            "smuggler",
            "terrorist",
            "assailant",
            "gunm",
            "trespasser",
            "intruder",
            "member",
        ],
    ),
    (
        "civilians",
        &[
            "civilian",
            "protester",
            "resident",
            "villager",
            "children",
            "women",
        ],
    ),
];

/// The deaths of a sentence and their side ("15 soldiers were killed": state forces, 15).
///
/// ```
/// use borderwatch::extract::facts::toll;
/// let t = toll("at least six Taliban fighters were killed").unwrap();
/// assert_eq!((t.count, t.side), (6, "armed group"));
/// ```
pub fn toll(sentence: &str) -> Option<Toll> {
    let (count, note) = fatalities(sentence);
    let count = count?;
    let lower = sentence.to_lowercase();
    // The side is named next to the figure: after it ("15 soldiers"), else before it.
    let at = number_position(&lower, count).unwrap_or(0);
    let window = |from: usize, to: usize| {
        let (from, to) = (floor_char(&lower, from), floor_char(&lower, to));
        &lower[from..to]
    };
    let after = window(at, (at + SIDE_WINDOW).min(lower.len()));
    let before = window(at.saturating_sub(SIDE_WINDOW), at);
    let side_in = |text: &str| {
        SIDES
            .iter()
            .filter_map(|(side, words)| {
                words
                    .iter()
                    .filter_map(|w| text.find(w))
                    .min()
                    .map(|at| (at, *side))
            })
            .min()
            .map(|(_, side)| side)
    };
    let side = side_in(after)
        .or_else(|| side_in(before))
        .unwrap_or(UNKNOWN_SIDE);
    Some(Toll { count, side, note })
}

/// Characters either side of a figure searched for the side of the dead.
const SIDE_WINDOW: usize = 30;

/// The side of dead whom the text does not place.
pub const UNKNOWN_SIDE: &str = "people";

/// The byte offset of a figure, in digits or words, in lower-case text.
fn number_position(lower: &str, count: u32) -> Option<usize> {
    let digits = count.to_string();
    let words: Vec<&str> = NUMBER_WORDS
        .iter()
        .filter(|(_, n)| *n == count)
        .map(|(w, _)| *w)
        .collect();
    std::iter::once(digits.as_str())
        .chain(words)
        .filter_map(|w| {
            lower.match_indices(w).find_map(|(i, _)| {
                let before = lower[..i].chars().next_back();
                let after = lower[i + w.len()..].chars().next();
                (before.is_none_or(|c| !c.is_alphanumeric())
                    && after.is_none_or(|c| !c.is_alphanumeric()))
                .then_some(i)
            })
        })
        .min()
}

/// The largest char boundary at or below `i`.
fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The injured a sentence reports ("13 soldiers were wounded", "two were injured").
pub fn injured(sentence: &str) -> Option<u32> {
    static P: OnceLock<Regex> = OnceLock::new();
    let re = P.get_or_init(|| {
        Regex::new(r"(?i)\b(?:at least |more than |some |about )?(\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty)(?: [\w-]+){0,3}? (?:(?:were|was|have been|had been|more were) )?(?:wounded|injured)\b").expect("regex")
    });
    re.captures(sentence).and_then(|c| number(&c[1]))
}

/// ACLED's interaction code of an actor of `data/actors.csv` (1 state forces, 2 rebel groups,
/// 3 political militias, 4 identity militias, 5 rioters, 6 protesters, 7 civilians, 8 external
/// or other forces). None for a name not in the table, and for an organisation.
///
/// ```
/// use borderwatch::extract::facts::inter_code;
/// assert_eq!(inter_code("Taliban"), Some(2));
/// assert_eq!(inter_code("Somebody"), None);
/// ```
///
/// # Panics
///
/// Only if the bundled `data/actors.csv` did not parse (it is built in and tested).
pub fn inter_code(actor: &str) -> Option<u8> {
    actor_table()
        .iter()
        .find(|r| r.actor == actor)
        .and_then(|r| r.inter)
}

/// A relative location: "N miles/km \[direction\] of PLACE".
#[derive(Debug, Clone, PartialEq)]
pub struct Relative {
    /// The distance in kilometres (miles converted at 1.609344 km).
    pub km: f64,
    /// Degrees clockwise from north, or None when no direction is given.
    pub bearing: Option<f64>,
    /// The place the distance is measured from, as written.
    pub place: String,
    /// Character offset (not byte) of the start of the whole phrase in the sentence.
    pub start: usize,
    /// Character offset of the end of the phrase, past its last character.
    pub end: usize,
}

/// Finds "around 50 miles southwest of the capital, Dushanbe" and the like.
///
/// ```
/// use borderwatch::extract::facts::relative_location;
/// let r = relative_location("which occurred around 50 miles southwest of the capital, Dushanbe, but").unwrap();
/// assert_eq!((r.km.round(), r.bearing, r.place.as_str()), (80.0, Some(225.0), "Dushanbe"));
/// ```
pub fn relative_location(sentence: &str) -> Option<Relative> {
    static P: OnceLock<Regex> = OnceLock::new();
    let re = P.get_or_init(|| {
        Regex::new(r"(?i)\b(?:around |about |some |approximately |roughly )?(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty) ?(miles?|mi|km|kilometers?|kilometres?) (?:to the )?(north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)? ?of (?:the (?:capital|city|town|village)(?:,| of)? )?(\p{Lu}[\p{L}'’-]+(?: \p{Lu}[\p{L}'’-]+)?)").expect("regex")
    });
    let c = re.captures(sentence)?;
    let value = c[1]
        .parse::<f64>()
        .ok()
        .or_else(|| number(&c[1]).map(f64::from))?;
    let unit = c[2].to_lowercase();
    let km = if unit.starts_with("mi") {
        value * 1.609_344
    } else {
        value
    };
    let bearing = c.get(3).map(
        |d| match d.as_str().to_lowercase().replace('-', "").as_str() {
            "north" => 0.0,
            "northeast" => 45.0,
            "east" => 90.0,
            "southeast" => 135.0,
            "south" => 180.0,
            "southwest" => 225.0,
            "west" => 270.0,
            _ => 315.0,
        },
    );
    let whole = c.get(0).expect("match");
    Some(Relative {
        km,
        bearing,
        place: c[4].to_string(),
        start: sentence[..whole.start()].chars().count(),
        end: sentence[..whole.end()].chars().count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_table_reads() {
        assert!(actor_table().len() > 40);
        assert!(
            actor_table()
                .iter()
                .all(|r| !r.alias.is_empty() && !r.actor.is_empty() && !r.kind.is_empty())
        );
        assert!(
            actor_table()
                .iter()
                .all(|r| (r.kind == "organisation") == r.inter.is_none()),
            "every actor has an ACLED inter code, no organisation has one"
        );
    }

    #[test]
    fn word_numbers_and_digits() {
        assert_eq!(number("Fifteen"), Some(15));
        assert_eq!(number("2,500"), Some(2500));
        assert_eq!(number("many"), None);
    }

    #[test]
    fn no_casualties_are_invented() {
        assert_eq!(
            fatalities("The committee said they seized five Kalashnikov assault rifles").0,
            None
        );
        assert_eq!(
            fatalities("Estimated to have between 2,500 and 3,000 fighters").0,
            None
        );
        assert_eq!(
            fatalities("Fifteen assailants were killed in the gun battle").0,
            Some(15)
        );
    }

    #[test]
    fn relative_locations_in_km_without_direction() {
        let r = relative_location("a post 12 km of Qalaikhumb").unwrap();
        assert_eq!((r.km, r.bearing), (12.0, None));
    }
}
