"""deploy/compose.yaml: parses; each ferrochat container runs a known
command with real settings that pass its start-up checks, names files
that are mounted, is probed on the port it serves /ready on; the roles
and their shared settings are those of scripts/cluster."""

import re
from collections import Counter

import yaml

from common import (
    COMMANDS,
    check_names,
    check_role_starts,
    check_settings,
    sections,
    under_mounts,
)

WHERE = "deploy/compose.yaml"
# scripts/cluster's [bus.kafka], [presence] and [discovery] keys that
# shape the cluster, and the variables the compose file sets them with.
SHARED = {
    "upstream_topic": "FERROCHAT_BUS__KAFKA__UPSTREAM_TOPIC",
    "task_topic": "FERROCHAT_BUS__KAFKA__TASK_TOPIC",
    "downstream_topic_prefix": "FERROCHAT_BUS__KAFKA__DOWNSTREAM_TOPIC_PREFIX",
    "logic_group": "FERROCHAT_BUS__KAFKA__LOGIC_GROUP",
    "task_group": "FERROCHAT_BUS__KAFKA__TASK_GROUP",
    "upstream_partitions": "FERROCHAT_BUS__KAFKA__UPSTREAM_PARTITIONS",
    "task_partitions": "FERROCHAT_BUS__KAFKA__TASK_PARTITIONS",
    "redis_prefix": "FERROCHAT_PRESENCE__REDIS_PREFIX",
    "etcd_prefix": "FERROCHAT_DISCOVERY__ETCD_PREFIX",
}


def interpolate(value):
    """What compose makes of ${VAR:-default}, ${VAR:?message} and $$ with
    none of the variables set: the default, a stand-in for a required
    one (what an operator must give), a dollar."""
    if isinstance(value, dict):
        return {k: interpolate(v) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v) for v in value]
    if not isinstance(value, str):
        return value

    def one(m):
        if m.group(0) == "$$":
            return "$"
        body = m.group(1)
        for sep in (":-", "-"):
            if sep in body:
                return body.split(sep, 1)[1]
        if ":?" in body or "?" in body:
            return "r" * 48
        return ""

    return re.sub(r"\$\$|\$\{([^}]*)\}", one, value)


def env_of(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def mounts_of(service):
    out = set()
    for v in service.get("volumes") or []:
        out.add(v["target"] if isinstance(v, dict) else v.split(":")[1])
    return out


def cluster_settings(root):
    """scripts/cluster's roles and shared settings."""
    script = (root / "scripts/cluster").read_text()
    roles = re.search(r"^ROLES=\((.*)\)$", script, re.M).group(1).split()
    settings = {}
    for key in SHARED:
        m = re.search(rf'^{key} = "?([^"\n]*)"?$', script, re.M)
        if m:
            settings[key] = m.group(1)
    return [r.rsplit("-", 1)[0] for r in roles], settings


def check(root, binary, image_env, problems):
    try:
        doc = interpolate(yaml.safe_load((root / WHERE).read_text()))
    except yaml.YAMLError as e:
        problems.add(WHERE, f"does not parse: {e}")
        return
    known = sections(root)
    want_roles, want_settings = cluster_settings(root)
    commands = Counter()
    node_ids = Counter()
    for name, service in (doc.get("services") or {}).items():
        if not str(service.get("image", "")).startswith("ferrochat"):
            continue
        where = f"{WHERE} service {name}"
        command = service.get("command") or ["serve"]
        if service.get("entrypoint"):
            if "ferrochat certs --dir" not in " ".join(command):
                problems.add(where, "an entrypoint of its own that does not run `ferrochat certs`")
            continue
        if command[0] not in COMMANDS:
            problems.add(where, f"command {command[0]!r} is not one of {COMMANDS}")
            continue
        commands[command[0]] += 1
        own = env_of(service)
        env = dict(image_env, **own)
        node_ids[env.get("FERROCHAT_NODE_ID")] += 1
        check_names(where, own, known, problems)
        if check_settings(where, binary, env, problems):
            problems.ok(f"{where}: `ferrochat config` accepts its {len(own)} settings")
        check_role_starts(where, binary, command[0], env, problems)
        under_mounts(where, {k: v for k, v in env.items() if k.startswith("FERROCHAT_")},
                     mounts_of(service), problems)
        probe = " ".join((service.get("healthcheck") or {}).get("test") or [])
        port = (env.get("FERROCHAT_METRICS_LISTEN") or env.get("FERROCHAT_LISTEN", "")).rsplit(":", 1)[-1]
        if f"127.0.0.1:{port}/ready" not in probe:
            problems.add(where, f"its healthcheck does not ask /ready on its port {port}: {probe!r}")
        for key, var in SHARED.items():
            if key in want_settings and env.get(var) != want_settings[key]:
                problems.add(where, f"{var}={env.get(var)!r}, scripts/cluster has {key} = {want_settings[key]!r}")
    if commands != Counter(want_roles):
        problems.add(WHERE, f"runs {dict(commands)}, scripts/cluster runs {dict(Counter(want_roles))}")
    for node, n in node_ids.items():
        if n > 1:
            problems.add(WHERE, f"FERROCHAT_NODE_ID {node!r} is given to {n} containers")
    problems.ok(f"{WHERE}: parses; roles {dict(commands)} as scripts/cluster")
