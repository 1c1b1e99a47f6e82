#!/usr/bin/env bash
# Regenerate requirements.txt / requirements-dev.txt (fully pinned locks) from
# requirements.in / requirements-dev.in, using throw-away venvs and `pip freeze`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1

# 1) Resolve everything together so runtime and dev pins are mutually consistent.
"$PY" -m venv "$tmp/all"
"$tmp/all/bin/pip" install -q -r requirements-dev.in
"$tmp/all/bin/pip" freeze --exclude-editable > "$tmp/all.txt"
# 2) Runtime subset, constrained to the versions chosen above.
"$PY" -m venv "$tmp/rt"
"$tmp/rt/bin/pip" install -q -r requirements.in -c "$tmp/all.txt"
"$tmp/rt/bin/pip" freeze --exclude-editable > "$tmp/rt.txt"

"$PY" - "$tmp/all.txt" "$tmp/rt.txt" <<'PYEOF'
import re, sys
def norm(line):
    return re.sub(r"[-_.]+", "-", line.split("==")[0]).lower()
def read(path):
    return [l.strip() for l in open(path) if "==" in l]
full, rt = read(sys.argv[1]), read(sys.argv[2])
rt_names = {norm(l) for l in rt}
hdr_rt = """\
# Companion runtime lock file (Python 3.11). DO NOT EDIT BY HAND.
# Source: requirements.in (direct deps, lower bounds). Regenerate with `make lock`
# (fresh venv, pip install, pip freeze). Every package, transitive ones included,
# is pinned with == so installs are reproducible (Werkzeug, Jinja2, greenlet,
# dnspython, ... matter for eventlet/gevent behaviour).

"""
hdr_dev = """\
# Companion development/test lock file (Python 3.11). DO NOT EDIT BY HAND.
# Source: requirements-dev.in. Regenerate with `make lock`.
# Runtime pins come from requirements.txt; below are the dev tools and their deps.
# playwright is the Python package only: browser tests use Debian's /usr/bin/chromium
# (`make system-deps`); never run `playwright install`.
-r requirements.txt

"""
with open("requirements.txt", "w") as f:
    f.write(hdr_rt + "\n".join(sorted(rt, key=norm)) + "\n")
with open("requirements-dev.txt", "w") as f:
    f.write(hdr_dev + "\n".join(sorted((l for l in full if norm(l) not in rt_names), key=norm)) + "\n")
PYEOF
echo "lock: wrote requirements.txt ($(grep -c '^[^#].*==' requirements.txt) pins) and requirements-dev.txt ($(grep -c '^[^#].*==' requirements-dev.txt) pins)"
