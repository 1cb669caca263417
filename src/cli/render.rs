//! `borderwatch render`: a briefing image (PNG or SVG) of incidents on our basemap.

use std::path::PathBuf;

use geo::Point;

use super::args::{FilterArgs, IncidentArgs, parse_km, resolve_place};
use super::output::{image_extension, write_image};
use crate::error::Error;
use crate::render::{Options, View};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The image: FILE.png or FILE.svg.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    image: ImageArgs,
}

/// What the image shows and how: shared by `render` and `pack`.
#[derive(Debug, clap::Args)]
pub struct ImageArgs {
    /// Centre the map on a place (or LAT,LON) and draw the incidents within --km of it.
    #[arg(long, value_name = "PLACE", requires = "km", conflicts_with = "bbox")]
    around: Option<String>,
    /// Radius around --around, in km (geodesic).
    #[arg(long, value_name = "R", value_parser = parse_km)]
    km: Option<f64>,
    /// Settle an ambiguous --around place by its province.
    #[arg(long, value_name = "NAME")]
    admin1: Option<String>,
    /// Show a lon/lat box: WEST,SOUTH,EAST,NORTH. Default: fit the incidents.
    #[arg(long, value_name = "W,S,E,N", value_parser = parse_bbox, allow_hyphen_values = true)]
    bbox: Option<[f64; 4]>,
    /// The title.
    #[arg(long, default_value = crate::web::DEFAULT_TITLE)]
    title: String,
    /// The subtitle (default: dates, counts and filters).
    #[arg(long)]
    subtitle: Option<String>,
    /// Width in pixels.
    #[arg(long, default_value_t = 1600, value_parser = clap::value_parser!(u32).range(400..=8000))]
    width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 1100, value_parser = clap::value_parser!(u32).range(300..=8000))]
    height: u32,
    /// Pixel density of the PNG (2 for print and high-density screens).
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    scale: f32,
    /// Place labels: placed without collisions (auto) or none.
    #[arg(long, value_enum, default_value_t = Labels::Auto)]
    labels: Labels,
    #[command(flatten)]
    filters: FilterArgs,
    #[command(flatten)]
    incidents: IncidentArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Labels {
    Auto,
    None,
}

pub fn run(args: Args) -> Result<i32, Error> {
    image_extension(&args.out)?;
    let table = args.image.incidents.load()?;
    let options = options(&args.image)?;
    let filter = args.image.filters.filter()?;
    let drawn = write_image(&table, &filter, &options, args.image.scale, &args.out)?;
    // The image is written either way (a basemap of the area is still a map); the exit
    // code says whether any incident was found, as `near` and `bbox` do.
    Ok(if drawn == 0 { 1 } else { 0 })
}

/// The image's drawing options from the command line.
fn options(args: &ImageArgs) -> Result<Options, Error> {
    let view = match (&args.around, args.km, args.bbox) {
        (Some(place), Some(km), _) => View::Around {
            centre: point_or_place(place, args)?,
            km,
            name: place.clone(),
        },
        (_, _, Some(bbox)) => View::Bbox(bbox),
        _ => View::Fit,
    };
    Ok(Options {
        view,
        width: args.width,
        height: args.height,
        title: args.title.clone(),
        subtitle: args.subtitle.clone(),
        labels: args.labels == Labels::Auto,
    })
}

/// LAT,LON as given, or a place through the geocoder.
fn point_or_place(text: &str, args: &ImageArgs) -> Result<Point, Error> {
    let numbers: Vec<f64> = text
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    if let [lat, lon] = numbers[..]
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
    {
        return Ok(Point::new(lon, lat));
    }
    resolve_place(
        "around",
        text,
        args.filters.first_country(),
        args.admin1.clone(),
    )
}

fn parse_bbox(text: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = text
        .split(',')
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .map_err(|_| format!("{s:?} is not a number"))
        })
        .collect::<Result<_, _>>()?;
    match v[..] {
        [w, s, e, n]
            if w < e
                && s < n
                && (-180.0..=180.0).contains(&w)
                && (-180.0..=180.0).contains(&e)
                && (-90.0..=90.0).contains(&s)
                && (-90.0..=90.0).contains(&n) =>
        {
            Ok([w, s, e, n])
        }
        [_, _, _, _] => Err("expected WEST < EAST and SOUTH < NORTH, in degrees".into()),
        _ => Err("expected four numbers: WEST,SOUTH,EAST,NORTH".into()),
    }
}

fn parse_scale(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(s) if (0.25..=8.0).contains(&s) => Ok(s),
        _ => Err("expected a number from 0.25 to 8".into()),
    }
}
