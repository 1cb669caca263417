//! The geocoder: a messy name in, ranked candidates out, with ambiguity flagged.
//!
//! Every gazetteer name (and alternate name) is indexed three ways: as written (case-folded),
//! folded ([`fold::fold`]) and as a transliteration-blind skeleton ([`fold::skeleton`]); typos
//! are found through a deletion index over the skeletons ([`fuzzy::DeletionIndex`]), never by
//! scanning every name.
//!
//! Scores (0..1) say how the name matched: 1.0 the place's own name, 0.98 an alternate name,
//! 0.96 a name without its kind word ("Kunduz" for "Kunduz River"), 0.95 equal once folded,
//! about 0.9 equal as skeletons (a transliteration variant), at most 0.85 fuzzy. Context
//! (kind words, trailing admin names, `--country`, `--admin1`, `--near`) then moves candidates
//! up or down, and each candidate says which context applied.
//!
//! A query is *ambiguous* when a second candidate in a different place matched about as well
//! as the first: equally, or as a transliteration variant of the same name. Nested places are
//! one place (Kunduz the city and Kunduz the district), a river is never the same place as a
//! town.

pub mod fold;
pub mod fuzzy;
pub mod query;

use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::sync::OnceLock;

use geo::Point;
use serde::Serialize;

use crate::gazetteer::{Gazetteer, Kind, Place, in_region};
use crate::spatial::geodesic_km;
use fold::{fold, skeleton};
use fuzzy::{DeletionIndex, allowed_distance, osa_distance};
use query::{ParsedQuery, parse, strip_kind_words};

/// How a candidate's name matched the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The place's own name, as written (ignoring case).
    Exact,
    /// One of its alternate names, as written.
    Alias,
    /// Equal after folding accents, case, punctuation, script or transliteration.
    Folded,
    /// Within a few edits.
    Fuzzy,
}

impl MatchKind {
    /// `exact`, `alias`, `folded` or `fuzzy`.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Alias => "alias",
            MatchKind::Folded => "folded",
            MatchKind::Fuzzy => "fuzzy",
        }
    }
}

/// Whether a query found one place, several it cannot tell apart, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// One place: the first candidate is the answer.
    Resolved,
    /// Two or more candidates in different places match about as well and nothing in the
    /// query tells them apart; the note lists them.
    Ambiguous,
    /// No place matches well enough, or every match was ruled out by a restriction
    /// (`--country`, `--near`, an admin unit of the query); the note says why. The
    /// candidates are then empty or the closest names, none of them an answer.
    Unresolved,
}

impl Status {
    /// `resolved`, `ambiguous` or `unresolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Resolved => "resolved",
            Status::Ambiguous => "ambiguous",
            Status::Unresolved => "unresolved",
        }
    }
}

/// One ranked answer: a place of the gazetteer and how well it matched.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The place's gazetteer id ([`Place::id`]).
    pub id: String,
    /// The place's name, which may be spelled unlike the query (see `matched`).
    pub name: String,
    /// What kind of place it is.
    pub kind: Kind,
    /// ISO 3166-1 alpha-2 code of the place's country.
    pub country: String,
    /// The place's province (see [`Place::admin1`]).
    pub admin1: String,
    /// The place's district (see [`Place::admin2`]).
    pub admin2: String,
    /// Latitude in WGS84 degrees.
    pub lat: f64,
    /// Longitude in WGS84 degrees.
    pub lon: f64,
    /// Confidence in 0..1, to three decimals: how well the name matched (see the module
    /// documentation for the scale), moved up or down by context.
    pub score: f64,
    /// ACLED geo_precision of the place: 1 exact, 2 district/near, 3 province/region.
    pub precision: u8,
    /// How the name matched (serialised as `match`).
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    /// The gazetteer name that matched.
    pub matched: String,
    /// Context that moved this candidate, e.g. "admin: Kunduz".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// What a reader should know about this answer: a former name matched ("former name of
    /// Hamadoni, renamed 2004"), or a district's point is not its seat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The answer to one query.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The query as given.
    pub query: String,
    /// Whether the query found one place, several or none.
    pub status: Status,
    /// The best candidates, best first, at most [`Options::limit`] (5 when it is 0); empty
    /// when no name matched or restrictions ruled out every match.
    pub candidates: Vec<Candidate>,
    /// Why the status is what it is, for a person to read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Outcome {
    /// The best candidate when the query is resolved; None when it is ambiguous or
    /// unresolved, whatever the candidates.
    ///
    /// ```
    /// use borderwatch::geocode::{Geocoder, Options};
    /// let geocoder = Geocoder::bundled();
    /// let outcome = geocoder.geocode("Khorog", &Options::default());
    /// assert_eq!(outcome.resolved().map(|c| c.country.as_str()), Some("TJ"));
    /// assert!(geocoder.geocode("Fayzabad", &Options::default()).resolved().is_none());
    /// ```
    pub fn resolved(&self) -> Option<&Candidate> {
        (self.status == Status::Resolved)
            .then(|| self.candidates.first())
            .flatten()
    }
}

/// Context that restricts and reorders candidates.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only places in this country (ISO alpha-2, any case).
    pub country: Option<String>,
    /// Only places in the province of this name (any of its names), read as a name after a
    /// comma in the query: a district or country name restricts as well, a name of no known
    /// unit does not.
    pub admin1: Option<String>,
    /// Only places within [`NEAR_LIMIT_KM`] of this point (x longitude, y latitude, WGS84
    /// degrees), the nearer scoring higher.
    pub near: Option<Point>,
    /// Extra context names, as if written after a comma in the query.
    pub context: Vec<String>,
    /// How many candidates to return (0 means 5).
    pub limit: usize,
}

struct NameEntry {
    place: u32,
    /// Scores as the place's own name (else as an alternate).
    primary: bool,
    /// Indexed without its kind word ("Kunduz" of "Kunduz River").
    stripped: bool,
    /// A name the place had before it was renamed, with the year when known.
    former: Option<Former>,
    written: String,
    folded_id: u32,
    skeleton_id: u32,
}

/// A former name's renaming, for the note that says so.
#[derive(Debug, Clone, Copy)]
struct Former {
    until: Option<u16>,
}

/// Distinct keys (folded names or skeletons) and the name entries that have each.
#[derive(Default)]
struct KeySet {
    ids: FxHashMap<String, u32>,
    chars: Vec<Vec<char>>,
    entries: Vec<Vec<u32>>,
}

impl KeySet {
    fn insert(&mut self, key: &str, entry: u32) -> u32 {
        let next = self.chars.len() as u32;
        let id = *self.ids.entry(key.to_string()).or_insert(next);
        if id == next {
            self.chars.push(key.chars().collect());
            self.entries.push(Vec::new());
        }
        self.entries[id as usize].push(entry);
        id
    }
}

/// A name to index, and how it stands to its place.
#[derive(Debug, Clone, Copy)]
struct NewName {
    place: u32,
    primary: bool,
    stripped: bool,
    former: Option<Former>,
}

/// A match before it is shown: which place, through which name, how well.
#[derive(Debug, Clone)]
struct Hit {
    place: u32,
    entry: u32,
    rank: f64,
    /// The rank the name alone earned, before context moved it.
    name_rank: f64,
    kind: MatchKind,
    context: Vec<String>,
}

