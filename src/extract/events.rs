//! From sentences to events: each sentence's date, place, type, toll and actors, then the
//! sentences grouped into one draft per event.
//!
//! A sentence with an event word opens an event unless it continues the current one (no date
//! of its own or the same day, a place compatible with the event's, at most
//! [`MAX_GAP`] sentences on). Sentences without an event word join the current event when they
//! tell its toll or refer back to it ("the attack", "the incident"). A sentence that only gives
//! a year is background, drafted only when the text tells nothing else; an incident dated
//! long before the story's latest event is a draft of its own marked as reported in passing.

use chrono::{Duration, NaiveDate};
use geo::Point;
use regex::Regex;
use std::sync::OnceLock;

use super::dates::{FoundDate, SentenceDates, sentence_dates, year_only};
use super::facts::{Toll, UNKNOWN_SIDE, actors, event_type, inter_code, toll};
use super::text::Sentence;
use super::toponyms::Mention;
use super::{Draft, Located, country_name, group_patterns, region, relative_place};
use crate::gazetteer::Kind;
use crate::geocode::Status;

/// How finely a place pins an event; lower is finer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    /// A place the text marks ("the village of X", "X border post", "X neighbourhood") that
    /// the gazetteer does not hold: a part of a town or a post, finer than any town it names.
    Spot,
    /// A village, town, post or crossing of the gazetteer.
    Site,
    District,
    /// "N km south-west of X".
    Relative,
    /// A border unit named after a place ("the Panj border unit"): its area, not the town.
    Unit,
    Province,
    /// "northern Afghanistan", a corridor or a mountain range.
    Region,
    Country,
}

/// What dates are resolved against.
pub(super) struct Anchor {
    pub date: NaiveDate,
    pub basis: String,
    /// The anchor is a republished page's dateline: relative dates are doubtful.
    pub republished: bool,
    /// Only the anchor's month is known (`date` is its last day): it gives partial dates
    /// their year, and resolves no weekday or relative date.
    pub month_only: bool,
}

/// One article, split and scanned.
pub(super) struct Article<'a> {
    pub sentences: &'a [Sentence],
    pub mentions: &'a [Mention],
    pub anchor: Option<&'a Anchor>,
    pub origin: &'a str,
    pub stem: &'a str,
}

/// Sentences an event may skip between two of its evidence sentences.
const MAX_GAP: usize = 3;

/// Days two dates of one event may differ by ("Friday night" and "Saturday").
const SAME_EVENT_DAYS: i64 = 1;

/// Words below which a line is a byline or a dateline, not a sentence of the story.
const MIN_WORDS: usize = 4;

/// What one sentence says.
struct Facts<'a> {
    index: usize,
    sentence: &'a Sentence,
    kind: Option<(&'static str, &'static str)>,
    dates: SentenceDates,
    year: Option<(i32, String)>,
    place: Option<Located>,
    /// Other places of the sentence that are known districts or provinces, finest first.
    containers: Vec<Located>,
    toll: Option<Toll>,
    actors: Vec<String>,
    continues: bool,
    /// Names the event told before ("the attack", "the Taliban terrorist attack").
    refers_back: bool,
    opens_new: bool,
    meanwhile: bool,
}

/// An event being assembled.
struct Group<'a> {
    facts: Vec<&'a Facts<'a>>,
    /// Opened by a sentence that gives only a year.
    background: bool,
}

impl Group<'_> {
    fn date(&self) -> Option<&FoundDate> {
        self.facts.iter().find_map(|f| f.dates.event.as_ref())
    }

    fn reported(&self) -> Option<&FoundDate> {
        self.facts.iter().find_map(|f| f.dates.reported.as_ref())
    }

    /// The first place told, refined by finer places within it ("Kunduz" then "the district
    /// of Dasht-e-Arch"); a finer place elsewhere does not move the event.
    fn place(&self) -> Option<&Located> {
        let mut places = self.facts.iter().filter_map(|f| f.place.as_ref());
        let first = places.next()?;
        Some(places.fold(first, |current, p| {
            if p.level < current.level && within(p, current) {
                p
            } else {
                current
            }
        }))
    }

    fn last(&self) -> usize {
        self.facts.last().map_or(0, |f| f.index)
    }
}

/// Words that tell the next sentence is about the event just told.
const REFERS_BACK: &[&str] = &[
    "the clash",
    "the attack",
    "the gun battle",
    "the shootout",
    "the skirmish",
    "the raid",
    "the incident",
    "the crossing",
    "the operation",
    "anti-terrorist operation",
    "the fighting",
    "the ambush",
    "the scene",
    "the battle",
    "the statement",
];

