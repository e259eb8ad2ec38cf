//! The registry-cache plots, drawn with plotters to SVG on the server, each with a text
//! alternative saying the same in words. plotters' SVG backend escapes every text and
//! attribute it writes (`<`, `>`, `&`, quotes), so registry and FeatureStore names, which are
//! user text, cannot inject markup; a test checks this.

use plotters::prelude::*;

use app::backend::error_chain;
use app::cache::api::{format_bytes, format_ms, PlotView};
use app::cache::storm::{timeline, RefreshEvent};
use app::cache::DeploymentCache;

use super::store::Sample;
use crate::recovery::plot::DrawError;

const SIZE: (u32, u32) = (760, 300);
/// The timeline draws at most this many copies (rows); the text gives the full count.
const MAX_ROWS: usize = 40;
const HORIZON_SECONDS: f64 = 600.0;
const BLOCKING: RGBColor = RGBColor(200, 40, 40);
const BACKGROUND: RGBColor = RGBColor(40, 100, 200);
const MIB: f64 = 1024.0 * 1024.0;

type Drawn = Result<(), DrawError>;

fn render(
    draw: impl FnOnce(DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn,
) -> Result<String, DrawError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        draw(root.clone())?;
        root.present()?;
    }
    Ok(svg)
}

fn plot(id: &str, title: String, text: String, svg: Result<String, DrawError>) -> PlotView {
    match svg {
        Ok(svg) => PlotView {
            id: id.into(),
            title,
            svg: Some(svg),
            text,
            error: None,
        },
        Err(e) => PlotView {
            id: id.into(),
            title,
            svg: None,
            text,
            error: Some(format!("cannot draw the plot: {}", error_chain(&e))),
        },
    }
}

/// Load time of each probe of one registry, oldest first; failed probes marked on the axis.
pub fn load_history(registry: &str, samples: &[Sample]) -> PlotView {
    let title = format!("Full-load time of registry {registry}");
    let ok: Vec<f64> = samples.iter().filter_map(|s| s.load_ms).collect();
    let failed = samples.iter().filter(|s| !s.ok()).count();
    let text = if samples.is_empty() {
        format!("Registry {registry} has not been probed yet.")
    } else {
        let mut sorted = ok.clone();
        sorted.sort_by(f64::total_cmp);
        let stats = match (sorted.first(), sorted.last()) {
            (Some(min), Some(max)) => format!(
                "median {}, fastest {}, slowest {}",
                format_ms(sorted[sorted.len() / 2]),
                format_ms(*min),
                format_ms(*max)
            ),
            _ => "no successful load".to_string(),
        };
        let last = samples.last().map(|s| match (&s.error, s.load_ms) {
            (Some(e), _) => format!(" The latest probe failed: {e}."),
            (None, Some(ms)) => format!(" The latest took {}.", format_ms(ms)),
            _ => String::new(),
        });
        format!(
            "{} probes of registry {registry}: {stats}; {failed} failed.{}",
            samples.len(),
            last.unwrap_or_default()
        )
    };
    let y_max = ok.iter().copied().fold(1.0, f64::max) * 1.2;
    let n = samples.len().max(2) as f64;
    let svg = render(|root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..n - 1.0, 0f64..y_max)?;
        chart
            .configure_mesh()
            .max_light_lines(1)
            .x_labels(samples.len().clamp(2, 10))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc("probe (oldest to newest)")
            .y_desc("load time (ms)")
            .draw()?;
        let points: Vec<(f64, f64)> = samples
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.load_ms.map(|ms| (i as f64, ms)))
            .collect();
        chart.draw_series(LineSeries::new(points.clone(), &BACKGROUND))?;
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, BACKGROUND.filled())),
        )?;
        chart.draw_series(
            samples
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.ok())
                .map(|(i, _)| Cross::new((i as f64, 0.0), 5, BLOCKING.stroke_width(2))),
        )?;
        Ok(())
    });
    plot(&format!("history-{}", safe_id(registry)), title, text, svg)
}