/// The best hit of each place matched so far.
#[derive(Default)]
struct BestHits(HashMap<u32, Hit>);

impl BestHits {
    /// Keeps the hit if it ranks above the place's best so far.
    fn offer(&mut self, place: u32, entry: u32, rank: f64, kind: MatchKind) {
        if self.0.get(&place).is_none_or(|h| rank > h.rank) {
            let hit = Hit {
                place,
                entry,
                rank,
                name_rank: rank,
                kind,
                context: Vec::new(),
            };
            self.0.insert(place, hit);
        }
    }
}

/// A geocoder over one gazetteer.
pub struct Geocoder {
    places: Vec<Place>,
    names: Vec<NameEntry>,
    by_written: FxHashMap<String, Vec<u32>>,
    folded: KeySet,
    skeletons: KeySet,
    /// Typo indexes over folded names and over skeletons, built on first use.
    typo_indexes: OnceLock<(DeletionIndex, DeletionIndex)>,
    /// Skeleton ids of every name of each place, for matching context against admin units.
    place_skeletons: Vec<Vec<u32>>,
    /// Index of the province / district / country place of each place, when known.
    parents: Vec<[Option<u32>; 3]>,
}

const SCORE_EXACT: f64 = 1.0;
const SCORE_ALIAS: f64 = 0.98;
const SCORE_STRIPPED: f64 = 0.96;
const SCORE_FOLDED: f64 = 0.95;
/// A name the place had before it was renamed.
const SCORE_FORMER: f64 = 0.97;
/// A former name matched only as a transliteration variant scores this much lower, so
/// that it never rivals a place that has the name today.
const FORMER_VARIANT_PENALTY: f64 = 0.15;
/// A reading of the query made by rule (a leading kind word dropped, a Russian adjective
/// made a noun) scores this much below the same match of the name as written.
const VARIANT_PENALTY: f64 = 0.02;
/// `--near` keeps candidates within this many km of the point.
pub const NEAR_LIMIT_KM: f64 = 100.0;
/// A fuzzy match is resolved only from this score up (about one edit in six letters);
/// below it the closest names are listed and nothing is resolved.
const FUZZY_RESOLVE_MIN: f64 = 0.76;
/// Equal skeletons (a transliteration variant): 0.86, up to 0.90 as the folded forms agree.
const SCORE_SKELETON: f64 = 0.86;
/// A fuzzy candidate's folded name must be at least this similar (1 - edits / length).
const MIN_FUZZY_SIMILARITY: f64 = 0.6;
/// Candidates this close to the best (and matched at least as a transliteration) are
/// indistinguishable by name alone.
const AMBIGUITY_WINDOW: f64 = 0.13;
/// Among fuzzy matches, the window is narrow: as good as the best.
const FUZZY_AMBIGUITY_WINDOW: f64 = 0.02;
const CONTEXT_BONUS: f64 = 0.1;
const CONTEXT_PENALTY: f64 = 0.15;
/// Neighbouring places of one country closer than this are one place for ambiguity.
const SAME_PLACE_KM: f64 = 10.0;
/// The same for an admin unit and a same-named place: districts here are 30–80 km across.
const SAME_UNIT_KM: f64 = 25.0;

