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

use std::collections::HashMap;
use std::sync::OnceLock;

use geo::Point;
use serde::Serialize;

use crate::gazetteer::{Gazetteer, Kind, Place};
use crate::spatial::geodesic_km;
use fold::{fold, skeleton};
use fuzzy::{DeletionIndex, allowed_distance};
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
    Resolved,
    Ambiguous,
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

/// One ranked answer.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub country: String,
    pub admin1: String,
    pub admin2: String,
    pub lat: f64,
    pub lon: f64,
    /// Confidence in 0..1.
    pub score: f64,
    /// ACLED geo_precision of the place: 1 exact, 2 district/near, 3 province/region.
    pub precision: u8,
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    /// The gazetteer name that matched.
    pub matched: String,
    /// Context that moved this candidate, e.g. "admin: Kunduz".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    #[serde(skip)]
    rank: f64,
    #[serde(skip)]
    place: u32,
}

/// The answer to one query.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub query: String,
    pub status: Status,
    pub candidates: Vec<Candidate>,
    /// Why the status is what it is, for a person to read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Outcome {
    /// The best candidate when the query is resolved.
    pub fn resolved(&self) -> Option<&Candidate> {
        (self.status == Status::Resolved)
            .then(|| self.candidates.first())
            .flatten()
    }
}

/// Context that reorders candidates.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Prefer places in this country (ISO alpha-2).
    pub country: Option<String>,
    /// Prefer places in this province (any of its names).
    pub admin1: Option<String>,
    /// Prefer places near this point.
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
    written: String,
    folded: String,
}

/// A geocoder over one gazetteer.
pub struct Geocoder {
    places: Vec<Place>,
    names: Vec<NameEntry>,
    by_written: HashMap<String, Vec<u32>>,
    by_folded: HashMap<String, Vec<u32>>,
    skeleton_ids: HashMap<String, u32>,
    skeleton_names: Vec<Vec<u32>>,
    skeleton_keys: Vec<String>,
    fuzzy: OnceLock<DeletionIndex>,
    /// Skeletons of every name of each place, for matching context against admin units.
    place_skeletons: Vec<Vec<String>>,
    /// Index of the province / district / country place of each place, when known.
    parents: Vec<[Option<u32>; 3]>,
}

