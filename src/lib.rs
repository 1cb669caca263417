//! borderwatch maps security incidents along the Afghanistan–Tajikistan border, offline.
//!
//! The library does the work; the `borderwatch` binary ([`cli`]) parses arguments and calls it.
//! One module per stage:
//! - [`gazetteer`]: the places, read from `gazetteer.csv` (bundled in the binary);
//! - [`geocode`]: messy names to ranked candidates, with ambiguity flagged;
//! - [`spatial`]: WGS84 geodesy and distance to a line;
//! - [`reference`](mod@reference): the bundled border, country and district layers, and
//!   "where is this point";
//! - [`incidents`]: incident tables (our CSV, ACLED, UCDP, users' own) read with nothing lost;
//! - [`index`]: R-tree proximity queries, exact on the WGS84 ellipsoid;
//! - [`extract`]: news articles to draft incidents, each tied to its sentence;
//! - [`export`]: GeoJSON / GeoJSON sequence / CSV layers, streamed;
//! - [`atomic`]: every output file is written atomically.

pub mod atomic;
pub mod cli;
pub mod db;
pub mod error;
pub mod export;
pub mod extract;
pub mod gazetteer;
pub mod geocode;
pub mod incidents;
pub mod index;
pub mod progress;
pub mod reference;
pub mod render;
pub mod spatial;
pub mod untrusted;
pub mod web;

#[cfg(test)]
mod testing;

pub use error::{Error, Problem};