/// Edits allowed between a folded query and a folded name of this many characters.
fn allowed_fold_distance(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

fn similarity(distance: usize, a: usize, b: usize) -> f64 {
    1.0 - distance as f64 / a.max(b).max(1) as f64
}

impl Geocoder {
    /// Indexes a gazetteer.
    ///
    /// ```
    /// use borderwatch::gazetteer::Gazetteer;
    /// use borderwatch::geocode::{Geocoder, Options, Status};
    /// let geocoder = borderwatch::geocode::Geocoder::new(Gazetteer::bundled());
    /// let outcome = geocoder.geocode("Qal'ah-ye Zal", &Options::default());
    /// assert_eq!(outcome.status, Status::Resolved);
    /// assert_eq!(outcome.candidates[0].id, "af.dist.qala-i-zal");
    /// ```
    pub fn new(gazetteer: Gazetteer) -> Geocoder {
        let places = gazetteer.into_places();
        let mut geocoder = Geocoder {
            names: Vec::new(),
            by_written: FxHashMap::default(),
            folded: KeySet::default(),
            skeletons: KeySet::default(),
            typo_indexes: OnceLock::new(),
            place_skeletons: vec![Vec::new(); places.len()],
            parents: vec![[None; 3]; places.len()],
            places,
        };
        for index in 0..geocoder.places.len() {
            let place = &geocoder.places[index];
            let mut names = vec![(place.name.clone(), true, None)];
            names.extend(place.alt_names.iter().map(|n| (n.clone(), false, None)));
            names.extend(
                place
                    .former_names
                    .iter()
                    .map(|f| (f.name.clone(), false, Some(Former { until: f.until }))),
            );
            for (name, primary, former) in names {
                let stripped = strip_kind_words(&name);
                let entry = NewName {
                    place: index as u32,
                    primary,
                    stripped: false,
                    former,
                };
                geocoder.add_name(&name, entry);
                if stripped != name {
                    geocoder.add_name(
                        &stripped,
                        NewName {
                            stripped: true,
                            ..entry
                        },
                    );
                }
            }
        }
        geocoder.link_parents();
        geocoder
    }

    /// The bundled gazetteer's geocoder, built once per process: the first call indexes
    /// [`Gazetteer::bundled`], later ones return the same geocoder.
    ///
    /// ```
    /// use borderwatch::geocode::{Geocoder, Options};
    /// let outcome = Geocoder::bundled().geocode("Qalai Khumb", &Options::default());
    /// assert_eq!(outcome.resolved().unwrap().id, "tj.pl.qalaikhumb");
    /// ```
    ///
    /// # Panics
    ///
    /// Only if the bundled `gazetteer.csv` did not load (it is built in and tested).
    pub fn bundled() -> &'static Geocoder {
        static GEOCODER: OnceLock<Geocoder> = OnceLock::new();
        GEOCODER.get_or_init(|| Geocoder::new(Gazetteer::bundled()))
    }

    /// The places this geocoder answers with.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    fn add_name(&mut self, name: &str, new: NewName) {
        let NewName {
            place,
            primary,
            stripped,
            former,
        } = new;
        let folded = fold(name);
        if folded.is_empty() {
            return;
        }
        let entry = self.names.len() as u32;
        self.by_written
            .entry(written_key(name))
            .or_default()
            .push(entry);
        let folded_id = self.folded.insert(&folded, entry);
        let skeleton_id = self.skeletons.insert(&skeleton(&folded), entry);
        self.place_skeletons[place as usize].push(skeleton_id);
        self.names.push(NameEntry {
            place,
            primary,
            stripped,
            former,
            written: name.to_string(),
            folded_id,
            skeleton_id,
        });
    }

    fn link_parents(&mut self) {
        let mut provinces = HashMap::new();
        let mut districts = HashMap::new();
        let mut countries = HashMap::new();
        for (i, p) in self.places.iter().enumerate() {
            match p.kind {
                Kind::Province => {
                    provinces.insert((p.country.clone(), p.name.clone()), i as u32);
                }
                Kind::District => {
                    districts.insert(
                        (p.country.clone(), p.admin1.clone(), p.name.clone()),
                        i as u32,
                    );
                }
                Kind::Country => {
                    countries.insert(p.country.clone(), i as u32);
                }
                _ => {}
            }
        }
        for (i, p) in self.places.iter().enumerate() {
            self.parents[i] = [
                provinces
                    .get(&(p.country.clone(), p.admin1.clone()))
                    .copied(),
                districts
                    .get(&(p.country.clone(), p.admin1.clone(), p.admin2.clone()))
                    .copied(),
                countries.get(&p.country).copied(),
            ];
        }
    }

    fn typo_indexes(&self) -> &(DeletionIndex, DeletionIndex) {
        self.typo_indexes.get_or_init(|| {
            (
                DeletionIndex::new(&self.folded.chars, 2, allowed_fold_distance),
                // Skeletons are short and alike: one edit there, two in the folded name.
                DeletionIndex::new(&self.skeletons.chars, 1, allowed_distance),
            )
        })
    }

    /// Geocodes one query.
    ///
    /// ```
    /// use borderwatch::geocode::{Geocoder, Options, Status};
    /// let geocoder = Geocoder::bundled();
    /// // Fayzabad is a city in Badakhshan, a district of Jowzjan and Fayzobod in Tajikistan.
    /// let plain = geocoder.geocode("Fayzabad", &Options::default());
    /// assert_eq!(plain.status, Status::Ambiguous);
    /// let settled = geocoder.geocode("Fayzabad, Badakhshan", &Options::default());
    /// assert_eq!(settled.status, Status::Resolved);
    /// assert_eq!(settled.candidates[0].admin1, "Badakhshan");
    /// ```
    pub fn geocode(&self, query: &str, options: &Options) -> Outcome {
        let parsed = parse(query);
        let first = self.geocode_parsed(query, &parsed, options);
        if first.status != Status::Unresolved {
            return first;
        }
        // Readings tried only when the query as written is unresolved: a second unit word
        // that starts the context, then a province or country named last without a comma.
        if let Some(split) = query::split_at_unit_word(&parsed) {
            let outcome = self.geocode_parsed(query, &split, options);
            if outcome.status != Status::Unresolved {
                return outcome;
            }
        }
        let mut parsed = parsed;
        for _ in 0..MAX_TRAILING_UNITS {
            let Some(peeled) = self.peel_trailing_unit(&parsed) else {
                break;
            };
            for reading in &peeled.readings {
                let outcome = self.geocode_parsed(query, reading, options);
                if outcome.status != Status::Unresolved && peeled.accepts(&outcome) {
                    return outcome;
                }
            }
            parsed = peeled
                .readings
                .into_iter()
                .last()
                .expect("one reading at least");
        }
        first
    }

    /// The query with its last word as context, when that word is exactly the name of a
    /// province or country and a name stands before it ("ولسوالی خان‌آباد کندز"): the name as
    /// written, then without a Tajik izafe "-и" that ties it to the next word ("Бадахшони
    /// Афғонистон" is Badakhshan of Afghanistan).
    fn peel_trailing_unit(&self, parsed: &ParsedQuery) -> Option<Peeled> {
        let (head, tail) = parsed.name.trim().rsplit_once(char::is_whitespace)?;
        let head = head.trim_end();
        let key = self.folded.ids.get(&fold(tail))?;
        let kinds: Vec<Kind> = self.folded.entries[*key as usize]
            .iter()
            .map(|&e| self.places[self.names[e as usize].place as usize].kind)
            .collect();
        let country = kinds.contains(&Kind::Country);
        if !country && !kinds.contains(&Kind::Province) {
            return None;
        }
        let reading = |head: &str| {
            let mut reading = parse(head);
            reading.context.insert(0, tail.to_string());
            reading.context.extend(parsed.context.iter().cloned());
            reading
        };
        let mut readings = vec![reading(head)];
        if let Some(stem) = head.strip_suffix('и')
            && stem.chars().rev().take_while(|c| c.is_alphabetic()).count() >= MIN_IZAFE_STEM
        {
            readings.push(reading(stem));
        }
        let district_word = readings[0]
            .variants
            .iter()
            .any(|v| v.kind == Some(query::KindHint::District));
        Some(Peeled {
            readings,
            inside_province: !country,
            district_word,
        })
    }

    /// [`Geocoder::geocode`] of a query already taken apart.
    fn geocode_parsed(&self, query: &str, parsed: &ParsedQuery, options: &Options) -> Outcome {
        let (mut hits, kind) = self.read_name(parsed);
        if hits.is_empty() {
            let note = if parsed.name.trim().is_empty() {
                "empty name".to_string()
            } else {
                format!("no place named like {:?}", parsed.name)
            };
            return unresolved(query, note);
        }
        self.apply_context(&mut hits, parsed, kind, options);
        let before = hits.clone();
        let limits = self.apply_limits(&mut hits, parsed, options);
        if hits.is_empty() {
            return self.nothing_within(query, &limits, before);
        }
        self.rank(&mut hits);
        let (status, note) = self.judge(&hits);
        // A place elsewhere in the world read loosely beside a resolved place of the region
        // is no candidate a user of the tool weighs (Maimai lists Maymay, not Miami).
        if status == Status::Resolved {
            let top = hits[0].clone();
            let elsewhere = |h: &Hit| !in_region(&self.places[h.place as usize].country);
            hits.retain(|h| h.place == top.place || !(elsewhere(h) && self.faint_village(&top, h)));
        }
        let limit = if options.limit == 0 { 5 } else { options.limit };
        hits.truncate(limit);
        let candidates: Vec<Candidate> = hits.into_iter().map(|h| self.candidate(h)).collect();
        let note = note.or_else(|| {
            (status == Status::Resolved)
                .then(|| candidates[0].note.clone())
                .flatten()
        });
        Outcome {
            query: query.to_string(),
            status,
            candidates,
            note,
        }
    }

    /// The name's matches; when nothing matches as written (or folded), the query's other
    /// readings ([`query::variants`]) too. Returns the kind the reading implies.
    fn read_name(&self, parsed: &ParsedQuery) -> (Vec<Hit>, Option<query::KindHint>) {
        let mut hits = self.match_name(&parsed.name);
        let mut kind = parsed.kind;
        let best = |hits: &[Hit]| hits.iter().map(|h| h.rank).fold(0.0, f64::max);
        if best(&hits) >= SCORE_FOLDED {
            // A unit word before the name is grammar ("ноҳияи X" is X district): every
            // place named X competes with the one that has an alias written with the word.
            for variant in parsed
                .variants
                .iter()
                .filter(|v| v.kind.is_some_and(query::KindHint::is_unit))
            {
                let found = self.variant_hits(variant);
                if !found.is_empty() {
                    merge_hits(&mut hits, found);
                    kind = variant.kind.or(parsed.kind);
                }
            }
            return (hits, kind);
        }
        for variant in &parsed.variants {
            let found = self.variant_hits(variant);
            if best(&found) <= best(&hits) {
                continue;
            }
            hits = found;
            kind = variant.kind.or(parsed.kind);
        }
        (hits, kind)
    }

    /// The matches of a variant reading, ranked below the name as written.
    fn variant_hits(&self, variant: &query::Variant) -> Vec<Hit> {
        let mut found = self.match_name(&variant.name);
        for h in &mut found {
            h.rank -= VARIANT_PENALTY;
            h.name_rank -= VARIANT_PENALTY;
            h.context
                .push(format!("read as {:?}: {}", variant.name, variant.how));
        }
        found
    }

    /// Sorts candidates best first: score, then kind as news usage ranks it (a town before
    /// a district of its name, either before a village elsewhere, any settlement before a
    /// river, post or bridge named after it), then population.
    fn rank(&self, hits: &mut [Hit]) {
        hits.sort_by(|a, b| {
            let (pa, pb) = (
                &self.places[a.place as usize],
                &self.places[b.place as usize],
            );
            b.rank
                .total_cmp(&a.rank)
                .then(prominence(pa.kind).cmp(&prominence(pb.kind)))
                .then(pb.population.cmp(&pa.population))
                .then(pa.id.cmp(&pb.id))
        });
        // Among candidates that match about as well, one that news usage means by the bare
        // name comes first ("Qalai Khumb" the town, not the bridge named after it) — unless
        // the name is a feature's own, as written, and only an alternate or folded name of
        // the settlement ("Sherkhan Bandar" the crossing, not the village that once bore it).
        let floor = hits[0].rank - AMBIGUITY_WINDOW;
        let window = &hits[..hits.iter().take_while(|h| h.rank >= floor).count()];
        let kind_of = |h: &Hit| self.places[h.place as usize].kind;
        let own_name = hits[0].kind == MatchKind::Exact && is_feature(kind_of(&hits[0]));
        let leader = window
            .iter()
            .position(|h| {
                (hits[0].kind == MatchKind::Fuzzy || h.kind != MatchKind::Fuzzy)
                    && (!own_name || h.kind == MatchKind::Exact)
                    && !window.iter().any(|o| outranks(kind_of(o), kind_of(h)))
            })
            .unwrap_or(0);
        hits[..=leader].rotate_right(1);
        // ACLED codes a district at its seat: a bare name that is a district and its seat
        // answers with the town (precision 1), the district as its admin2.
        let top = &self.places[hits[0].place as usize];
        if let Some(seat) = top.seat.as_deref() {
            let floor = hits[0].rank - AMBIGUITY_WINDOW;
            if let Some(i) = hits
                .iter()
                .take_while(|h| h.rank >= floor)
                .position(|h| self.places[h.place as usize].id == seat)
            {
                hits[..=i].rotate_right(1);
            }
        }
    }

    /// Drops the candidates that `--country`, `--near` or an admin unit named in the query
    /// rule out; returns what restricted them, for the note when nothing is left.
    fn apply_limits(
        &self,
        hits: &mut Vec<Hit>,
        parsed: &ParsedQuery,
        options: &Options,
    ) -> Vec<String> {
        let mut limits = Vec::new();
        if let Some(country) = &options.country {
            hits.retain(|h| {
                self.places[h.place as usize]
                    .country
                    .eq_ignore_ascii_case(country)
            });
            limits.push(format!("in {}", country.to_uppercase()));
        }
        if let Some(near) = options.near {
            hits.retain(|h| {
                let p = &self.places[h.place as usize];
                geodesic_km(near, Point::new(p.lon, p.lat)) <= NEAR_LIMIT_KM
            });
            limits.push(format!(
                "within {NEAR_LIMIT_KM} km of {:.4},{:.4}",
                near.y(),
                near.x()
            ));
        }
        let name_id = self
            .skeletons
            .ids
            .get(&skeleton(&fold(&parsed.name)))
            .copied();
        for text in parsed
            .context
            .iter()
            .chain(&options.context)
            .chain(&options.admin1)
        {
            let Some(key) = self.skeletons.ids.get(&skeleton(&fold(text))).copied() else {
                continue;
            };
            if !self.names_admin_unit(key) {
                continue;
            }
            hits.retain(|h| self.in_context(h.place, key, Some(key) != name_id));
            limits.push(format!("in {text}"));
        }
        limits
    }

    /// Whether a name (skeleton id) is a name of some province, district or country.
    fn names_admin_unit(&self, key: u32) -> bool {
        self.skeletons.entries[key as usize].iter().any(|&e| {
            self.places[self.names[e as usize].place as usize]
                .kind
                .is_admin_unit()
        })
    }

    /// The answer when every candidate was ruled out by a limit: unresolved, naming the
    /// best candidates outside.
    fn nothing_within(&self, query: &str, limits: &[String], mut outside: Vec<Hit>) -> Outcome {
        self.rank(&mut outside);
        let shown: Vec<String> = outside
            .iter()
            .take(3)
            .map(|h| describe(&self.places[h.place as usize]))
            .collect();
        unresolved(
            query,
            format!(
                "no place of that name {}; outside: {}",
                limits.join(", "),
                shown.join("; ")
            ),
        )
    }

    /// Places whose own or alternate name is exactly `name` (ignoring case and repeated
    /// spaces): the fast path for tables whose locations are already spelled as in the
    /// gazetteer. No folding, no context, no ranking.
    ///
    /// ```
    /// let geocoder = borderwatch::geocode::Geocoder::bundled();
    /// let ids: Vec<_> = geocoder.exact("QALA-E-ZAL").map(|p| p.id.as_str()).collect();
    /// assert_eq!(ids, ["af.dist.qala-i-zal"]);
    /// ```
    pub fn exact<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Place> + 'a {
        let mut seen = Vec::new();
        self.by_written
            .get(&written_key(name))
            .into_iter()
            .flatten()
            .filter_map(move |&entry| {
                let place = self.names[entry as usize].place;
                (!seen.contains(&place)).then(|| {
                    seen.push(place);
                    &self.places[place as usize]
                })
            })
    }

    /// Every place whose names match, with its best match.
    fn match_name(&self, name: &str) -> Vec<Hit> {
        let folded = fold(name);
        if folded.is_empty() {
            return Vec::new();
        }
        let mut best = BestHits::default();
        for &entry in self
            .by_written
            .get(&written_key(name))
            .into_iter()
            .flatten()
        {
            let e = &self.names[entry as usize];
            let (score, kind) = match (e.primary, e.stripped, e.former.is_some()) {
                (_, _, true) => (SCORE_FORMER, MatchKind::Alias),
                (_, true, false) => (SCORE_STRIPPED, MatchKind::Alias),
                (true, false, false) => (SCORE_EXACT, MatchKind::Exact),
                (false, false, false) => (SCORE_ALIAS, MatchKind::Alias),
            };
            best.offer(e.place, entry, score, kind);
        }
        if let Some(&id) = self.folded.ids.get(&folded) {
            for &entry in &self.folded.entries[id as usize] {
                best.offer(
                    self.names[entry as usize].place,
                    entry,
                    SCORE_FOLDED,
                    MatchKind::Folded,
                );
            }
        }
        self.match_variants(&folded, &mut best);
        best.0.into_values().collect()
    }

    /// Transliteration variants (equal skeletons) always compete: a name written one way
    /// may be another place's name written another way. Typos (a few edits of the folded
    /// name or of its skeleton) are looked for only when nothing matched as written.
    fn match_variants(&self, folded: &str, best: &mut BestHits) {
        let folded_chars: Vec<char> = folded.chars().collect();
        let key = skeleton(folded);
        let key_chars: Vec<char> = key.chars().collect();
        let mut entries: Vec<u32> = Vec::new();
        if let Some(&id) = self.skeletons.ids.get(&key) {
            entries.extend(&self.skeletons.entries[id as usize]);
        }
        if best.0.is_empty() {
            let (fold_index, skeleton_index) = self.typo_indexes();
            let fold_depth = allowed_fold_distance(folded_chars.len());
            for (id, _) in fold_index.search(&folded_chars, fold_depth) {
                entries.extend(&self.folded.entries[id as usize]);
            }
            for (id, _) in skeleton_index.search(&key_chars, allowed_distance(key_chars.len())) {
                entries.extend(&self.skeletons.entries[id as usize]);
            }
        }
        entries.sort_unstable();
        entries.dedup();
        for entry in entries {
            let e = &self.names[entry as usize];
            let name_fold = &self.folded.chars[e.folded_id as usize];
            let name_key = &self.skeletons.chars[e.skeleton_id as usize];
            let fold_similarity = similarity(
                osa_distance(&folded_chars, name_fold),
                folded_chars.len(),
                name_fold.len(),
            );
            let key_distance = osa_distance(&key_chars, name_key);
            if key_distance == 0 {
                // A former name read as a transliteration is a weak clue: Pyanj today is Panj,
                // not the town that was called Pyanj until 1963.
                let former = if e.former.is_some() {
                    FORMER_VARIANT_PENALTY
                } else {
                    0.0
                };
                let score = SCORE_SKELETON + 0.04 * fold_similarity - former;
                best.offer(e.place, entry, score, MatchKind::Folded);
            } else if fold_similarity >= MIN_FUZZY_SIMILARITY
                && words_align(&folded_chars, name_fold)
            {
                let key_similarity = similarity(key_distance, key_chars.len(), name_key.len());
                let score = 0.55 + 0.25 * fold_similarity + 0.05 * key_similarity;
                best.offer(e.place, entry, score, MatchKind::Fuzzy);
            }
        }
    }

    fn candidate(&self, hit: Hit) -> Candidate {
        let p = &self.places[hit.place as usize];
        Candidate {
            id: p.id.clone(),
            name: p.name.clone(),
            kind: p.kind,
            country: p.country.clone(),
            admin1: p.admin1.clone(),
            admin2: p.admin2.clone(),
            lat: p.lat,
            lon: p.lon,
            score: (hit.rank.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
            precision: p.precision,
            match_kind: hit.kind,
            matched: self.names[hit.entry as usize].written.clone(),
            context: hit.context,
            note: self.candidate_note(hit.entry),
        }
    }

    /// A former name matched, or a district without a known seat stands at a point inside it.
    fn candidate_note(&self, entry: u32) -> Option<String> {
        let e = &self.names[entry as usize];
        let p = &self.places[e.place as usize];
        if let Some(former) = e.former {
            let when = former
                .until
                .map_or(String::new(), |year| format!(", renamed {year}"));
            return Some(format!(
                "{} is a former name of {}{when}",
                e.written, p.name
            ));
        }
        (p.kind == Kind::District && p.seat.is_none()).then(|| {
            format!(
                "no seat of {} is known: the point is inside the district (precision 2)",
                p.name
            )
        })
    }

    fn apply_context(
        &self,
        hits: &mut [Hit],
        parsed: &ParsedQuery,
        kind: Option<query::KindHint>,
        options: &Options,
    ) {
        let name_key = skeleton(&fold(&parsed.name));
        let context: Vec<(&String, Option<u32>)> = parsed
            .context
            .iter()
            .chain(&options.context)
            .chain(&options.admin1)
            // A context word that names nothing known favours no one (its id is None).
            .map(|c| (c, self.skeletons.ids.get(&skeleton(&fold(c))).copied()))
            .collect();
        let name_id = self.skeletons.ids.get(&name_key).copied();
        for h in hits.iter_mut() {
            let place = &self.places[h.place as usize];
            if let Some(hint) = kind {
                adjust(h, hint.accepts(place.kind), || {
                    format!("kind: {}", hint.as_str())
                });
            }
            for (text, key) in &context {
                let matched = key.is_some_and(|k| self.in_context(h.place, k, Some(k) != name_id));
                adjust(h, matched, || format!("context: {text}"));
            }
            if let Some(country) = &options.country {
                let matched = place.country.eq_ignore_ascii_case(country);
                adjust(h, matched, || {
                    format!("country: {}", country.to_uppercase())
                });
            }
            if let Some(near) = options.near {
                let km = geodesic_km(near, Point::new(place.lon, place.lat));
                h.rank += CONTEXT_BONUS * (-km / 50.0).exp();
                h.context.push(format!("near: {km:.1} km"));
            }
        }
    }

    /// Whether a context name is a name of the place's province, district or country, or
    /// (when it differs from the queried name) another name of the place itself.
    fn in_context(&self, place: u32, key: u32, own_names: bool) -> bool {
        std::iter::once(own_names.then_some(place))
            .chain(self.parents[place as usize])
            .flatten()
            .any(|p| self.place_skeletons[p as usize].contains(&key))
    }

    fn judge(&self, ranked: &[Hit]) -> (Status, Option<String>) {
        let top = &ranked[0];
        if top.rank < 0.5 {
            return (
                Status::Unresolved,
                Some("no candidate scores above 0.5".into()),
            );
        }
        if top.kind == MatchKind::Fuzzy && top.name_rank < FUZZY_RESOLVE_MIN {
            let place = describe(&self.places[top.place as usize]);
            return (
                Status::Unresolved,
                Some(format!(
                    "no name matches closely enough; the closest is {place}, a few letters apart"
                )),
            );
        }
        let window = if top.kind == MatchKind::Fuzzy {
            FUZZY_AMBIGUITY_WINDOW
        } else {
            AMBIGUITY_WINDOW
        };
        let close: Vec<&Hit> = ranked[1..]
            .iter()
            .filter(|h| h.rank >= top.rank - window)
            .filter(|h| top.kind == MatchKind::Fuzzy || h.kind != MatchKind::Fuzzy)
            .filter(|h| !self.same_place(top, h))
            .filter(|h| !self.faint_village(top, h))
            // Today's names come before former ones: Darwaz is Nusay (Darwaz-e Payin) today,
            // not the districts carved out of the Darwaz of before 2005.
            .filter(|h| self.is_former(top) || !self.is_former(h))
            .collect();
        let top_kind = self.places[top.place as usize].kind;
        let (outranked, rivals): (Vec<&Hit>, Vec<&Hit>) = close
            .into_iter()
            .partition(|h| outranks(top_kind, self.places[h.place as usize].kind));
        if rivals.is_empty() {
            return (Status::Resolved, self.outranked_note(top, &outranked));
        }
        let names: Vec<String> = std::iter::once(top)
            .chain(rivals)
            .map(|h| describe(&self.places[h.place as usize]))
            .collect();
        let note = format!(
            "{} places match equally well: {}; add context (a province, --country, --near)",
            names.len(),
            names.join("; ")
        );
        (Status::Ambiguous, Some(note))
    }

    /// A village elsewhere whose name is only a transliteration variant of a name that matched
    /// as written: with thousands of villages, such look-alikes are everywhere, and they are
    /// not what a reader of the name means (Kevron is not Kowṟān in Sar-e Pol). So is a place
    /// outside the region read loosely beside one of the region (Maimai is not Miami), and a
    /// town read loosely beside a place outside the region named as written (Syria is not
    /// Panj, once called Sarai).
    fn faint_village(&self, top: &Hit, other: &Hit) -> bool {
        let (top_place, place) = (
            &self.places[top.place as usize],
            &self.places[other.place as usize],
        );
        if other.name_rank >= SCORE_FOLDED {
            return false;
        }
        // A place of the region read loosely is still what a user of the tool means; one
        // of the rest of the world read loosely never is.
        if in_region(&top_place.country) && !in_region(&place.country) {
            return true;
        }
        let far_away = !in_region(&top_place.country);
        top.name_rank >= SCORE_FOLDED
            && (place.kind == Kind::Village || (far_away && place.kind.is_settlement()))
    }

    fn is_former(&self, hit: &Hit) -> bool {
        self.names[hit.entry as usize].former.is_some()
    }

    /// Says which same-named places a resolved answer was preferred to, and why.
    fn outranked_note(&self, top: &Hit, outranked: &[&Hit]) -> Option<String> {
        if outranked.is_empty() {
            return None;
        }
        let top_place = &self.places[top.place as usize];
        let others: Vec<String> = outranked
            .iter()
            .take(3)
            .map(|h| describe(&self.places[h.place as usize]))
            .collect();
        let more = outranked.len().saturating_sub(others.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        Some(format!(
            "the {} {} is meant by the bare name in news usage, not {}{more}",
            top_place.kind,
            top_place.name,
            others.join("; ")
        ))
    }

    /// Nested or neighbouring places count as one; rivers only equal themselves.
    fn same_place(&self, a: &Hit, b: &Hit) -> bool {
        let (pa, pb) = (
            &self.places[a.place as usize],
            &self.places[b.place as usize],
        );
        if pa.kind == Kind::River || pb.kind == Kind::River {
            return a.place == b.place;
        }
        let contains = |outer: &Hit, outer_place: &Place, inner: &Hit| {
            outer_place.kind.is_admin_unit()
                && self.parents[inner.place as usize].contains(&Some(outer.place))
        };
        if contains(a, pa, b) || contains(b, pb, a) {
            return true;
        }
        // Across the border two points a river apart are two places (Nusay and Qalaikhumb),
        // unless one is the crossing between them.
        let crossing = pa.kind == Kind::BorderCrossing || pb.kind == Kind::BorderCrossing;
        if pa.country != pb.country && !crossing {
            return false;
        }
        // A district's point is its seat, and a same-named town in it may lie off the seat.
        let reach = if pa.kind.is_admin_unit() || pb.kind.is_admin_unit() {
            SAME_UNIT_KM
        } else {
            SAME_PLACE_KM
        };
        geodesic_km(Point::new(pa.lon, pa.lat), Point::new(pb.lon, pb.lat)) < reach
    }
}

/// How news usage ranks places of one name: a town, then the district it is the seat of,
/// the province, the country, then villages, then posts, bridges, areas and rivers named
/// after a place.
fn prominence(kind: Kind) -> u8 {
    match kind {
        Kind::City => 0,
        Kind::Town => 1,
        Kind::District => 2,
        Kind::Province => 3,
        Kind::Country => 4,
        Kind::Village => 5,
        Kind::BorderCrossing => 6,
        Kind::BorderPost => 7,
        Kind::Area => 8,
        Kind::River => 9,
    }
}

/// Whether a bare name means the first kind rather than the second: a city, town or admin
/// unit rather than a village elsewhere, any settlement or admin unit rather than a river,
/// post, bridge or area named after a place.
fn outranks(top: Kind, other: Kind) -> bool {
    let major = |k: Kind| matches!(k, Kind::City | Kind::Town) || k.is_admin_unit();
    (!is_feature(top) && is_feature(other)) || (major(top) && other == Kind::Village)
}

/// A river, a crossing, a post or an area: places often named after a settlement.
fn is_feature(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::River | Kind::BorderCrossing | Kind::BorderPost | Kind::Area
    )
}

