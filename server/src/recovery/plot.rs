//! Achieved RPO over time, one line per component, drawn with plotters to SVG on the server.
//! Labels are fixed component names; the page also shows the same in words.

use plotters::prelude::*;

use app::recovery::model::ComponentId;
use app::recovery::report::Sample;

const SIZE: (u32, u32) = (760, 300);
const COLORS: [RGBColor; 4] = [
    RGBColor(200, 40, 40),
    RGBColor(40, 100, 200),
    RGBColor(40, 150, 60),
    RGBColor(140, 80, 160),
];

/// Why plotters could not draw into the SVG string.
pub type DrawError = plotters::drawing::DrawingAreaErrorKind<std::io::Error>;

/// None with fewer than two samples carrying an RPO (a single point says nothing of a trend).
pub fn rpo_history_svg(samples: &[Sample]) -> Result<Option<String>, DrawError> {
    let points: Vec<&Sample> = samples.iter().filter(|s| s.rpo_seconds.is_some()).collect();
    if points.len() < 2 {
        return Ok(None);
    }
    let t0 = points.iter().map(|s| s.at).min().unwrap_or(0);
    let t1 = points.iter().map(|s| s.at).max().unwrap_or(0).max(t0 + 1);
    // Minutes since the first sample on x; RPO in minutes on y.
    let x_max = (t1 - t0) as f64 / 60.0;
    let y_max = points
        .iter()
        .filter_map(|s| s.rpo_seconds)
        .max()
        .unwrap_or(0) as f64
        / 60.0
        * 1.2
        + 0.5;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Achieved RPO (minutes) over the last 24 h",
                ("sans-serif", 16),
            )
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..x_max.max(1.0), 0f64..y_max)?;
        chart
            .configure_mesh()
            .x_desc("minutes since first sample")
            .y_desc("RPO (min)")
            .draw()?;
        for (i, c) in ComponentId::ALL.into_iter().enumerate() {
            let series: Vec<(f64, f64)> = points
                .iter()
                .filter(|s| s.component == c)
                .filter_map(|s| Some(((s.at - t0) as f64 / 60.0, s.rpo_seconds? as f64 / 60.0)))
                .collect();
            if series.is_empty() {
                continue;
            }
            let color = COLORS[i];
            chart
                .draw_series(LineSeries::new(series, color.stroke_width(2)))?
                .label(c.label())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(Some(svg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::recovery::model::Status;

    #[test]
    fn draws_lines_once_there_are_two_points() {
        let s = |at, rpo| Sample {
            component: ComponentId::RegistryDb,
            at,
            rpo_seconds: Some(rpo),
            rto_seconds: None,
            status: Status::Met,
        };
        assert!(matches!(rpo_history_svg(&[s(0, 10)]), Ok(None)));
        let svg = rpo_history_svg(&[s(0, 10), s(600, 900)]).unwrap().unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("Registry DB") && svg.contains("<polyline"),
            "{svg}"
        );
    }
}
