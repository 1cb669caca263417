//! `borderwatch export` and `borderwatch pack`: layers as files, with a manifest.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::args::{FilterArgs, IncidentArgs, SizeArgs};
use super::args::{FormatArg, LayerArg, layers};
use super::output::{map_data, write_image, write_map};
use crate::atomic::write_atomically;
use crate::error::Error;
use crate::export::{
    Context, EXTENSIONS, FeatureWriter, Format, Layer, Sizes, Written, unlocated_kept_out,
    write_layer,
};
use crate::gazetteer::Gazetteer;
use crate::incidents::{Counts, IncidentTable};
use crate::index::{Filter, IncidentIndex};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Layers to write.
    #[arg(value_enum, required = true, value_name = "LAYER")]
    layers: Vec<LayerArg>,
    /// A folder (existing, or ending in /: one LAYER.EXT per layer plus layers.json), a file
    /// (one layer; its extension gives the format), or - for standard output (one layer;
    /// FlatGeobuf and GeoParquet only when redirected). Default: - for one layer.
    #[arg(long, value_name = "DIR|FILE|-")]
    out: Option<PathBuf>,
    /// The encoding. Default: the one --out's extension names (.geojson/.json, .geojsons,
    /// .csv, .fgb, .parquet/.geoparquet), else GeoJSON. Given, it is followed, with a
    /// warning when the extension names another format.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    #[command(flatten)]
    options: LayerArgs,
}

/// `borderwatch pack`'s arguments.
#[derive(Debug, clap::Args)]
pub struct PackArgs {
    /// The pack's folder: layers/ (one LAYER.EXT per layer and layers.json), web/ (the web
    /// map as a static site), map.html (the same map as one file) and map.png (the briefing
    /// image).
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// The encoding of the files in layers/.
    #[arg(long, value_enum, default_value_t = FormatArg::Geojson)]
    format: FormatArg,
    #[command(flatten)]
    options: LayerArgs,
}

/// Options shared by `export` and `pack`: what the layers hold.
#[derive(Debug, clap::Args)]
pub struct LayerArgs {
    /// Decimals of coordinates (6 ≈ 0.1 m).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(0..=15))]
    precision: u8,
    #[command(flatten)]
    sizes: SizeArgs,
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    incidents: IncidentArgs,
}

/// Where layers go.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// Standard output: one layer.
    Stdout,
    /// One file: one layer.
    File(PathBuf),
    /// A folder: a file per layer and the manifest, layers.json.
    Folder(PathBuf),
}

impl Target {
    /// Where `--out` (absent: standard output) sends `layers` layers.
    fn of(out: Option<&Path>, layers: usize) -> Result<Target, Error> {
        let out = out.unwrap_or(Path::new("-"));
        if out.as_os_str() == "-" {
            if layers > 1 {
                return Err(Error::Usage(
                    "several layers need --out DIR (one file each)".into(),
                ));
            }
            return Ok(Target::Stdout);
        }
        Ok(
            if layers > 1 || out.is_dir() || out.to_string_lossy().ends_with('/') {
                Target::Folder(out.to_path_buf())
            } else {
                Target::File(out.to_path_buf())
            },
        )
    }
}

/// Where and how layers are written.
struct Output {
    target: Target,
    format: Format,
    /// Decimals of coordinates.
    precision: usize,
}

/// The format of layers written to `target`: `given` (--format) when there is one, else the
/// one the file's extension names, else GeoJSON. A file whose extension names no format
/// needs --format; a binary format is not written to a terminal.
fn format_for(given: Option<FormatArg>, target: &Target) -> Result<Format, Error> {
    let given = given.map(Format::from);
    let format = match target {
        Target::File(path) => {
            let named = path
                .extension()
                .and_then(|e| e.to_str())
                .and_then(Format::from_extension);
            match (given, named) {
                (Some(given), Some(named)) if given != named => {
                    eprintln!(
                        "borderwatch: warning: {}: writing {} as --format says, though the \
                         extension names {}",
                        path.display(),
                        given.name(),
                        named.name()
                    );
                    given
                }
                (Some(format), _) | (None, Some(format)) => format,
                (None, None) => return Err(Error::Usage(unknown_extension(path))),
            }
        }
        Target::Stdout | Target::Folder(_) => given.unwrap_or(Format::Geojson),
    };
    if target == &Target::Stdout && format.is_binary() && std::io::stdout().is_terminal() {
        return Err(Error::Usage(format!(
            "{} is binary and standard output is a terminal: write it with --out FILE.{}, or \
             redirect standard output to a file",
            format.name(),
            format.extension()
        )));
    }
    Ok(format)
}