/// The next ten minutes of registry reads of every copy, all started together (a rollout):
/// red bars are reads a request waits for (`sync` expiry), blue ones run in the background.
pub fn refresh_timeline(d: &DeploymentCache) -> PlotView {
    let title = format!(
        "Registry reads in the next 10 minutes: {}/{}",
        d.namespace, d.name
    );
    let load_ms = d.measure.as_ref().and_then(|m| m.load_ms);
    let mut rows: Vec<Vec<RefreshEvent>> = Vec::new();
    for server in &d.servers {
        let copies = server.copies.current.max(0) as usize;
        for (_, events) in group(
            timeline(
                &server.schedule,
                copies,
                load_ms.unwrap_or(0.0),
                HORIZON_SECONDS,
            ),
            copies,
        ) {
            if rows.len() < MAX_ROWS {
                rows.push(events);
            }
        }
    }
    let blocking_rounds = d
        .storm
        .blocking_seconds
        .map(|p| (HORIZON_SECONDS / p).floor() as i64);
    let text = if d.copies.current == 0 {
        format!(
            "{}/{} holds no registry copy, so nothing is re-read.",
            d.namespace, d.name
        )
    } else {
        let load = load_ms
            .map(format_ms)
            .unwrap_or_else(|| "an unmeasured time".into());
        let blocking = match (d.storm.blocking_seconds, blocking_rounds) {
            (Some(p), Some(rounds)) => format!(
                "{} copies expire together every {p} s ({}); each time, a request on every one of them waits {load} while the whole registry is re-read (red): the storm.",
                d.storm.aligned_copies,
                match rounds { 0 => "not within these 10 minutes".to_string(), 1 => "once in 10 minutes".to_string(), n => format!("{n} times in 10 minutes") }
            ),
            _ => "No read is waited for: every re-read runs in the background (blue).".into(),
        };
        format!(
            "{} copies of the registry, {:.1} full reads per minute in all, each taking {load}. {blocking}{}",
            d.copies.current,
            d.refreshes_per_minute,
            if rows.len() < d.copies.current as usize { format!(" The plot shows the first {MAX_ROWS} copies.") } else { String::new() }
        )
    };
    let n_rows = rows.len().max(1) as f64;
    let svg = render(|root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            // A little past the horizon so a read at the 10-minute mark stays visible.
            .build_cartesian_2d(0f64..HORIZON_SECONDS + 20.0, 0f64..n_rows)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .max_light_lines(1)
            .x_desc("seconds from now (copies started together)")
            .y_desc("copy")
            .y_labels(0)
            .draw()?;
        for (row, events) in rows.iter().enumerate() {
            let y = row as f64;
            chart.draw_series(events.iter().map(|e| {
                // At least 2 s wide so a fast read stays visible.
                let width = e.duration_seconds.max(2.0);
                let color = if e.blocking { BLOCKING } else { BACKGROUND };
                Rectangle::new(
                    [
                        (e.start_seconds, y + 0.1),
                        (e.start_seconds + width, y + 0.9),
                    ],
                    color.filled(),
                )
            }))?;
        }
        Ok(())
    });
    plot("timeline", title, text, svg)
}

/// Events of each copy (timeline returns them sorted by time, then copy).
fn group(events: Vec<RefreshEvent>, copies: usize) -> Vec<(usize, Vec<RefreshEvent>)> {
    let mut out: Vec<(usize, Vec<RefreshEvent>)> = (0..copies).map(|c| (c, Vec::new())).collect();
    for e in events {
        if let Some((_, v)) = out.get_mut(e.copy) {
            v.push(e);
        }
    }
    out
}

/// Per container: its copies × the registry size, against the container's memory limit.
pub fn memory(d: &DeploymentCache) -> PlotView {
    let title = format!(
        "Registry copies against the memory limit: {}/{}",
        d.namespace, d.name
    );
    let bars: Vec<(String, f64, Option<f64>)> = d
        .servers
        .iter()
        .map(|s| {
            (
                s.kind.clone(),
                s.container_bytes.unwrap_or(0) as f64 / MIB,
                s.memory_limit_bytes.map(|b| b as f64 / MIB),
            )
        })
        .collect();
    let size = d.measure.as_ref().and_then(|m| m.bytes);
    let text = match size {
        None => "The registry size has not been measured yet.".to_string(),
        Some(b) => {
            let per: Vec<String> = d
                .servers
                .iter()
                .map(|s| {
                    let held = format_bytes(s.container_bytes.unwrap_or(0));
                    match s.memory_limit_bytes {
                        Some(limit) => format!(
                            "{}: {} × {} = {held} of its {} limit ({:.2}%)",
                            s.kind,
                            s.per_pod,
                            format_bytes(b),
                            format_bytes(limit),
                            100.0 * s.container_bytes.unwrap_or(0) as f64 / limit.max(1) as f64
                        ),
                        None => format!(
                            "{}: {} × {} = {held}, no memory limit set",
                            s.kind,
                            s.per_pod,
                            format_bytes(b)
                        ),
                    }
                })
                .collect();
            format!(
                "Per pod, at least (serialized size; Python objects take more): {}. All {} copies: {}.",
                if per.is_empty() { "no server holds a copy".into() } else { per.join("; ") },
                d.copies.current,
                d.memory_bytes.map(|m| format_bytes(m.current.max(0) as u64)).unwrap_or_else(|| "-".into())
            )
        }
    };
    let y_max = bars
        .iter()
        .flat_map(|(_, held, limit)| [Some(*held), *limit])
        .flatten()
        .fold(1.0, f64::max)
        * 1.15;
    let n = bars.len().max(1) as f64;
    let svg = render(|root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..n, 0f64..y_max)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(1)
            // Each bar is named by a label above it: axis labels would skip some names.
            .x_labels(0)
            .x_desc("container (bar: its copies; red line: its memory limit)")
            .y_desc("MiB per container")
            .draw()?;
        for (i, (kind, held, limit)) in bars.iter().enumerate() {
            let x = i as f64;
            let label = format!("{kind}: {held:.2} MiB");
            chart.draw_series(std::iter::once(Text::new(
                label,
                (x + 0.2, held + y_max * 0.04),
                ("sans-serif", 11),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x + 0.2, 0.0), (x + 0.8, *held)],
                BACKGROUND.filled(),
            )))?;
            if let Some(limit) = limit {
                chart.draw_series(LineSeries::new(
                    [(x + 0.1, *limit), (x + 0.9, *limit)],
                    BLOCKING.stroke_width(3),
                ))?;
            }
        }
        Ok(())
    });
    plot("memory", title, text, svg)
}

/// Element ids from user names: a safe alphabet only.
fn safe_id(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

#[cfg(test)]
#[path = "plots_tests.rs"]
mod tests;