/// "the Taliban terrorist attack": an event named with up to three words before its noun.
fn back_reference() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\bthe (?:[\w-]+ ){0,3}(?:attack|clash|incident|raid|ambush|skirmish|shootout|assault)\b")
            .expect("regex")
    })
}

/// Words opening a sentence about another event.
const NEW_EVENT_OPENERS: &[&str] = &[
    "meanwhile",
    "at another",
    "in a separate",
    "separately",
    "elsewhere",
    "in another",
];

/// Words after a name that make it a border unit named after the place.
const UNIT_WORDS: &[&str] = &[
    " border unit",
    " border detachment",
    " frontier group",
    " detachment",
    " border guard unit",
];

/// Words after a name that use a capital or country for its government ("Moscow says").
const METONYMY_AFTER: &[&str] = &[
    " said",
    " says",
    " calls",
    " called",
    " announced",
    " denies",
    " denied",
    " demanded",
    " claims",
    " accused",
];

/// Words before a name that use it for its government ("accused Kabul").
const METONYMY_BEFORE: &[&str] = &["said in ", "accused ", "urged ", "told ", "warned "];

/// Words before a name that make it where an actor came from, not where the event was:
/// "from Afghanistan's Wakhan Corridor", "from the village of X".
fn origin_before() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\bfrom (?:the )?(?:(?:village|town|district) of )?(?:[\p{L}-]+(?:'s|’s) )?$")
            .expect("regex")
    })
}

/// Words before a name that make it the seat of an office, not the event's place: "the mayor
/// of the regional capital, Khorugh", "the governor of Kunduz".
fn office_before() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)\b(?:mayor|governor|chief|head|commander|spokes(?:man|woman|person)|ambassador|consul)s? of (?:the )?(?:[\p{L}-]+ ){0,2}(?:[\p{L}-]+, )?$")
            .expect("regex")
    })
}

/// How far back, in characters, an office title before a name is looked for.
const OFFICE_WINDOW: usize = 48;

/// A dateline at the start of a line ("DUSHANBE, August 8, 2016, Asia-Plus – ", "KABUL - "):
/// its date is the report's, its city where the reporter filed from.
fn dateline_len(text: &str) -> usize {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^\p{Lu}[\p{Lu}.'’ ]{2,}(?:,[^–—\n]{0,60}?)?\s(?:–|—|--|-)\s").expect("regex")
    });
    re.find(text).map_or(0, |m| m.end())
}

fn located_from(m: &Mention, level: Level, note: String) -> Located {
    let kind = m.kind;
    Located {
        level,
        location: m.mention.clone(),
        country: country_name(m.country.as_deref().unwrap_or("")).to_string(),
        admin1: m.admin1.clone().unwrap_or_default(),
        admin2: if kind == Some(Kind::District) {
            m.name.clone()
        } else {
            m.admin2.clone()
        }
        .unwrap_or_default(),
        point: m.lat.zip(m.lon).map(|(lat, lon)| Point::new(lon, lat)),
        precision: m.precision.unwrap_or(2),
        id: m.id.clone(),
        note,
    }
}

/// The level of a resolved place of the gazetteer.
fn level_of(kind: Kind) -> Option<Level> {
    Some(match kind {
        Kind::River => return None,
        Kind::District => Level::District,
        Kind::Province => Level::Province,
        // A valley, gorge or section: about a district's extent.
        Kind::Area => Level::District,
        Kind::Country => Level::Country,
        _ => Level::Site,
    })
}