/// Why the format of `path` is unknown, and the extensions that name one.
fn unknown_extension(path: &Path) -> String {
    // The extensions of each format together: ".parquet or .geoparquet (GeoParquet)".
    let mut known: Vec<(Format, Vec<String>)> = Vec::new();
    for &(extension, format) in &EXTENSIONS {
        match known.last_mut() {
            Some((f, names)) if *f == format => names.push(format!(".{extension}")),
            _ => known.push((format, vec![format!(".{extension}")])),
        }
    }
    let known: Vec<String> = known
        .iter()
        .map(|(f, names)| format!("{} ({})", names.join(" or "), f.name()))
        .collect();
    format!(
        "{}: the extension names no format we write: use one of {}, or give --format (a \
         folder ends in /)",
        path.display(),
        known.join(", ")
    )
}

pub fn run(args: Args) -> Result<i32, Error> {
    let layers = layers(&args.layers);
    let target = Target::of(args.out.as_deref(), layers.len())?;
    let output = Output {
        format: format_for(args.format, &target)?,
        target,
        precision: args.options.precision as usize,
    };
    let sizes = args.options.sizes.sizes()?;
    if layers == [Layer::Incidents] {
        return stream_incidents(&args.options, &output);
    }
    let table = args.options.incidents.load()?;
    write_layers_of(&table, &layers, &args.options, &output, sizes)
}

/// `borderwatch pack`: the map pack in a folder (default out): every layer in layers/, the
/// web map in web/ and as the single file map.html, and the briefing image map.png.
pub fn pack(args: PackArgs) -> Result<i32, Error> {
    let root = args.out;
    if root.as_os_str() == "-" {
        return Err(Error::Usage(
            "--out -: a pack is a folder (layers/, web/, map.html, map.png), not a stream: \
             name a folder (default out)"
                .into(),
        ));
    }
    if root.exists() && !root.is_dir() {
        return Err(Error::Usage(format!(
            "--out {}: a file, and a pack is a folder: name a folder (default out)",
            root.display()
        )));
    }
    let options = args.options;
    let output = Output {
        target: Target::Folder(root.join("layers")),
        format: args.format.into(),
        precision: options.precision as usize,
    };
    let sizes = options.sizes.sizes()?;
    let table = options.incidents.load()?;
    write_layers_of(&table, &Layer::ALL, &options, &output, sizes)?;
    let map = map_data(
        &table,
        &options.filters,
        crate::web::DEFAULT_TITLE,
        sizes,
        true,
    )?;
    write_map(&map, Some(&root.join("web")), Some(&root.join("map.html")))?;
    let image = crate::render::Options {
        view: crate::render::View::Fit,
        width: 1600,
        height: 1100,
        title: crate::web::DEFAULT_TITLE.into(),
        subtitle: None,
        labels: true,
    };
    write_image(
        &table,
        &options.filters.filter()?,
        &image,
        1.0,
        &root.join("map.png"),
    )?;
    Ok(0)
}

/// Writes `layers` of the loaded `table` to `output`, buffer, segments and grid of `sizes`.
fn write_layers_of(
    table: &IncidentTable,
    layers: &[Layer],
    options: &LayerArgs,
    output: &Output,
    sizes: Sizes,
) -> Result<i32, Error> {
    let index = IncidentIndex::new(table);
    let gazetteer = Gazetteer::bundled();
    let filter = options.filters.filter()?;
    let context = Context {
        index: &index,
        filter: &filter,
        gazetteer: &gazetteer,
        sizes,
    };
    let (format, precision) = (output.format, output.precision);
    let kept_out = unlocated_kept_out(&index, &filter);
    match &output.target {
        Target::Stdout => {
            let writer = FeatureWriter::new(
                std::io::BufWriter::new(std::io::stdout()),
                format,
                precision,
            )
            .map_err(Error::output)?;
            let written = write_layer(layers[0], &context, writer).map_err(Error::output)?;
            let report = Report::of(layers[0], written, kept_out, &filter);
            report.tell(None, format, LISTS_UNLOCATED);
        }
        Target::File(path) => {
            let written = write_file(path, layers[0], &context, format, precision)?;
            let report = Report::of(layers[0], written, kept_out, &filter);
            report.tell(Some(path), format, LISTS_UNLOCATED);
        }
        Target::Folder(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            let mut reports = Vec::new();
            for &layer in layers {
                let path = dir.join(format!("{}.{}", layer.name(), format.extension()));
                let written = write_file(&path, layer, &context, format, precision)?;
                let report = Report::of(layer, written, kept_out, &filter);
                report.tell(Some(&path), format, "see layers.json");
                reports.push(report);
            }
            let manifest = Manifest {
                dir,
                format,
                sizes,
                filter: &filter,
                counts: table.counts(),
            };
            manifest.write(&reports, options)?;
        }
    }
    Ok(0)
}

