//! `borderwatch export` and `borderwatch pack`: layers as files, with a manifest.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::args::{FilterArgs, IncidentArgs, SizeArgs};
use super::args::{FormatArg, LayerArg, layers};
use super::output::{map_data, write_image, write_map};
use crate::atomic::write_atomically;
use crate::error::Error;
use crate::export::{Context, FeatureWriter, Format, Layer, Sizes, write_layer};
use crate::gazetteer::Gazetteer;
use crate::incidents::IncidentTable;
use crate::index::IncidentIndex;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Layers to write.
    #[arg(value_enum, required = true, value_name = "LAYER")]
    layers: Vec<LayerArg>,
    #[command(flatten)]
    options: LayerArgs,
}

/// Options shared by `export` and `pack`.
#[derive(Debug, clap::Args)]
pub struct LayerArgs {
    /// A folder (one LAYER.EXT per layer plus layers.json), a file (one layer), or - for
    /// standard output (one layer). Default: - for one layer.
    #[arg(long, value_name = "DIR|FILE|-")]
    out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = FormatArg::Geojson)]
    format: FormatArg,
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

impl LayerArgs {
    /// The encoding of the layers.
    fn format(&self) -> Format {
        self.format.into()
    }
}

pub fn run(args: Args) -> Result<i32, Error> {
    write_layers(&layers(&args.layers), &args.options)
}

/// `borderwatch pack`: the map pack in a folder (default out): every layer in layers/, the
/// web map in web/ and as the single file map.html, and the briefing image map.png.
pub fn pack(mut options: LayerArgs) -> Result<i32, Error> {
    let root = options.out.take().unwrap_or_else(|| PathBuf::from("out"));
    options.out = Some(root.join("layers"));
    let sizes = options.sizes.sizes()?;
    let table = options.incidents.load()?;
    write_layers_of(&table, &Layer::ALL, &options, sizes)?;
    let map = map_data(&table, &options.filters, crate::web::DEFAULT_TITLE, sizes)?;
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

/// Writes `layers` as `options` say; returns the exit code.
pub fn write_layers(layers: &[Layer], options: &LayerArgs) -> Result<i32, Error> {
    let sizes = options.sizes.sizes()?;
    if layers == [Layer::Incidents] {
        return stream_incidents(options);
    }
    let table = options.incidents.load()?;
    write_layers_of(&table, layers, options, sizes)
}

/// Writes `layers` of the loaded `table` as `options` say, buffer, segments and grid of
/// `sizes`.
fn write_layers_of(
    table: &IncidentTable,
    layers: &[Layer],
    options: &LayerArgs,
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
    let precision = options.precision as usize;
    let out = options.out.clone().unwrap_or_else(|| PathBuf::from("-"));
    let to_folder = layers.len() > 1 || out.is_dir() || out.to_string_lossy().ends_with('/');
    if out.as_os_str() == "-" {
        if layers.len() > 1 {
            return Err(Error::Usage(
                "several layers need --out DIR (one file each)".into(),
            ));
        }
        let writer = FeatureWriter::new(
            std::io::BufWriter::new(std::io::stdout()),
            options.format(),
            precision,
        )
        .map_err(Error::output)?;
        write_layer(layers[0], &context, writer).map_err(Error::output)?;
        return Ok(0);
    }
    if !to_folder {
        let (count, _) = write_file(&out, layers[0], &context, options.format(), precision)?;
        eprintln!("borderwatch: {}: {count} features", out.display());
        return Ok(0);
    }
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let mut entries = Vec::new();
    for &layer in layers {
        let name = format!("{}.{}", layer.name(), options.format().extension());
        let path = out.join(&name);
        let (count, bbox) = write_file(&path, layer, &context, options.format(), precision)?;
        eprintln!("borderwatch: {}: {count} features", path.display());
        let mut entry = json!({
            "layer": layer.name(),
            "file": name,
            "format": format!("{:?}", options.format()).to_lowercase(),
            "features": count,
            "bbox": if bbox.is_empty() { Value::Null } else { json!(bbox.0) },
            "sources": layer.sources(),
        });
        match layer {
            Layer::Buffer => entry["km"] = json!(sizes.buffer_km),
            Layer::Segments => {
                entry["km"] = json!(sizes.segment_km);
                entry["border_km"] = json!(sizes.segment_border_km);
            }
            Layer::Grid => entry["km"] = json!(sizes.grid_km),
            _ => {}
        }
        entries.push(entry);
    }
    let manifest = json!({
        "generator": format!("borderwatch {}", env!("CARGO_PKG_VERSION")),
        "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "crs": "EPSG:4326 (WGS84 longitude, latitude), RFC 7946",
        "incidents": options.incidents.describe(),
        "filters": filter.describe(),
        "counts": table.counts(),
        "layers": entries,
    });
    let manifest_path = out.join("layers.json");
    write_atomically(&manifest_path, |w| {
        serde_json::to_writer_pretty(&mut *w, &manifest).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })?;
    Ok(0)
}

/// The incidents layer alone streams from the input to the output block by block: memory
/// stays flat for any number of incidents.
fn stream_incidents(options: &LayerArgs) -> Result<i32, Error> {
    let filter = options.filters.filter()?;
    let precision = options.precision as usize;
    let out = options.out.clone().unwrap_or_else(|| PathBuf::from("-"));
    let run = |w: &mut (dyn std::io::Write + Send)| -> Result<usize, Error> {
        let mut writer = FeatureWriter::new(w, options.format(), precision)
            .map_err(Error::output)?
            .named("incidents");
        options.incidents.stream(&mut |block| {
            let index = IncidentIndex::unindexed(block);
            crate::export::write_incidents(&index, &filter, &mut writer)
        })?;
        let (count, _) = writer.finish().map_err(Error::output)?;
        Ok(count)
    };
    if out.as_os_str() == "-" {
        let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
        run(&mut stdout)?;
        return Ok(0);
    }
    let path = if out.is_dir() || out.to_string_lossy().ends_with('/') {
        std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
        out.join(format!("incidents.{}", options.format().extension()))
    } else {
        out
    };
    // Errors of the layer (bad input) are reported as themselves, not as a failed write.
    let mut outcome: Option<Result<usize, Error>> = None;
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
    let count = outcome.unwrap_or_else(|| Err(Error::Usage("nothing written".into())))?;
    written?;
    eprintln!("borderwatch: {}: {count} features", path.display());
    Ok(0)
}

fn write_file(
    path: &Path,
    layer: Layer,
    context: &Context,
    format: Format,
    precision: usize,
) -> Result<(usize, crate::export::Bbox), Error> {
    let mut result = None;
    write_atomically(path, |w| {
        let writer = FeatureWriter::new(w, format, precision)?.named(layer.name());
        result = Some(write_layer(layer, context, writer)?);
        Ok(())
    })?;
    Ok(result.expect("written"))
}
