//! Metrics as a scrape reads them, from the one Prometheus recorder of
//! this test binary (the `metrics` facade is global: installed once,
//! shared by every test here, so tests compare counts before and after).

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().unwrap())
}

/// The value of the series `name` without labels.
pub fn plain(name: &str) -> Option<f64> {
    let text = recorder().render();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// The value of the series `name` whose labels include `labels`.
pub fn value(name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let text = recorder().render();
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?.strip_prefix('{')?;
        let (series, number) = rest.rsplit_once("} ")?;
        labels
            .iter()
            .all(|(k, v)| series.contains(&format!("{k}=\"{v}\"")))
            .then(|| number.parse().ok())?
    })
}