/// How many province or country names at the end of a query are read as context ("ноҳияи
/// Моймайи Бадахшони Афғонистон": a province, then a country).
const MAX_TRAILING_UNITS: usize = 2;

/// The shortest word left once a Tajik izafe "-и" is cut from it.
const MIN_IZAFE_STEM: usize = 3;

/// A query read with its last word, a province or country, as context.
struct Peeled {
    /// The readings to try, in order: the name as written, then without an izafe.
    readings: Vec<ParsedQuery>,
    /// The last word names a province only, not a country.
    inside_province: bool,
    /// A district word stands before the name.
    district_word: bool,
}

impl Peeled {
    /// Whether an answer to a reading can stand. A name before a province's name may be one
    /// name with it, the izafe unwritten ("کوهستان بدخشان", Mountainous Badakhshan; "ولایت
    /// خودمختار کوهستان بدخشان"): it is a place inside the province only when it says it is a
    /// district ("ولسوالی X") or is a settlement. A loose (fuzzy) match is no answer.
    fn accepts(&self, outcome: &Outcome) -> bool {
        let Some(top) = outcome.candidates.first() else {
            return false;
        };
        top.match_kind != MatchKind::Fuzzy
            && (!self.inside_province || self.district_word || top.kind.is_settlement())
    }
}