/// The places of one sentence that can be the event's: (the finest, the known containers).
fn sentence_places(article: &Article, s: &Sentence) -> (Option<Located>, Vec<Located>) {
    let chars: Vec<char> = s.text.chars().collect();
    let relative = relative_place(s);
    let relative_span = super::facts::relative_location(&s.text).map(|r| (r.start, r.end));
    let mut places: Vec<(usize, Located)> = Vec::new();
    let in_sentence = article
        .mentions
        .iter()
        .filter(|m| s.start <= m.start && m.end <= s.end);
    for m in in_sentence {
        let (a, b) = (m.start - s.start, m.end - s.start);
        if relative_span.is_some_and(|(x, y)| x <= a && b <= y) {
            continue;
        }
        let before: String = chars[a.saturating_sub(24)..a]
            .iter()
            .collect::<String>()
            .to_lowercase();
        let after: String = chars[b..chars.len().min(b + 24)].iter().collect();
        let after_lower = after.to_lowercase();
        if not_the_events_place(m, &chars, a, &before, &after_lower) {
            continue;
        }
        let unit = UNIT_WORDS.iter().any(|w| after_lower.starts_with(w));
        let located = match (m.status, m.kind) {
            (Status::Resolved, Some(kind)) => {
                let Some(mut level) = level_of(kind) else {
                    continue;
                };
                // "In Kunduz": a town named like its province stands for the province unless
                // the text says "city" or "town".
                let namesake = m.name.is_some() && m.name == m.admin1;
                if level == Level::Site
                    && namesake
                    && !["city", "town"]
                        .iter()
                        .any(|w| after_lower.trim_start().starts_with(w))
                {
                    level = Level::Province;
                }
                let level = if unit { Level::Unit } else { level };
                let what = if unit {
                    format!(
                        "a border unit named after {}: the incident was in its area",
                        m.name.clone().unwrap_or_default()
                    )
                } else {
                    format!("{} ({})", m.name.clone().unwrap_or_default(), m.reason)
                };
                located_from(m, level, format!("place: {what}"))
            }
            // Marked as a place by the text ("the village of X", "X border post") but not in
            // the gazetteer, or a name the gazetteer holds in several places.
            (status, _) => unknown_place(m, status, unit, &before, &after_lower),
        };
        places.push((a, located));
    }
    let mut containers: Vec<Located> = places
        .iter()
        .filter(|(_, p)| p.id.is_some() && p.level <= Level::Province && p.level != Level::Relative)
        .map(|(_, p)| p.clone())
        .collect();
    containers.sort_by_key(|p| p.level);
    places.extend(relative.map(|r| (0, r)));
    places.extend(region(s).map(|r| (0, r)));
    let best = places
        .into_iter()
        .min_by_key(|(at, p)| (p.level, *at))
        .map(|(_, p)| p);
    (best, containers)
}

/// Whether a mention names something other than the event's place: a dateline's capital, a
/// capital used for its government, where an actor came from, an office's seat, or a place
/// outside the region.
fn not_the_events_place(
    m: &Mention,
    chars: &[char],
    a: usize,
    before: &str,
    after_lower: &str,
) -> bool {
    // A dateline's capital ("KABUL") or a heading in capitals is not the event's place.
    if m.mention.chars().count() > 3 && !m.mention.chars().any(char::is_lowercase) {
        return true;
    }
    if METONYMY_AFTER.iter().any(|w| after_lower.starts_with(w))
        || METONYMY_BEFORE.iter().any(|w| before.ends_with(w))
    {
        return true;
    }
    let office: String = chars[a.saturating_sub(OFFICE_WINDOW)..a].iter().collect();
    if origin_before().is_match(before) || office_before().is_match(&office) {
        return true;
    }
    // Moscow, Washington or Syria: named beside the region's events, not their place.
    m.status == Status::Resolved
        && m.country
            .as_deref()
            .is_some_and(|c| !crate::gazetteer::in_region(c))
}

/// The place of a mention the gazetteer does not settle: its name, at the level the words
/// around it give, with no point.
fn unknown_place(
    m: &Mention,
    status: Status,
    unit: bool,
    before: &str,
    after_lower: &str,
) -> Located {
    let generic = ["Corridor", "Mountains", "Range", "Valley", "Gorge"]
        .iter()
        .any(|g| m.mention.ends_with(g));
    let level = if unit {
        Level::Unit
    } else if generic {
        Level::Region
    } else if after_lower.starts_with(" district") || before.ends_with("district of ") {
        Level::District
    } else if after_lower.starts_with(" province") || before.ends_with("province of ") {
        Level::Province
    } else if status == Status::Ambiguous {
        Level::Site
    } else {
        Level::Spot
    };
    let why = if status == Status::Ambiguous {
        "a name of several places in the gazetteer"
    } else {
        "not in the gazetteer, named as a place by the text"
    };
    unplaced(
        level,
        m.mention.clone(),
        format!("place: {} ({why})", m.mention),
    )
}

/// A place with no point and no unit around it yet (ACLED precision 3): `placed` or the
/// draft's notes say what is known of it.
fn unplaced(level: Level, location: String, note: String) -> Located {
    Located {
        level,
        location,
        country: String::new(),
        admin1: String::new(),
        admin2: String::new(),
        point: None,
        precision: 3,
        id: None,
        note,
    }
}

