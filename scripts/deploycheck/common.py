"""What the deploy/ checks share: collecting problems, the settings
`ferrochat` knows, and asking the binary about a set of settings."""

import os
import pathlib
import re
import subprocess
import tempfile

# Stand-ins for values a deployment takes from its secrets or the
# platform; each of the right shape for its setting.
DUMMIES = {
    "FERROCHAT_AUTH__JWT_SECRET": "x" * 48,
    "FERROCHAT_STORE__URL": "mysql://ferrochat:secret@db:3306/ferrochat",
    "FERROCHAT_PRESENCE__REDIS_PASSWORD": "secret",
    "FERROCHAT_NODE_ID": "pod-0",
    "FERROCHAT_DISCOVERY__ADVERTISE_HOST": "10.0.0.1",
}

# The commands a container may run, and the roles among them.
ROLES = ("gateway", "logic", "repo", "task")
COMMANDS = ROLES + ("serve",)


class Problems:
    def __init__(self):
        self.found = []

    def add(self, where, what):
        self.found.append(f"{where}: {what}")

    def ok(self, what):
        print(f"[deploy-check] ok: {what}")

    def report(self) -> int:
        for p in self.found:
            print(f"[deploy-check] FAILED: {p}")
        return 1 if self.found else 0


def sections(root: pathlib.Path):
    """The top-level keys FERROCHAT_* variables may set (config.rs's
    SECTIONS). A variable under another name is not configuration and is
    ignored by ferrochat without a word, so it is checked here."""
    source = (root / "crates/ferrochat/src/config.rs").read_text()
    found = re.search(r"const SECTIONS: &\[&str\] = &\[(.*?)\];", source, re.S)
    if not found:
        raise SystemExit("crates/ferrochat/src/config.rs: SECTIONS not found")
    return set(re.findall(r'"([a-z_]+)"', found.group(1)))


def check_names(where, env, known, problems):
    """Every FERROCHAT_* variable in `env` names a known section."""
    for name in env:
        if not name.startswith("FERROCHAT_"):
            continue
        top = name[len("FERROCHAT_"):].lower().split("__")[0]
        if top not in known:
            problems.add(where, f"{name}: {top!r} is not a ferrochat setting (config.rs SECTIONS)")


def run(binary, args, env, timeout=30):
    """`ferrochat ARGS` with exactly `env` (and PATH): (exit code, stderr)."""
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    full.update(env)
    try:
        done = subprocess.run(
            [binary, *args], env=full, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None, "no exit within %d s" % timeout
    return done.returncode, done.stderr


def check_settings(where, binary, env, problems, config_file=None):
    """`ferrochat config` accepts these settings: every key known, every
    value of its type (it exits 64 naming the key otherwise)."""
    args = ["config"] + (["--config", config_file] if config_file else [])
    code, err = run(binary, args, env)
    if code != 0:
        problems.add(where, f"`ferrochat config` exited {code}: {err.strip()}")
        return False
    return True


def check_role_starts(where, binary, command, env, problems, config_file=None):
    """The container's command gets past every start-up check that needs
    no server (its settings, the trust-boundary rule that a role listening
    beyond loopback has internal TLS and, for gateways and logic, the
    upstream key) and stops where it reads its certificates, which exist
    only in the container. `serve` is left out: it would start for real."""
    if command not in ROLES:
        return
    with tempfile.TemporaryDirectory() as data:
        env = dict(env, FERROCHAT_DATA_DIR=data)
        args = [command] + (["--config", config_file] if config_file else [])
        code, err = run(binary, args, env)
    if code == 1 and "internal_tls" in err:
        problems.ok(f"{where}: `ferrochat {command}` passes its start-up checks")
    else:
        problems.add(
            where,
            f"`ferrochat {command}` should stop reading its certificates (exit 1), "
            f"exited {code}: {err.strip()[-600:]}",
        )


def under_mounts(where, env, mounts, problems):
    """Every file a setting names lies under something mounted."""
    for name, value in env.items():
        if name.endswith("_FILE") and not any(
            value.startswith(m.rstrip("/") + "/") for m in mounts
        ):
            problems.add(where, f"{name}={value} is not under a mounted volume ({sorted(mounts)})")