/// Adds `found` to `hits`, keeping each place's better hit.
fn merge_hits(hits: &mut Vec<Hit>, found: Vec<Hit>) {
    for hit in found {
        match hits.iter_mut().find(|h| h.place == hit.place) {
            Some(old) if old.rank >= hit.rank => {}
            Some(old) => *old = hit,
            None => hits.push(hit),
        }
    }
}

fn unresolved(query: &str, note: String) -> Outcome {
    Outcome {
        query: query.to_string(),
        status: Status::Unresolved,
        candidates: Vec::new(),
        note: Some(note),
    }
}

/// The shortest word, in characters, that [`words_align`] compares: shorter ones (izafe
/// `e`/`i`, `al`, `ul`) vary between spellings of one name.
const MIN_ALIGNED_WORD: usize = 4;
/// The least similarity of two words whose skeletons are one edit apart for [`words_align`]
/// to take them as spellings of one word (`khvadzha`/`khwaja` 0.63; `surkh`/`sarai` 0.4).
const MIN_WORD_SIMILARITY: f64 = 0.5;

/// Whether a misspelling or another transliteration could turn the folded name `a` into `b`
/// word by word. A typo changes letters, not a whole word: when both names have the same
/// number of words, every word of [`MIN_ALIGNED_WORD`] or more letters must be within
/// [`allowed_distance`] of its counterpart (at least one edit), or be a transliteration of
/// it (skeletons one edit apart, the letters mostly shared). Names of one word, or of
/// different word counts, are left to the distance of the whole.
fn words_align(a: &[char], b: &[char]) -> bool {
    let words = |s: &[char]| -> Vec<String> {
        s.split(|c| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.iter().collect())
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    if wa.len() != wb.len() || wa.len() < 2 {
        return true;
    }
    wa.iter().zip(&wb).all(|(x, y)| {
        let (xc, yc): (Vec<char>, Vec<char>) = (x.chars().collect(), y.chars().collect());
        let len = xc.len().max(yc.len());
        let distance = osa_distance(&xc, &yc);
        if len < MIN_ALIGNED_WORD || distance <= allowed_distance(len).max(1) {
            return true;
        }
        let (kx, ky): (Vec<char>, Vec<char>) =
            (skeleton(x).chars().collect(), skeleton(y).chars().collect());
        osa_distance(&kx, &ky) <= 1
            && similarity(distance, xc.len(), yc.len()) >= MIN_WORD_SIMILARITY
    })
}

fn adjust(hit: &mut Hit, matched: bool, label: impl FnOnce() -> String) {
    if matched {
        hit.rank += CONTEXT_BONUS;
        hit.context.push(label());
    } else {
        hit.rank -= CONTEXT_PENALTY;
    }
}

fn describe(p: &Place) -> String {
    let mut parts = vec![p.kind.as_str().to_string()];
    parts.extend(
        [p.admin2.as_str(), p.admin1.as_str()]
            .iter()
            .filter(|s| !s.is_empty() && **s != p.name)
            .map(|s| s.to_string()),
    );
    parts.push(p.country.clone());
    format!("{} ({})", p.name, parts.join(", "))
}

/// A name as written: Unicode NFC, lower case, single spaces.
fn written_key(name: &str) -> String {
    use unicode_normalization::{UnicodeNormalization, is_nfc_quick};
    let mut key = String::with_capacity(name.len());
    let mut push_words = |text: &mut dyn Iterator<Item = char>| {
        let mut space = false;
        for c in text {
            if c.is_whitespace() {
                space = !key.is_empty();
            } else {
                if space {
                    key.push(' ');
                    space = false;
                }
                key.extend(c.to_lowercase());
            }
        }
    };
    match is_nfc_quick(name.chars()) {
        unicode_normalization::IsNormalized::Yes => push_words(&mut name.chars()),
        _ => push_words(&mut name.nfc()),
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(query: &str) -> Outcome {
        Geocoder::bundled().geocode(query, &Options::default())
    }

    #[test]
    fn a_resolved_place_lists_no_loose_reading_from_elsewhere() {
        let maimai = Geocoder::bundled().geocode("Maimai", &Options::default());
        assert_eq!(maimai.status, Status::Resolved);
        assert!(
            maimai.candidates.iter().all(|c| c.country != "US"),
            "{:?}",
            maimai.candidates
        );
    }

    #[test]
    fn a_typo_changes_letters_not_whole_words() {
        let c = |s: &str| fold(s).chars().collect::<Vec<_>>();
        assert!(!words_align(&c("Sang-e Surkh"), &c("Sang-i-Sarai")));
        assert!(words_align(&c("Qala-i-Zaal"), &c("Qala-i-Zal")));
        assert!(words_align(&c("Хваджа Гхар"), &c("Khwaja Ghar")));
        assert!(words_align(&c("Бахаутдин Khwaja"), &c("Bahauddin Khwaja")));
        assert!(
            words_align(&c("Kevron"), &c("Kavrun")),
            "one word: the whole decides"
        );
        let geocoder = Geocoder::bundled();
        let outpost = geocoder.geocode("Sang-e Surkh outpost", &Options::default());
        assert_ne!(
            outpost.status,
            Status::Resolved,
            "{:?}",
            outpost.candidates.first()
        );
    }

    #[test]
    fn exact_alias_folded_and_fuzzy_are_told_apart() {
        // How the district's own row matched (its seat village may come first).
        let district = |query: &str| {
            top(query)
                .candidates
                .into_iter()
                .find(|c| c.id == "af.dist.qala-i-zal")
                .unwrap_or_else(|| panic!("{query}: no district candidate"))
                .match_kind
        };
        assert_eq!(district("Qala-i-Zal"), MatchKind::Exact);
        assert_eq!(district("Qala-e-Zal"), MatchKind::Alias);
        assert_eq!(district("qala e zal"), MatchKind::Folded);
        assert_eq!(district("Qalaa-i-Zaal"), MatchKind::Folded);
        assert_eq!(top("Qzla-i-Zal").candidates[0].match_kind, MatchKind::Fuzzy);
    }

    #[test]
    fn nested_places_are_not_ambiguous() {
        let vanj = top("Vanj");
        assert_eq!(vanj.status, Status::Resolved, "{:?}", vanj.note);
        assert_eq!(vanj.candidates[0].country, "TJ");
    }

    #[test]
    fn a_feature_keeps_its_own_name_and_a_town_the_name_of_its_bridge() {
        // The crossing bears the name as written; the village (Qizil Qal'ah, 3.6 km away)
        // only as an alternate name.
        let crossing = top("Sherkhan Bandar");
        assert_eq!(crossing.status, Status::Resolved, "{:?}", crossing.note);
        assert_eq!(crossing.candidates[0].id, "af.xing.sherkhan-bandar");
        // The town bears its name as written; the bridge is named after it.
        let town = top("Qalai Khumb");
        assert_eq!(town.status, Status::Resolved, "{:?}", town.note);
        assert_eq!(town.candidates[0].kind, Kind::Town);
    }

    #[test]
    fn a_kind_word_picks_the_river() {
        let river = top("Panj River");
        assert_eq!(river.status, Status::Resolved);
        assert_eq!(river.candidates[0].kind, Kind::River);
    }

    #[test]
    fn empty_and_nonsense_are_unresolved() {
        assert_eq!(top("").status, Status::Unresolved);
        assert_eq!(top("   ").status, Status::Unresolved);
        assert_eq!(top("Xqzwv").status, Status::Unresolved);
    }

    #[test]
    fn country_option_settles_ambiguity_and_says_so() {
        let options = Options {
            country: Some("TJ".into()),
            ..Options::default()
        };
        let outcome = Geocoder::bundled().geocode("Darvaz", &options);
        assert_eq!(outcome.status, Status::Resolved);
        assert_eq!(outcome.candidates[0].id, "tj.dist.darvoz");
        assert!(
            outcome.candidates[0]
                .context
                .contains(&"country: TJ".to_string())
        );
    }

    /// The answer to a query that must resolve.
    fn resolved(query: &str) -> Candidate {
        let outcome = top(query);
        assert_eq!(
            outcome.status,
            Status::Resolved,
            "{query}: {:?}",
            outcome.note
        );
        outcome.candidates.into_iter().next().expect("a candidate")
    }

    fn with(options: Options, query: &str) -> Outcome {
        Geocoder::bundled().geocode(query, &options)
    }

    #[test]
    fn former_names_resolve_and_say_so() {
        let outcome = top("Kirovabad");
        assert_eq!(outcome.status, Status::Resolved, "{:?}", outcome.note);
        assert_eq!(outcome.candidates[0].name, "Panj");
        let note = outcome.note.unwrap_or_default();
        assert!(note.contains("former name of Panj, renamed 1963"), "{note}");
        // A former name read only as a transliteration never rivals today's name.
        assert_eq!(top("Panj").status, Status::Resolved);
    }

    #[test]
    fn persian_and_cyrillic_forms_are_read_by_rule() {
        for query in [
            "ولسوالی قلعه زال",
            "قلعۀ زال",
            "Qala\u{200c}-i-Zal",
            "QAL'AH-YE ZĀL",
        ] {
            assert_eq!(resolved(query).admin2, "Qala-i-Zal", "{query}");
        }
        for query in ["Ванчский район", "ноҳияи Ванҷ", "Vanch nohiya"] {
            assert_eq!(resolved(query).id, "tj.dist.vanj", "{query}");
        }
        let gbao = top("Вилояти Мухтори Кӯҳистони Бадахшон");
        assert_eq!(gbao.candidates[0].id, "tj.prov.gorno-badakhshan");
        assert_eq!(
            top("Хатлонская область").candidates[0].id,
            "tj.prov.khatlon"
        );
    }

    #[test]
    fn a_province_or_country_named_last_is_context() {
        // Tajik izafe: "Badakhshan of Afghanistan", "Maimai district of Badakhshan of Afghanistan".
        assert_eq!(resolved("Бадахшони Афғонистон").id, "af.prov.badakhshan");
        assert_eq!(
            resolved("ноҳияи Моймайи Бадахшони Афғонистон").id,
            "af.dist.maimay"
        );
        // Persian with no comma: Khanabad district, Kunduz.
        assert_eq!(resolved("ولسوالی خان‌آباد کندز").admin1, "Kunduz");
        // A province's own name is not read as a place inside the province it ends with.
        for gbao in ["ولایت خودمختار کوهستان بدخشان", "کوهستان بدخشان"]
        {
            let outcome = top(gbao);
            assert_ne!(
                outcome.resolved().map(|c| c.id.as_str()),
                Some("af.dist.kohistan")
            );
        }
        // Names that hold a unit word are looked up whole first.
        assert_eq!(resolved("مرکز ولايت شبرغان").id, "af.pl.shibirghan");
    }

    #[test]
    fn a_unit_word_before_a_name_does_not_settle_which_unit() {
        // Who's On First gives "Ишкошим" for the Afghan district too: "ноҳияи" (district) is
        // grammar, and the TJ district's alias written with it is no better a match.
        let both = top("Ноҳияи Ишкошим");
        assert_eq!(both.status, Status::Ambiguous);
        let ids: Vec<&str> = both.candidates[..2].iter().map(|c| c.id.as_str()).collect();
        assert!(ids.contains(&"af.dist.ishkashim") && ids.contains(&"tj.dist.ishkoshim"));
        // A name only one place carries stays resolved.
        assert_eq!(resolved("ноҳияи Ванҷ").id, "tj.dist.vanj");
    }

    #[test]
    fn a_district_is_answered_at_its_seat() {
        // A bare name that is a district and its seat: the town, precision 1.
        let town = top("Jurm");
        assert_eq!(town.status, Status::Resolved);
        assert_eq!(
            (town.candidates[0].kind, town.candidates[0].precision),
            (Kind::Town, 1)
        );
        assert_eq!(town.candidates[0].admin2, "Jurm");
        // "district" in the query: the district, precision 2, at the seat's point.
        let district = top("Jurm district");
        let c = &district.candidates[0];
        assert_eq!((c.kind, c.precision), (Kind::District, 2));
        assert_eq!(
            (c.lat, c.lon),
            (town.candidates[0].lat, town.candidates[0].lon)
        );
    }

    #[test]
    fn a_district_without_a_seat_says_so() {
        let geocoder = Geocoder::bundled();
        let seatless = geocoder
            .places()
            .iter()
            .find(|p| p.kind == Kind::District && p.seat.is_none() && p.admin1 == "Badakhshan")
            .expect("a district without a known seat");
        let outcome = geocoder.geocode(&format!("{} district", seatless.name), &Options::default());
        let c = &outcome.candidates[0];
        assert_eq!(c.precision, 2);
        assert!(
            c.note.as_deref().unwrap_or("").contains("no seat"),
            "{:?}",
            c.note
        );
    }

    #[test]
    fn country_province_and_near_restrict() {
        // Ishkashim is on both banks: --country keeps only one side, never the other.
        let tj = with(
            Options {
                country: Some("TJ".into()),
                ..Options::default()
            },
            "Ishkashim",
        );
        assert!(tj.candidates.iter().all(|c| c.country == "TJ"));
        // A name with no place of it in the country: unresolved, naming what lies outside.
        let none = with(
            Options {
                country: Some("AF".into()),
                ..Options::default()
            },
            "Khorugh",
        );
        assert_eq!(none.status, Status::Unresolved);
        assert!(none.note.unwrap_or_default().contains("outside: Khorugh"));
        // A province in the query rules out places elsewhere.
        let kunduz = top("Fayzabad, Kunduz");
        assert!(
            kunduz.candidates.iter().all(|c| c.admin1 == "Kunduz"),
            "{:?}",
            kunduz.candidates
        );
        // --near settles a shared name.
        let near = with(
            Options {
                near: Some(Point::new(70.6, 37.1)),
                ..Options::default()
            },
            "Fayzabad",
        );
        assert_eq!(near.status, Status::Resolved, "{:?}", near.note);
        assert_eq!(near.candidates[0].id, "af.pl.fayzabad");
    }

    #[test]
    fn same_named_villages_are_ambiguous() {
        // Villages of one name in several districts, nothing in the query to tell them apart.
        let geocoder = Geocoder::bundled();
        let mut by_name: HashMap<&str, Vec<&Place>> = HashMap::new();
        for p in geocoder.places().iter().filter(|p| p.kind == Kind::Village) {
            by_name.entry(p.name.as_str()).or_default().push(p);
        }
        let (name, _) = by_name
            .iter()
            .filter(|(name, places)| {
                places.len() >= 2
                    && geocoder
                        .places()
                        .iter()
                        .all(|p| p.kind == Kind::Village || &p.name != *name)
                    && places.windows(2).all(|w| {
                        geodesic_km(
                            Point::new(w[0].lon, w[0].lat),
                            Point::new(w[1].lon, w[1].lat),
                        ) > 50.0
                    })
            })
            .min_by_key(|(name, _)| *name)
            .expect("two far-apart villages of one name");
        assert_eq!(top(name).status, Status::Ambiguous, "{name}");
    }

    #[test]
    fn a_settlement_outranks_a_bridge_or_river_of_its_name() {
        let town = top("Qalai Khumb");
        assert_eq!(town.status, Status::Resolved, "{:?}", town.note);
        assert!(town.candidates[0].kind.is_settlement());
        let panj = top("Panj");
        assert_eq!(panj.candidates[0].kind, Kind::Town);
        assert!(panj.note.unwrap_or_default().contains("news usage"));
    }

    #[test]
    fn weak_fuzzy_matches_are_not_resolved() {
        // "Jurmal" is a few letters from Barmal (Paktika), 483 km from Jurm.
        assert_ne!(top("Jurmal District").status, Status::Resolved);
        // "Archi", once only a few letters from Aqcha (Jowzjan), is the press's short name
        // of Dasht-e Archi (curated).
        assert_eq!(resolved("Archi District").id, "af.dist.dasht-e-archi");
    }

    #[test]
    fn scores_stay_in_unit_interval() {
        for q in ["Kunduz", "Qala-e-Zal district, Kunduz", "Kevron, Darvaz"] {
            for c in top(q).candidates {
                assert!((0.0..=1.0).contains(&c.score), "{q}: {}", c.score);
            }
        }
    }
}