/// Whether a finer place lies within a coarser one, as far as the text and gazetteer tell.
fn within(fine: &Located, coarse: &Located) -> bool {
    let same = |x: &str, y: &str| !x.is_empty() && x.eq_ignore_ascii_case(y);
    matches!(coarse.level, Level::Country | Level::Region | Level::Unit)
        || fine.id.is_none()
        || coarse.id.is_none()
        || same(&fine.admin2, &coarse.admin2)
        || same(&fine.admin2, &coarse.location)
        || (coarse.level == Level::Province && same(&fine.admin1, &coarse.admin1))
}

/// Whether two places can be the one place of one event.
fn compatible(a: &Located, b: &Located) -> bool {
    let same = |x: &str, y: &str| !x.is_empty() && x.eq_ignore_ascii_case(y);
    if matches!(a.level, Level::Country | Level::Region)
        || matches!(b.level, Level::Country | Level::Region)
    {
        return true;
    }
    same(&a.location, &b.location)
        || (a.id.is_some() && a.id == b.id)
        || same(&a.admin2, &b.admin2)
        || same(&a.admin2, &b.location)
        || same(&a.location, &b.admin2)
        || within(a, b)
        || within(b, a)
}

fn read_facts<'a>(article: &Article, index: usize, s: &'a Sentence) -> Facts<'a> {
    let skip = dateline_len(&s.text);
    let text = &s.text[skip..];
    let (anchor, basis) = article
        .anchor
        .map_or((None, ""), |a| (Some(a.date), a.basis.as_str()));
    let relative = article.anchor.is_none_or(|a| !a.month_only);
    let dates = sentence_dates(text, anchor, basis, relative);
    let year = dates
        .event
        .is_none()
        .then(|| year_only(text, anchor.map(|a| (a, basis))))
        .flatten();
    let lower = text.to_lowercase();
    let (place, containers) = sentence_places(article, s);
    let toll = toll(text);
    let refers_back =
        REFERS_BACK.iter().any(|w| lower.contains(w)) || back_reference().is_match(&lower);
    let continues = refers_back
        || toll.is_some()
        || ["wounded", "injured", "died", "dead", "claimed"]
            .iter()
            .any(|w| lower.contains(w));
    let opening = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    Facts {
        index,
        sentence: s,
        kind: event_type(text),
        dates,
        year,
        place,
        containers,
        toll,
        actors: actors(text),
        continues,
        refers_back,
        opens_new: NEW_EVENT_OPENERS.iter().any(|w| opening.starts_with(w)),
        meanwhile: opening.starts_with("meanwhile"),
    }
}

/// Whether a sentence continues the group rather than opening an event of its own.
fn joins(g: &Group, f: &Facts) -> bool {
    // A later sentence that names the event ("confirmed the attack") joins it however far.
    let far = f.index > g.last() + MAX_GAP + 1 && !(f.refers_back && f.dates.event.is_none());
    if f.opens_new || far {
        return false;
    }
    let date_ok = match (g.date().or(g.reported()), &f.dates.event) {
        (Some(a), Some(b)) => (a.date - b.date).num_days().abs() <= SAME_EVENT_DAYS,
        _ => true,
    };
    let place_ok = match (g.place(), &f.place) {
        (Some(a), Some(b)) => compatible(a, b),
        _ => true,
    };
    date_ok && place_ok
}