/// What was written of one layer, and what of it was not and why.
struct Report {
    layer: Layer,
    written: Written,
    /// Incidents without coordinates kept out only by filters that need a position.
    kept_out: usize,
    /// The flags of those filters, for the message.
    position_flags: String,
}

impl Report {
    /// The report of `layer`; `kept_out` counts only for the incidents layer.
    fn of(layer: Layer, written: Written, kept_out: usize, filter: &Filter) -> Report {
        let flags: Vec<&str> = [
            filter.border_km.map(|_| "--border-km"),
            filter.side.map(|_| "--side"),
        ]
        .into_iter()
        .flatten()
        .collect();
        Report {
            layer,
            written,
            kept_out: if layer == Layer::Incidents {
                kept_out
            } else {
                0
            },
            position_flags: flags.join(" and "),
        }
    }

    /// Tells on stderr how many features `path` (None: standard output, which gets no
    /// count) has and how many have no geometry, then what was not written and why; `more`
    /// says where to read about those.
    fn tell(&self, path: Option<&Path>, format: Format, more: &str) {
        let w = &self.written;
        let name = path.map_or("standard output".into(), |p| p.display().to_string());
        if path.is_some() {
            let without = match w.unlocated {
                0 => String::new(),
                n => format!(", {n} of them without geometry (no coordinates)"),
            };
            let n = w.features();
            let s = if n == 1 { "" } else { "s" };
            eprintln!("borderwatch: {name}: {n} feature{s}{without}");
        }
        if w.left_out > 0 {
            let why = format
                .no_null_geometry()
                .unwrap_or("the web map lists them apart");
            eprintln!(
                "borderwatch: {name}: {} not written: {why}; {more}",
                unlocated_incidents(w.left_out)
            );
        }
        if self.kept_out > 0 {
            eprintln!(
                "borderwatch: {name}: {} left out by {}: without coordinates, the distance \
                 to the border and the side are unknown",
                unlocated_incidents(self.kept_out),
                self.position_flags
            );
        }
    }
}

/// Where to read about unlocated incidents when there is no manifest.
const LISTS_UNLOCATED: &str = "`borderwatch incidents check` lists the unlocated rows";

/// "1 unlocated incident", "2 unlocated incidents".
fn unlocated_incidents(n: usize) -> String {
    format!("{n} unlocated incident{}", if n == 1 { "" } else { "s" })
}

/// The manifest of a folder of layers, `layers.json`.
struct Manifest<'a> {
    dir: &'a Path,
    format: Format,
    sizes: Sizes,
    filter: &'a Filter,
    /// The account of the incidents read.
    counts: Counts,
}

