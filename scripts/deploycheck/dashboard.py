"""deploy/grafana/ferrochat.json: every metric an expression asks for
is exported by the code, so the dashboard cannot rot silently when a
metric is renamed or removed."""

import json
import re

WHERE = "deploy/grafana/ferrochat.json"
# Names the dashboard may use: ferrochat's own and the process metrics
# (metrics-process, read by crates/bench too).
METRIC = re.compile(r"\b((?:ferrochat|process)_[a-z0-9_]+)\b")
# What Prometheus adds to a histogram's name.
SUFFIXES = ("_bucket", "_count", "_sum")


def exported(root):
    """Every metric-like string literal in the crates' non-test source:
    the names passed to counter!, gauge! and histogram!, directly or
    through a constant."""
    names = set()
    for path in (root / "crates").glob("*/src/**/*.rs"):
        names.update(re.findall(r'"((?:ferrochat|process)_[a-z0-9_]+)"', path.read_text()))
    return names


def expressions(dash):
    for panel in dash.get("panels", []):
        for inner in [panel] + panel.get("panels", []):
            for t in inner.get("targets", []):
                yield inner.get("title", "?"), t.get("expr", "")
    for var in dash.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            yield f"variable {var.get('name')}", str(var.get("query", ""))


def check(root, problems):
    try:
        dash = json.loads((root / WHERE).read_text())
    except json.JSONDecodeError as e:
        problems.add(WHERE, f"does not parse: {e}")
        return
    names = exported(root)
    used = set()
    count = 0
    for title, expr in expressions(dash):
        count += 1
        found = METRIC.findall(expr)
        if not found:
            problems.add(WHERE, f"{title!r}: {expr!r} names no ferrochat metric")
        for metric in found:
            used.add(metric)
            if metric in names:
                continue
            base = next((metric[: -len(s)] for s in SUFFIXES if metric.endswith(s)), None)
            if base not in names:
                problems.add(WHERE, f"{title!r}: {metric} is not exported by the code")
            elif metric.endswith("_bucket") and not base.endswith("_seconds"):
                # Only *_seconds histograms have buckets (telemetry.rs);
                # the others are summaries, read by their quantile label.
                problems.add(WHERE, f"{title!r}: {metric}: {base} has no buckets, only quantiles")
    if count == 0:
        problems.add(WHERE, "no expression found")
    problems.ok(f"{WHERE}: {count} expressions, {len(used)} metrics, each exported by the code")
