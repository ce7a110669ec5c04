"""deploy/Dockerfile: built by deploy/build-binary (what
scripts/container-build runs), and its ENV settings real."""

import re
import shlex

from common import sections, check_names


def image_env(text):
    """The ENV the runtime stage sets (the last stage's)."""
    runtime = text.split("\nFROM ")[-1]
    env = {}
    for m in re.finditer(r"^ENV\s+((?:.*\\\n)*.*)$", runtime, re.M):
        for item in shlex.split(m.group(1).replace("\\\n", " ")):
            name, _, value = item.partition("=")
            env[name] = value
    return env


def check(root, problems):
    text = (root / "deploy/Dockerfile").read_text()
    where = "deploy/Dockerfile"
    if "deploy/build-binary /out" not in text:
        problems.add(where, "the builder stage does not run deploy/build-binary /out")
    if "COPY --from=builder /out/ferrochat /usr/local/bin/ferrochat" not in text:
        problems.add(where, "the runtime stage does not copy the built binary")
    if not re.search(r"^USER\s+65532", text, re.M):
        problems.add(where, "the runtime stage does not run as the unprivileged user 65532")
    env = image_env(text)
    check_names(where, env, sections(root), problems)
    if not env:
        problems.add(where, "no ENV found in the runtime stage")
    problems.ok(f"{where}: builds with deploy/build-binary, runs as 65532, ENV {sorted(env)}")
    return env