impl Manifest<'_> {
    /// Writes the manifest of the layers of `reports`.
    fn write(&self, reports: &[Report], options: &LayerArgs) -> Result<(), Error> {
        let layers: Vec<Value> = reports.iter().map(|r| self.entry(r)).collect();
        let manifest = json!({
            "generator": format!("borderwatch {}", env!("CARGO_PKG_VERSION")),
            "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "crs": "EPSG:4326 (WGS84 longitude, latitude), RFC 7946",
            "incidents": options.incidents.describe(),
            "filters": self.filter.describe(),
            "counts": self.counts,
            "layers": layers,
        });
        write_atomically(&self.dir.join("layers.json"), |w| {
            serde_json::to_writer_pretty(&mut *w, &manifest).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        })?;
        Ok(())
    }

    /// One layer's entry: its file, the features with and without a geometry, the bbox of
    /// those with one, its sizes and sources; for the incidents layer, the incidents read
    /// but not written and why, so that every row read is accounted for.
    fn entry(&self, report: &Report) -> Value {
        let (layer, format, w) = (report.layer, self.format, &report.written);
        let mut entry = json!({
            "layer": layer.name(),
            "file": format!("{}.{}", layer.name(), format.extension()),
            "format": format!("{format:?}").to_lowercase(),
            "features": w.features(),
            "with_geometry": w.located,
            "without_geometry": w.unlocated,
            "bbox": if w.bbox.is_empty() { Value::Null } else { json!(w.bbox.0) },
            "sources": layer.sources(),
        });
        let sizes = self.sizes;
        match layer {
            Layer::Incidents => {
                let c = self.counts;
                entry["not_written"] = json!(w.left_out);
                if let Some(why) = format.no_null_geometry().filter(|_| w.left_out > 0) {
                    entry["not_written_why"] = json!(why);
                }
                let kept = c.indexed + c.unlocated;
                entry["filtered_out"] = json!(kept - w.features() - w.left_out);
                entry["filtered_out_for_no_position"] = json!(report.kept_out);
            }
            Layer::Buffer => entry["km"] = json!(sizes.buffer_km),
            Layer::Segments => {
                entry["km"] = json!(sizes.segment_km);
                entry["border_km"] = json!(sizes.segment_border_km);
            }
            Layer::Grid => entry["km"] = json!(sizes.grid_km),
            _ => {}
        }
        entry
    }
}

/// The incidents layer alone streams from the input to the output block by block: memory
/// stays flat for any number of incidents.
fn stream_incidents(options: &LayerArgs, output: &Output) -> Result<i32, Error> {
    let filter = options.filters.filter()?;
    let (format, precision) = (output.format, output.precision);
    // What the layer holds, the incidents a position filter kept out, and the account.
    let run = |w: &mut (dyn std::io::Write + Send)| -> Result<(Written, usize, Counts), Error> {
        let mut writer = FeatureWriter::new(w, format, precision)
            .map_err(Error::output)?
            .named("incidents");
        let mut kept_out = 0;
        let account = options.incidents.stream(&mut |block| {
            let index = IncidentIndex::unindexed(block);
            kept_out += unlocated_kept_out(&index, &filter);
            crate::export::write_incidents(&index, &filter, &mut writer)
        })?;
        let written = writer.finish().map_err(Error::output)?;
        Ok((written, kept_out, account.counts()))
    };
    let (path, dir) = match &output.target {
        Target::Stdout => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
            let (written, kept_out, _) = run(&mut stdout)?;
            let report = Report::of(Layer::Incidents, written, kept_out, &filter);
            report.tell(None, format, LISTS_UNLOCATED);
            return Ok(0);
        }
        Target::File(path) => (path.clone(), None),
        Target::Folder(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            (
                dir.join(format!("incidents.{}", format.extension())),
                Some(dir),
            )
        }
    };
    // Errors of the layer (bad input) are reported as themselves, not as a failed write.
    let mut outcome = None;
    let written = write_atomically(&path, |w| {
        let result = run(w);
        let failed = result.is_err();
        outcome = Some(result);
        if failed {
            Err(std::io::Error::other("layer not written"))
        } else {
            Ok(())
        }
    });
    let (layer, kept_out, counts) =
        outcome.unwrap_or_else(|| Err(Error::Usage("nothing written".into())))?;
    written?;
    let report = Report::of(Layer::Incidents, layer, kept_out, &filter);
    let Some(dir) = dir else {
        report.tell(Some(&path), format, LISTS_UNLOCATED);
        return Ok(0);
    };
    report.tell(Some(&path), format, "see layers.json");
    let manifest = Manifest {
        dir,
        format,
        sizes: options.sizes.sizes()?,
        filter: &filter,
        counts,
    };
    manifest.write(&[report], options)?;
    Ok(0)
}

fn write_file(
    path: &Path,
    layer: Layer,
    context: &Context,
    format: Format,
    precision: usize,
) -> Result<Written, Error> {
    let mut result = None;
    write_atomically(path, |w| {
        let writer = FeatureWriter::new(w, format, precision)?.named(layer.name());
        result = Some(write_layer(layer, context, writer)?);
        Ok(())
    })?;
    Ok(result.expect("written"))
}
