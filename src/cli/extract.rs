//! `borderwatch extract`: draft incidents (or place mentions) from news articles.

use std::io::Read;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::args::Format;
use super::output::{clean, print_table};
use crate::error::Error;
use crate::extract::{Draft, Options, extract, merge::merge, toponyms::Mention};
use crate::incidents::date::{display_date, parse_date};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Article text files or folders of them (their .txt files); - reads standard input.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Keep the drafts of several reports apart even when they describe the same event.
    #[arg(long)]
    no_merge: bool,
    /// Publication date (YYYY-MM-DD): anchors "November 19", "on Wednesday", "last month".
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    published: Option<NaiveDate>,
    /// List every place mention instead of drafting incidents.
    #[arg(long)]
    toponyms: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    parse_date(text)?
        .map(|(d, _)| d)
        .ok_or_else(|| "empty date".into())
}

/// The longest text read as one article: far past any news article, short of what would
/// strain memory (the text is held with its folded copy and offsets).
const MAX_ARTICLE_BYTES: u64 = 256 << 20;

fn read(path: &PathBuf) -> Result<(String, String), Error> {
    let (origin, bytes) = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_ARTICLE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| Error::Io {
                path: "standard input".into(),
                source,
            })?;
        ("stdin".to_string(), bytes)
    } else {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut bytes = Vec::new();
        file.take(MAX_ARTICLE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        (path.display().to_string(), bytes)
    };
    if bytes.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(Error::Usage(format!(
            "{origin}: longer than {} MB: not one article (split it, or extract from its parts)",
            MAX_ARTICLE_BYTES >> 20
        )));
    }
    if bytes.contains(&0) {
        return Err(Error::Usage(format!(
            "{origin}: binary data, not an article text"
        )));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("borderwatch: {origin}: not valid UTF-8; undecodable bytes replaced");
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    Ok((origin, text))
}

/// The files to read: each argument, or the `.txt` files of a folder, in name order.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| Error::io(path, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect();
            inside.sort();
            if inside.is_empty() {
                return Err(Error::Usage(format!(
                    "{}: a folder without .txt articles",
                    path.display()
                )));
            }
            out.extend(inside);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

pub fn run(mut args: Args) -> Result<i32, Error> {
    let options = Options {
        published: args.published,
    };
    args.files = expand(&args.files)?;
    let mut drafts: Vec<Draft> = Vec::new();
    let mut mentions: Vec<(String, Mention)> = Vec::new();
    // A progress bar on stderr for many files; indicatif draws nothing when stderr is not a
    // terminal, so pipes and logs stay clean.
    let progress = if args.files.len() > 1 {
        indicatif::ProgressBar::new(args.files.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} articles {wide_msg}")
            .expect("valid template"),
    );
    for path in &args.files {
        progress.set_message(path.display().to_string());
        let (origin, text) = read(path)?;
        let (d, m) = extract(&text, &origin, &options);
        if d.is_empty() && !args.toponyms {
            progress.suspend(|| eprintln!("borderwatch: {origin}: {}", why_no_draft(&m)));
        }
        drafts.extend(d);
        mentions.extend(m.into_iter().map(|m| (origin.clone(), m)));
        progress.inc(1);
    }
    progress.finish_and_clear();
    if !args.no_merge && args.files.len() > 1 {
        drafts = merge(drafts);
    }
    if args.toponyms {
        write_mentions(&mentions, args.format)?;
        return Ok(if mentions.is_empty() { 1 } else { 0 });
    }
    write_drafts(&drafts, args.format)?;
    Ok(if drafts.is_empty() { 1 } else { 0 })
}

/// Why an article gave no draft, in words a user can act on.
fn why_no_draft(mentions: &[Mention]) -> String {
    let resolved = mentions
        .iter()
        .filter(|m| m.status == crate::geocode::Status::Resolved)
        .count();
    if mentions.is_empty() {
        "no draft: the text names no place the gazetteer knows, and an incident needs a place"
            .into()
    } else {
        format!(
            "no draft: {} place mentions ({resolved} resolved), but no sentence reports an \
             incident (an attack, a clash, an arrest, a seizure...) with a date or a place of \
             its own; --toponyms lists the places",
            mentions.len()
        )
    }
}

fn write_mentions(mentions: &[(String, Mention)], format: Format) -> Result<(), Error> {
    match format {
        Format::Json => {
            for (origin, m) in mentions {
                let mut value = serde_json::to_value(m).expect("serialisable");
                value["file"] = origin.clone().into();
                println!("{value}");
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "file",
                "mention",
                "start",
                "end",
                "status",
                "id",
                "name",
                "kind",
                "country",
                "admin1",
                "lat",
                "lon",
                "precision",
                "reason",
            ])
            .map_err(Error::output)?;
            for (origin, m) in mentions {
                let opt = |v: Option<String>| v.unwrap_or_default();
                w.write_record([
                    origin.clone(),
                    m.mention.clone(),
                    m.start.to_string(),
                    m.end.to_string(),
                    m.status.as_str().into(),
                    opt(m.id.clone()),
                    opt(m.name.clone()),
                    opt(m.kind.map(|k| k.to_string())),
                    opt(m.country.clone()),
                    opt(m.admin1.clone()),
                    opt(m.lat.map(|x| x.to_string())),
                    opt(m.lon.map(|x| x.to_string())),
                    opt(m.precision.map(|x| x.to_string())),
                    m.reason.clone(),
                ])
                .map_err(Error::output)?;
            }
            w.flush().map_err(Error::output)?;
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = mentions
                .iter()
                .map(|(_, m)| {
                    vec![
                        m.mention.clone(),
                        m.start.to_string(),
                        m.status.as_str().into(),
                        m.name.clone().unwrap_or_default(),
                        m.kind.map(|k| k.to_string()).unwrap_or_default(),
                        m.country.clone().unwrap_or_default(),
                        m.admin1.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "mention", "at", "status", "place", "kind", "country", "admin1",
                ],
                &rows,
            );
        }
    }
    Ok(())
}

fn write_drafts(drafts: &[Draft], format: Format) -> Result<(), Error> {
    match format {
        Format::Json => {
            for d in drafts {
                println!("{}", serde_json::to_string(d).expect("serialisable"));
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            for d in drafts {
                w.serialize(d).map_err(Error::output)?;
            }
            w.flush().map_err(Error::output)?;
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = drafts
                .iter()
                .map(|d| {
                    let evidence: String = d.evidence.chars().take(70).collect();
                    vec![
                        d.event_id_cnty.clone(),
                        d.event_date.map_or_else(
                            || "unknown".into(),
                            |x| display_date(x, d.time_precision),
                        ),
                        d.event_type.clone(),
                        d.location.clone(),
                        d.admin1.clone(),
                        d.fatalities.map_or_else(|| "-".into(), |f| f.to_string()),
                        d.geo_precision.map_or_else(String::new, |p| p.to_string()),
                        format!("{:.2}", d.confidence),
                        clean(&evidence).into_owned(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "id", "date", "type", "location", "admin1", "killed", "prec", "conf",
                    "evidence",
                ],
                &rows,
            );
        }
    }
    Ok(())
}