const SCORE_EXACT: f64 = 1.0;
const SCORE_ALIAS: f64 = 0.98;
const SCORE_STRIPPED: f64 = 0.96;
const SCORE_FOLDED: f64 = 0.95;
const SCORE_SKELETON: f64 = 0.88;
const SCORE_FUZZY_MAX: f64 = 0.85;
/// A fuzzy candidate's folded name must be at least this similar (normalised Levenshtein).
const MIN_FUZZY_SIMILARITY: f64 = 0.6;
/// Candidates this close to the best (and matched at least as a transliteration) are
/// indistinguishable by name alone.
const AMBIGUITY_WINDOW: f64 = 0.13;
/// Among fuzzy-only matches, the window is narrow: equal edit distance.
const FUZZY_AMBIGUITY_WINDOW: f64 = 0.02;
const CONTEXT_BONUS: f64 = 0.1;
const CONTEXT_PENALTY: f64 = 0.15;
/// Neighbouring places of one country closer than this are one place for ambiguity.
const SAME_PLACE_KM: f64 = 10.0;
/// The same for an admin unit and a same-named place: districts here are 30–80 km across.
const SAME_UNIT_KM: f64 = 25.0;

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
        let places = gazetteer.places().to_vec();
        let mut geocoder = Geocoder {
            names: Vec::new(),
            by_written: HashMap::new(),
            by_folded: HashMap::new(),
            skeleton_ids: HashMap::new(),
            skeleton_names: Vec::new(),
            skeleton_keys: Vec::new(),
            fuzzy: OnceLock::new(),
            place_skeletons: vec![Vec::new(); places.len()],
            parents: vec![[None; 3]; places.len()],
            places,
        };
        for index in 0..geocoder.places.len() {
            let place = &geocoder.places[index];
            let mut names = vec![(place.name.clone(), true)];
            names.extend(place.alt_names.iter().map(|n| (n.clone(), false)));
            for (name, primary) in names {
                let stripped = strip_kind_words(&name);
                geocoder.add_name(index as u32, &name, primary, false);
                if stripped != name {
                    geocoder.add_name(index as u32, &stripped, primary, true);
                }
            }
        }
        geocoder.link_parents();
        geocoder
    }

    /// The bundled gazetteer's geocoder, built once per process.
    pub fn bundled() -> &'static Geocoder {
        static GEOCODER: OnceLock<Geocoder> = OnceLock::new();
        GEOCODER.get_or_init(|| Geocoder::new(Gazetteer::bundled()))
    }

    /// The places this geocoder answers with.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    fn add_name(&mut self, place: u32, name: &str, primary: bool, stripped: bool) {
        let folded = fold(name);
        if folded.is_empty() {
            return;
        }
        let key = skeleton(&folded);
        let entry = self.names.len() as u32;
        self.by_written
            .entry(written_key(name))
            .or_default()
            .push(entry);
        self.by_folded
            .entry(folded.clone())
            .or_default()
            .push(entry);
        let next_id = self.skeleton_keys.len() as u32;
        let id = *self.skeleton_ids.entry(key.clone()).or_insert(next_id);
        if id == next_id {
            self.skeleton_keys.push(key.clone());
            self.skeleton_names.push(Vec::new());
        }
        self.skeleton_names[id as usize].push(entry);
        self.place_skeletons[place as usize].push(key);
        self.names.push(NameEntry {
            place,
            primary,
            stripped,
            written: name.to_string(),
            folded,
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

    fn fuzzy_index(&self) -> &DeletionIndex {
        self.fuzzy
            .get_or_init(|| DeletionIndex::new(&self.skeleton_keys, 2))
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
        let mut candidates = self.match_name(&parsed.name);
        if candidates.is_empty() {
            return Outcome {
                query: query.to_string(),
                status: Status::Unresolved,
                candidates,
                note: Some(if parsed.name.trim().is_empty() {
                    "empty name".to_string()
                } else {
                    format!("no place named like {:?}", parsed.name)
                }),
            };
        }
        self.apply_context(&mut candidates, &parsed, options);
        candidates.sort_by(|a, b| {
            b.rank
                .total_cmp(&a.rank)
                .then(a.kind.cmp(&b.kind))
                .then(
                    self.places[b.place as usize]
                        .population
                        .cmp(&self.places[a.place as usize].population),
                )
                .then(a.id.cmp(&b.id))
        });
        let (status, note) = self.judge(&candidates);
        let limit = if options.limit == 0 { 5 } else { options.limit };
        candidates.truncate(limit);
        for c in &mut candidates {
            c.score = (c.rank.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
        }
        Outcome {
            query: query.to_string(),
            status,
            candidates,
            note,
        }
    }

    /// Every place whose names match, with its best match.
    fn match_name(&self, name: &str) -> Vec<Candidate> {
        let folded = fold(name);
        if folded.is_empty() {
            return Vec::new();
        }
        let mut best: HashMap<u32, Candidate> = HashMap::new();
        let offer =
            |best: &mut HashMap<u32, Candidate>, entry: u32, score: f64, kind: MatchKind| {
                let e = &self.names[entry as usize];
                if best.get(&e.place).is_none_or(|c| score > c.rank) {
                    best.insert(e.place, self.candidate(e, score, kind));
                }
            };
        for &entry in self
            .by_written
            .get(&written_key(name))
            .into_iter()
            .flatten()
        {
            let e = &self.names[entry as usize];
            let (score, kind) = match (e.primary, e.stripped) {
                (_, true) => (SCORE_STRIPPED, MatchKind::Alias),
                (true, false) => (SCORE_EXACT, MatchKind::Exact),
                (false, false) => (SCORE_ALIAS, MatchKind::Alias),
            };
            offer(&mut best, entry, score, kind);
        }
        for &entry in self.by_folded.get(&folded).into_iter().flatten() {
            offer(&mut best, entry, SCORE_FOLDED, MatchKind::Folded);
        }
        let key = skeleton(&folded);
        if let Some(&id) = self.skeleton_ids.get(&key) {
            for &entry in &self.skeleton_names[id as usize] {
                let similarity =
                    strsim::normalized_levenshtein(&folded, &self.names[entry as usize].folded);
                offer(
                    &mut best,
                    entry,
                    SCORE_SKELETON + 0.02 * similarity,
                    MatchKind::Folded,
                );
            }
        }
        if best.is_empty() {
            let key_len = key.chars().count();
            for (id, distance) in self.fuzzy_index().search(&key, allowed_distance(key_len)) {
                let other = &self.skeleton_keys[id as usize];
                let longest = key_len.max(other.chars().count()).max(1) as f64;
                let skeleton_similarity = 1.0 - distance as f64 / longest;
                for &entry in &self.skeleton_names[id as usize] {
                    let similarity =
                        strsim::normalized_levenshtein(&folded, &self.names[entry as usize].folded);
                    // Skeletons forgive vowels; a name that looks little like the query is noise.
                    if similarity < MIN_FUZZY_SIMILARITY {
                        continue;
                    }
                    let score =
                        (0.55 + 0.2 * skeleton_similarity + 0.1 * similarity).min(SCORE_FUZZY_MAX);
                    offer(&mut best, entry, score, MatchKind::Fuzzy);
                }
            }
        }
        best.into_values().collect()
    }

    fn candidate(&self, entry: &NameEntry, score: f64, match_kind: MatchKind) -> Candidate {
        let p = &self.places[entry.place as usize];
        Candidate {
            id: p.id.clone(),
            name: p.name.clone(),
            kind: p.kind,
            country: p.country.clone(),
            admin1: p.admin1.clone(),
            admin2: p.admin2.clone(),
            lat: p.lat,
            lon: p.lon,
            score,
            precision: p.precision,
            match_kind,
            matched: entry.written.clone(),
            context: Vec::new(),
            rank: score,
            place: entry.place,
        }
    }

    fn apply_context(&self, candidates: &mut [Candidate], parsed: &ParsedQuery, options: &Options) {
        let context: Vec<(String, String)> = parsed
            .context
            .iter()
            .chain(&options.context)
            .chain(&options.admin1)
            .map(|c| (c.clone(), skeleton(&fold(c))))
            .filter(|(_, key)| !key.is_empty())
            .collect();
        let name_key = skeleton(&fold(&parsed.name));
        for c in candidates.iter_mut() {
            if let Some(hint) = parsed.kind {
                self.adjust(c, hint.accepts(c.kind), format!("kind: {}", hint.as_str()));
            }
            for (text, key) in &context {
                let matched = self.in_context(c.place, key, key != &name_key);
                self.adjust(c, matched, format!("context: {text}"));
            }
            if let Some(country) = &options.country {
                let matched = c.country.eq_ignore_ascii_case(country);
                self.adjust(c, matched, format!("country: {}", country.to_uppercase()));
            }
            if let Some(near) = options.near {
                let km = geodesic_km(near, Point::new(c.lon, c.lat));
                c.rank += CONTEXT_BONUS * (-km / 50.0).exp();
                c.context.push(format!("near: {km:.1} km"));
            }
        }
    }

    fn adjust(&self, c: &mut Candidate, matched: bool, label: String) {
        if matched {
            c.rank += CONTEXT_BONUS;
            c.context.push(label);
        } else {
            c.rank -= CONTEXT_PENALTY;
        }
    }

    /// Whether a context name is a name of the place's province, district or country, or
    /// (when it differs from the queried name) another name of the place itself.
    fn in_context(&self, place: u32, key: &str, own_names: bool) -> bool {
        std::iter::once(own_names.then_some(place))
            .chain(self.parents[place as usize])
            .flatten()
            .any(|p| self.place_skeletons[p as usize].iter().any(|k| k == key))
    }

    fn judge(&self, ranked: &[Candidate]) -> (Status, Option<String>) {
        let top = &ranked[0];
        if top.rank < 0.5 {
            return (
                Status::Unresolved,
                Some("no candidate scores above 0.5".into()),
            );
        }
        let window = if top.match_kind == MatchKind::Fuzzy {
            FUZZY_AMBIGUITY_WINDOW
        } else {
            AMBIGUITY_WINDOW
        };
        let rivals: Vec<&Candidate> = ranked[1..]
            .iter()
            .filter(|c| c.rank >= top.rank - window && !self.same_place(top, c))
            .collect();
        if rivals.is_empty() {
            (Status::Resolved, None)
        } else {
            let mut names = vec![describe(top)];
            names.extend(rivals.iter().map(|c| describe(c)));
            (
                Status::Ambiguous,
                Some(format!(
                    "{} places match equally well: {}; add context (a province, --country, --near)",
                    names.len(),
                    names.join("; ")
                )),
            )
        }
    }

    /// Nested or neighbouring places count as one; rivers only equal themselves.
    fn same_place(&self, a: &Candidate, b: &Candidate) -> bool {
        if a.kind == Kind::River || b.kind == Kind::River {
            return a.place == b.place;
        }
        let contains = |outer: &Candidate, inner: &Candidate| {
            outer.kind.is_admin_unit()
                && self.parents[inner.place as usize].contains(&Some(outer.place))
        };
        if contains(a, b) || contains(b, a) {
            return true;
        }
        // Across the border two points a river apart are two places (Nusay and Qalaikhumb),
        // unless one is the crossing between them.
        let crossing = a.kind == Kind::BorderCrossing || b.kind == Kind::BorderCrossing;
        if a.country != b.country && !crossing {
            return false;
        }
        // A district's point is its seat, and a same-named town in it may lie off the seat.
        let reach = if a.kind.is_admin_unit() || b.kind.is_admin_unit() {
            SAME_UNIT_KM
        } else {
            SAME_PLACE_KM
        };
        geodesic_km(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat)) < reach
    }
}

fn describe(c: &Candidate) -> String {
    let mut parts = vec![c.kind.as_str().to_string()];
    parts.extend(
        [c.admin2.as_str(), c.admin1.as_str()]
            .iter()
            .filter(|s| !s.is_empty() && **s != c.name)
            .map(|s| s.to_string()),
    );
    parts.push(c.country.clone());
    format!("{} ({})", c.name, parts.join(", "))
}

fn written_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(query: &str) -> Outcome {
        Geocoder::bundled().geocode(query, &Options::default())
    }

    #[test]
    fn exact_alias_folded_and_fuzzy_are_told_apart() {
        assert_eq!(top("Qala-i-Zal").candidates[0].match_kind, MatchKind::Exact);
        assert_eq!(top("Qala-e-Zal").candidates[0].match_kind, MatchKind::Alias);
        assert_eq!(
            top("qala e zal").candidates[0].match_kind,
            MatchKind::Folded
        );
        assert_eq!(
            top("Qalaa-i-Zaal").candidates[0].match_kind,
            MatchKind::Folded
        );
        assert_eq!(top("Qzla-i-Zal").candidates[0].match_kind, MatchKind::Fuzzy);
    }

    #[test]
    fn nested_places_are_not_ambiguous() {
        let vanj = top("Vanj");
        assert_eq!(vanj.status, Status::Resolved, "{:?}", vanj.note);
        assert_eq!(vanj.candidates[0].country, "TJ");
    }

    #[test]
    fn river_and_town_of_one_name_are_ambiguous_until_a_kind_word() {
        assert_eq!(top("Panj").status, Status::Ambiguous);
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

    #[test]
    fn scores_stay_in_unit_interval() {
        for q in ["Kunduz", "Qala-e-Zal district, Kunduz", "Kevron, Darvaz"] {
            for c in top(q).candidates {
                assert!((0.0..=1.0).contains(&c.score), "{q}: {}", c.score);
            }
        }
    }
}