/// Groups the sentences of an article into events.
fn group<'a>(facts: &'a [Facts<'a>]) -> Vec<Group<'a>> {
    let mut groups: Vec<Group> = Vec::new();
    for f in facts {
        if f.sentence.text.split_whitespace().count() < MIN_WORDS && f.kind.is_none() {
            continue;
        }
        // Background: a year alone.
        if f.year.is_some() && f.dates.event.is_none() && f.dates.reported.is_none() {
            if f.kind.is_some() && f.place.as_ref().is_some_and(|p| p.level <= Level::District) {
                groups.push(Group {
                    facts: vec![f],
                    background: true,
                });
            }
            continue;
        }
        let wants_group = f.kind.is_some() || f.continues;
        // The current event; a sentence naming an earlier event ("confirmed the attack") may
        // go back to it past events told in between.
        let reach = if f.refers_back { groups.len() } else { 1 };
        let target = groups
            .iter_mut()
            .rev()
            .take(reach)
            .filter(|g| !g.background)
            .find(|g| {
                joins(g, f) && (wants_group || (f.dates.event.is_some() && g.date().is_none()))
            });
        match (target, f.kind) {
            (Some(g), _) => g.facts.push(f),
            (None, Some(_)) => groups.push(Group {
                facts: vec![f],
                background: false,
            }),
            _ => {}
        }
    }
    // A year-only sentence is the background of the story: a draft only when it is the story.
    if groups.iter().any(|g| !g.background) {
        groups.retain(|g| !g.background);
    }
    groups
}

/// The most severe type among the group's sentences.
fn severity(kind: &str) -> u8 {
    match kind {
        "Battles" | "Explosions/Remote violence" | "Violence against civilians" => 2,
        "Protests" | "Riots" => 1,
        _ => 0,
    }
}

/// The group's toll: per side the lowest figure given (ACLED's rule for differing reports),
/// summed over sides; the same figure told twice counts once.
fn group_toll(g: &Group, notes: &mut Vec<String>) -> Option<u32> {
    let all: Vec<&Toll> = g.facts.iter().filter_map(|f| f.toll.as_ref()).collect();
    // Dead of no stated side are the same dead as those of a side, unless they are more.
    let sided: u32 = all
        .iter()
        .filter(|t| t.side != UNKNOWN_SIDE)
        .map(|t| t.count)
        .max()
        .unwrap_or(0);
    let tolls: Vec<&Toll> = all
        .into_iter()
        .filter(|t| t.side != UNKNOWN_SIDE || t.count > sided)
        .collect();
    let mut sides: Vec<SideToll> = Vec::new();
    for t in &tolls {
        match sides.iter_mut().find(|s| s.side == t.side) {
            Some(entry) => {
                if entry.count != t.count {
                    notes.push(format!(
                        "fatalities ({}): the reports differ ({} and {}), the lower figure kept",
                        t.side, entry.count, t.count
                    ));
                }
                entry.count = entry.count.min(t.count);
            }
            None => sides.push(SideToll {
                side: t.side,
                count: t.count,
            }),
        }
    }
    notes.extend(tolls.iter().filter_map(|t| t.note.clone()));
    toll_notes(g, &sides, notes);
    if sides.is_empty() {
        // "two members of the group ... were neutralized" across two sentences.
        let (ended, members) = group_patterns();
        let first = &g.facts[0].sentence.text;
        if g.facts.iter().any(|f| ended.is_match(&f.sentence.text))
            && let Some(c) = members.captures(first)
        {
            notes.push(format!("count from {:?}", c[0].to_string()));
            return super::facts::number(&c[1]);
        }
        return None;
    }
    // A toll of "people" is the event's total when it is more than the sides' sum.
    let by_side: u32 = sides
        .iter()
        .filter(|s| s.side != UNKNOWN_SIDE)
        .map(|s| s.count)
        .sum();
    let total = sides
        .iter()
        .find(|s| s.side == UNKNOWN_SIDE)
        .map_or(0, |s| s.count);
    Some(by_side.max(total))
}

/// The dead of one side of an event: the lowest figure its sentences give.
struct SideToll {
    side: &'static str,
    count: u32,
}

/// The notes on a toll that do not change it: why a sentence's deaths cannot be counted,
/// the dead by side when there are several, and the injured.
fn toll_notes(g: &Group, sides: &[SideToll], notes: &mut Vec<String>) {
    // Sentences whose deaths cannot be counted ("killed and wounded more than 40") say why.
    for f in g.facts.iter().filter(|f| f.toll.is_none()) {
        if let (None, Some(n)) = super::facts::fatalities(&f.sentence.text) {
            notes.push(n);
        }
    }
    if sides.len() > 1 {
        notes.push(format!(
            "fatalities by side: {}",
            sides
                .iter()
                .map(|s| format!("{} {}", s.side, s.count))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let injured: Vec<u32> = g
        .facts
        .iter()
        .filter_map(|f| super::facts::injured(&f.sentence.text))
        .collect();
    if let Some(n) = injured.iter().min() {
        notes.push(format!("injured: {n}"));
    }
}

/// The place of an unknown site placed at the finest known unit holding it.
fn placed(mut site: Located, container: Option<&Located>) -> Located {
    if site.point.is_some() || site.id.is_some() {
        return site;
    }
    if let Some(c) = container {
        site.country = c.country.clone();
        site.admin1 = c.admin1.clone();
        site.admin2 = c.admin2.clone();
        site.point = c.point;
        site.precision = if c.level <= Level::District { 2 } else { 3 };
        site.note = format!(
            "{}; the point is that of {} {} (geo_precision {})",
            site.note,
            match c.level {
                Level::Site => "the town",
                Level::District => "the district",
                _ => "the province",
            },
            c.location,
            site.precision
        );
    }
    site
}

/// Drafts of every event of an article.
// Longer than 80 lines: one pass that assembles each draft's fields in the order of the
// schema; split, it would pass a dozen locals between helpers.
/// What every draft of an article shares.
struct Story<'a> {
    article: &'a Article<'a>,
    facts: &'a [Facts<'a>],
    /// The article's most mentioned actor, for events that name none.
    main_actor: Option<String>,
    /// The article's area: its first province or region, for events it places nowhere finer.
    area: Option<Located>,
    /// The story's date: the latest event date of the article; events long before it are
    /// reported in passing.
    date: Option<NaiveDate>,
}

pub(super) fn drafts(article: &Article) -> Vec<Draft> {
    let facts: Vec<Facts> = article
        .sentences
        .iter()
        .enumerate()
        .map(|(i, s)| read_facts(article, i, s))
        .collect();
    let groups = group(&facts);
    let story = Story {
        article,
        facts: &facts,
        main_actor: main_actor(&facts),
        area: facts
            .iter()
            .flat_map(|f| &f.containers)
            .find(|c| c.level == Level::Province)
            .cloned(),
        date: groups.iter().filter_map(|g| g.date().map(|d| d.date)).max(),
    };
    let mut out: Vec<Draft> = Vec::new();
    let mut previous_date: Option<FoundDate> = None;
    for g in &groups {
        out.extend(draft_of(&story, g, &mut previous_date));
    }
    for (n, d) in out.iter_mut().enumerate() {
        d.event_id_cnty = format!("X-{}-{}", article.stem, n + 1);
    }
    out
}

/// The draft of one event, or None when it has neither a date nor a specific place worth
/// a draft; `previous_date` is the date of the event drafted before ("meanwhile").
fn draft_of(story: &Story, g: &Group, previous_date: &mut Option<FoundDate>) -> Option<Draft> {
    let article = story.article;
    let mut notes: Vec<String> = Vec::new();
    let place = group_place(story, g);
    let own = g.date().cloned();
    let date = group_date(story, g, place.as_ref(), previous_date.as_ref(), &mut notes);
    let year = g.facts.iter().find_map(|f| f.year.clone());
    let specific = place.as_ref().is_some_and(|p| p.level <= Level::District);
    let has_toll = g.facts.iter().any(|f| f.toll.is_some());
    if date.is_none() && !(specific && (has_toll || story.date.is_none())) {
        return None;
    }
    if let Some(d) = &date {
        *previous_date = Some(d.clone());
    }
    notes.extend(date_conflict(g, date.as_ref()));
    let kind = g
        .facts
        .iter()
        .filter_map(|f| f.kind)
        .max_by_key(|k| severity(k.0))
        .unwrap_or(("Strategic developments", "Other"));
    let fatalities = group_toll(g, &mut notes);
    let people = group_actors(story, g, &mut notes);
    if is_passing(&date, &story.date) {
        notes.push(
            "reported in passing: an earlier incident told as background of the story".into(),
        );
    }
    let when = date_fields(article, date.as_ref(), year, &mut notes);
    let confidence = confidence(
        article,
        place.as_ref(),
        own.as_ref(),
        date.as_ref(),
        &people,
        &mut notes,
    );
    let place = place.unwrap_or_else(nowhere);
    notes.insert(0, place.note.clone());
    let mut seen = std::collections::HashSet::new();
    notes.retain(|n| seen.insert(n.clone()));
    let first = g.facts[0].sentence;
    let joined = |part: fn(&Facts) -> String, separator: &str| {
        g.facts
            .iter()
            .copied()
            .map(part)
            .collect::<Vec<_>>()
            .join(separator)
    };
    Some(Draft {
        event_id_cnty: String::new(),
        event_date: when.date,
        time_precision: when.precision,
        event_type: kind.0.into(),
        sub_event_type: kind.1.into(),
        inter1: people.first().and_then(|a| inter_code(a)),
        inter2: people.get(1).and_then(|a| inter_code(a)),
        actor1: people.first().cloned().unwrap_or_default(),
        actor2: people.get(1).cloned().unwrap_or_default(),
        country: place.country,
        admin1: place.admin1,
        admin2: place.admin2,
        location: place.location,
        latitude: place.point.map(|p| (p.y() * 1e5).round() / 1e5),
        longitude: place.point.map(|p| (p.x() * 1e5).round() / 1e5),
        geo_precision: Some(place.precision),
        fatalities,
        notes: notes.join("; "),
        source: article.origin.to_string(),
        source_url: String::new(),
        evidence: joined(|f| f.sentence.text.clone(), " | "),
        evidence_start: first.start,
        evidence_end: first.end,
        evidence_spans: joined(|f| format!("{}-{}", f.sentence.start, f.sentence.end), ";"),
        date_basis: when.basis,
        confidence,
    })
}

/// The note on dates of the event that its sentences give differently from `date`.
fn date_conflict(g: &Group, date: Option<&FoundDate>) -> Option<String> {
    let other_dates: Vec<String> = g
        .facts
        .iter()
        .filter_map(|f| f.dates.event.as_ref())
        .filter(|d| date.is_some_and(|x| x.date != d.date))
        .map(|d| d.date.to_string())
        .collect();
    (!other_dates.is_empty()).then(|| {
        format!(
            "date conflict: the text also gives {}",
            other_dates.join(", ")
        )
    })
}

/// The place of an event the text places nowhere.
fn nowhere() -> Located {
    unplaced(
        Level::Country,
        String::new(),
        "place: none named in the text".into(),
    )
}

/// The event's place: its own, else (when it is dated) the article's area; placed in the
/// smallest unit its sentences name around it.
fn group_place(story: &Story, g: &Group) -> Option<Located> {
    let containers: Vec<&Located> = g.facts.iter().flat_map(|f| &f.containers).collect();
    let dated = g.date().is_some() || g.reported().is_some();
    let place = g.place().cloned().or_else(|| {
        story.area.clone().filter(|_| dated).map(|mut a| {
            a.note = format!(
                "place: none named for this event; the article's area, {}",
                a.location
            );
            a
        })
    });
    place.map(|p| {
        let container = containers
            .iter()
            .filter(|c| c.level < p.level || p.id.is_none())
            .min_by_key(|c| c.level)
            .copied();
        placed(p, container)
    })
}

/// The event's date: its own; else the day it was reported; else "meanwhile" the previous
/// event's; else that of an earlier dated sentence naming this place. Says in `notes` how.
fn group_date(
    story: &Story,
    g: &Group,
    place: Option<&Located>,
    previous_date: Option<&FoundDate>,
    notes: &mut Vec<String>,
) -> Option<FoundDate> {
    let own = g.date().cloned();
    let reported = g.facts.iter().find_map(|f| f.dates.reported.clone());
    own.or_else(|| {
        reported.map(|r| {
            notes.push(format!(
                "date: the day it was reported ({}); the event was on or before it",
                r.basis
            ));
            FoundDate {
                precision: r.precision.max(1),
                ..r
            }
        })
    })
    .or_else(|| {
        let first = g.facts[0];
        first
            .meanwhile
            .then(|| previous_date.cloned())
            .flatten()
            .map(|d| {
                notes.push("date: \"meanwhile\": about the date of the event told before".into());
                FoundDate {
                    precision: 2,
                    basis: format!("\"meanwhile\" after an event of {}", d.date),
                    ..d
                }
            })
    })
    .or_else(|| {
        let name = place?.location.to_lowercase();
        story
            .facts
            .iter()
            .take(g.facts[0].index)
            .filter(|f| f.kind.is_some() && f.sentence.text.to_lowercase().contains(&name))
            .find_map(|f| f.dates.event.clone())
            .inspect(|_| {
                notes.push(format!(
                    "date: from an earlier sentence reporting events at {name}"
                ));
            })
    })
}

/// The event's actors in the order its sentences name them; else the article's main actor.
fn group_actors(story: &Story, g: &Group, notes: &mut Vec<String>) -> Vec<String> {
    let mut people: Vec<String> = Vec::new();
    for f in &g.facts {
        for a in &f.actors {
            if !people.contains(a) {
                people.push(a.clone());
            }
        }
    }
    if people.is_empty()
        && let Some(a) = &story.main_actor
    {
        people.push(a.clone());
        notes.push("actor: the article's most mentioned actor".into());
    }
    people
}

/// A draft's `event_date`, `time_precision` and `date_basis`.
struct DateFields {
    date: Option<NaiveDate>,
    precision: Option<u8>,
    basis: String,
}

/// The date fields of a draft dated `date`, or only to `year`, or not at all.
fn date_fields(
    article: &Article,
    date: Option<&FoundDate>,
    year: Option<(i32, String)>,
    notes: &mut Vec<String>,
) -> DateFields {
    match (date, year) {
        (Some(d), _) => DateFields {
            date: Some(d.date),
            precision: Some(d.precision),
            basis: d.basis.clone(),
        },
        (None, Some((year, how))) => {
            notes.push(format!(
                "the text gives only the year {year}: event_date left empty (ACLED codes days, weeks and months)"
            ));
            DateFields {
                date: None,
                precision: None,
                basis: format!("year {year} only ({how})"),
            }
        }
        (None, None) => DateFields {
            date: None,
            precision: None,
            basis: if article.anchor.is_some() {
                "no date in the text".into()
            } else {
                "no date in the text, and no publication date to resolve one".into()
            },
        },
    }
}

/// How far a draft can be trusted, from 0 to 1: a place with a point, a stated date and
/// named actors raise it; a date relative to a republished page lowers it (and says so).
fn confidence(
    article: &Article,
    place: Option<&Located>,
    own: Option<&FoundDate>,
    date: Option<&FoundDate>,
    people: &[String],
    notes: &mut Vec<String>,
) -> f64 {
    let mut confidence: f64 = 0.4;
    confidence += match place {
        Some(p) if p.point.is_some() => 0.2,
        Some(_) => 0.05,
        None => 0.0,
    };
    confidence += match own {
        Some(d) if d.basis == "stated" => 0.2,
        Some(_) => 0.1,
        None => 0.0,
    };
    confidence += if people.is_empty() { 0.0 } else { 0.1 };
    if article.anchor.is_some_and(|a| a.republished) && date.is_some_and(|d| d.basis != "stated") {
        confidence -= 0.2;
        notes.push("date: relative to a republished page's dateline; check the original".into());
    }
    (confidence.clamp(0.0, 1.0) * 100.0).round() / 100.0
}

/// Days before the story's date from which an event is background told in passing.
const PASSING_DAYS: i64 = 60;

/// Whether an event dated `date` is told in passing in a story of `story`.
fn is_passing(date: &Option<FoundDate>, story: &Option<NaiveDate>) -> bool {
    match (date, story) {
        (Some(d), Some(s)) => (*s - d.date).num_days() > PASSING_DAYS,
        _ => false,
    }
}

/// Mentions of an actor at least this often make it the article's actor for events whose
/// sentences name none.
const MAIN_ACTOR_MENTIONS: usize = 3;

/// The actor the article is about.
fn main_actor(facts: &[Facts]) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for a in facts.iter().flat_map(|f| &f.actors) {
        match counts.iter_mut().find(|(x, _)| x == a) {
            Some(entry) => entry.1 += 1,
            None => counts.push((a.clone(), 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n >= MAIN_ACTOR_MENTIONS)
        .map(|(a, _)| a)
}

/// Two dates of drafts within this many days can be one event reported twice.
pub(super) const MERGE_DAYS: i64 = 2;

/// Whether two dates are close enough for two reports of one event.
pub(super) fn near_dates(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= Duration::days(MERGE_DAYS),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::extract::{Options, extract};
    use chrono::NaiveDate;

    /// The location of each draft of `text`, published on 2022-05-19.
    fn locations(text: &str) -> Vec<String> {
        let options = Options {
            published: NaiveDate::from_ymd_opt(2022, 5, 19),
        };
        extract(text, "test.txt", &options)
            .0
            .into_iter()
            .map(|d| d.location)
            .collect()
    }

    #[test]
    fn the_seat_of_an_office_is_not_the_events_place() {
        let text = "Protesters clashed with police in Gorno-Badakhshan province on Monday. \
                    The protests grew over the refusal to dismiss the mayor of the regional \
                    capital, Khorugh.";
        assert_eq!(locations(text), ["Gorno-Badakhshan"]);
    }

    #[test]
    fn a_place_outside_the_region_is_never_the_events_place() {
        let text = "Russian border guards clashed with smugglers on Tuesday, the Foreign \
                    Ministry said in Moscow. Russia demanded that Afghanistan act.";
        let found = locations(text);
        assert!(
            found.iter().all(|l| l != "Moscow" && l != "Russia"),
            "{found:?}"
        );
    }
}
