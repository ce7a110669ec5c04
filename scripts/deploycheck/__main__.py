"""Checks what deploy/ holds without a container engine, Kubernetes or
helm (none runs where ferrochat is developed): the Dockerfile builds with
deploy/build-binary and sets only real settings; the compose file and the
Helm chart parse, and every FERROCHAT_* variable and ferrochat.toml key
they set is one `ferrochat config` accepts; each role they start passes
its start-up checks up to reading its certificates; every metric the
Grafana dashboard asks for is exported by the code.

    python3 scripts/deploycheck --bin target/debug/ferrochat

Run by scripts/container-build. Exits 1 naming each problem found.
"""

import argparse
import pathlib
import sys

import compose
import dashboard
import dockerfile
import helm
from common import Problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="the ferrochat binary to ask")
    args = parser.parse_args()
    root = pathlib.Path(__file__).resolve().parents[2]
    binary = str(pathlib.Path(args.bin).resolve())
    problems = Problems()
    image_env = dockerfile.check(root, problems)
    compose.check(root, binary, image_env, problems)
    helm.check(root, binary, image_env, problems)
    dashboard.check(root, problems)
    return problems.report()


if __name__ == "__main__":
    sys.exit(main())
