"""deploy/helm/ferrochat: Chart.yaml and values.yaml parse, every
template parses as YAML once its template actions are replaced, and each
role's settings (values' ferrochat.toml, its env, the variables the
Deployment template sets) are real and pass the role's start-up checks.
helm itself is not run: it is not packaged for Debian."""

import re
import tempfile

import yaml

from common import (
    DUMMIES,
    check_names,
    check_role_starts,
    check_settings,
    sections,
    under_mounts,
)

CHART = "deploy/helm/ferrochat"
KINDS = {"Deployment", "Service", "ConfigMap", "PodDisruptionBudget"}


def strip_actions(text):
    """The template as YAML: lines that hold only actions ({{- if }},
    {{- end }}, {{- range }}, {{- include ... | nindent }}) go, and every
    other action becomes a scalar."""
    out = []
    for line in text.splitlines():
        if re.fullmatch(r"\s*\{\{.*\}\}\s*", line) and not re.match(r"\s*\S+:\s*\{\{", line):
            continue
        out.append(re.sub(r"\{\{.*?\}\}", "x", line))
    return "\n".join(out)


def template_env(text):
    """The variables the Deployment template sets: literal values as
    they are, the rest (from secrets, the pod) as stand-ins."""
    env = {}
    for m in re.finditer(r"- name: (\w+)\n\s+(value|valueFrom): ?(.*)", text):
        name, kind, value = m.groups()
        if kind == "value" and "{{" not in value:
            env[name] = value.strip().strip('"')
        else:
            env[name] = DUMMIES.get(name, "dummy")
    return env


def check(root, binary, image_env, problems):
    base = root / CHART
    try:
        chart = yaml.safe_load((base / "Chart.yaml").read_text())
        values = yaml.safe_load((base / "values.yaml").read_text())
    except yaml.YAMLError as e:
        problems.add(CHART, f"does not parse: {e}")
        return
    if chart.get("apiVersion") != "v2" or chart.get("name") != "ferrochat":
        problems.add(f"{CHART}/Chart.yaml", "not a v2 chart named ferrochat")
    kinds = set()
    mounts = set()
    for path in sorted((base / "templates").glob("*.yaml")):
        text = path.read_text()
        try:
            docs = [d for d in yaml.safe_load_all(strip_actions(text)) if d]
        except yaml.YAMLError as e:
            problems.add(str(path.relative_to(root)), f"does not parse once its actions are replaced: {e}")
            continue
        kinds.update(d.get("kind") for d in docs)
        mounts.update(re.findall(r"mountPath: ([^,}\s]+)", text))
    if not KINDS <= kinds:
        problems.add(CHART, f"templates make {sorted(k for k in kinds if k)}, missing {sorted(KINDS - kinds)}")
    deployment = (base / "templates/deployment.yaml").read_text()
    for probe in ("livenessProbe:\n            httpGet: {path: /live", "readinessProbe:\n            httpGet: {path: /ready"):
        if probe not in deployment:
            problems.add(f"{CHART}/templates/deployment.yaml", f"no {probe.split(':')[0]} on {probe.split()[-1]}")
    known = sections(root)
    shared_env = template_env(deployment)
    config_mount = re.search(r'"--config", "([^"]+)"', deployment)
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as toml:
        toml.write(values["config"])
        toml.flush()
        config_paths = dict(
            (f"toml {k}", v) for k, v in re.findall(r'^(\w+_file) = "([^"]+)"', values["config"], re.M)
        )
        for role, r in values["roles"].items():
            where = f"{CHART} role {role}"
            own = {k: str(v) for k, v in (r.get("env") or {}).items()}
            env = dict(image_env, **shared_env, **own)
            check_names(where, dict(shared_env, **own), known, problems)
            if check_settings(where, binary, env, problems, toml.name):
                problems.ok(f"{where}: `ferrochat config` accepts values.yaml's config and its {len(own)} settings")
            check_role_starts(where, binary, role, env, problems, toml.name)
            files = {k: v for k, v in own.items() if k.startswith("FERROCHAT_")}
            files.update({k + "_FILE": v for k, v in config_paths.items()})
            under_mounts(where, files, mounts, problems)
            port = own.get("FERROCHAT_METRICS_LISTEN", "").rsplit(":", 1)[-1]
            if port != str(r.get("metricsPort")):
                problems.add(where, f"FERROCHAT_METRICS_LISTEN port {port} is not metricsPort {r.get('metricsPort')}")
    if not config_mount or not config_mount.group(1).startswith(tuple(m + "/" for m in mounts)):
        problems.add(f"{CHART}/templates/deployment.yaml", "--config names no mounted file")
    problems.ok(f"{CHART}: Chart.yaml, values.yaml and every template parse; makes {sorted(k for k in kinds if k)}")
