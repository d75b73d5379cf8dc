#!/usr/bin/env bash
# Smoke test of incnet as users install it: a wheel, in a fresh virtual environment, without
# optional extras, with the installed package read-only and run by a user whose home is not
# writable (as on clusters, in containers and CI images). Kernels must still compile (into the
# private fallback cache), a second process must load them instead of compiling, and the demo
# must work without matplotlib.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d /tmp/incnet-smoke.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --upgrade pip
"$WORK/venv/bin/python" -m pip wheel --quiet --no-deps -w "$WORK/dist" .
"$WORK/venv/bin/python" -m pip install --quiet "$WORK"/dist/incnet-*.whl
cd "$WORK"  # from here on, `import incnet` must find the installed copy, not the checkout
SITE=$("$WORK/venv/bin/python" -c "import incnet, os; print(os.path.dirname(incnet.__file__))")
case "$SITE" in "$WORK"/venv/*) ;; *) echo "smoke: imported incnet from $SITE"; exit 1 ;; esac
if "$WORK/venv/bin/python" -c "import matplotlib" 2>/dev/null; then
  echo "smoke: matplotlib is installed without the plot extra"; exit 1
fi
mkdir -p "$WORK/home" "$WORK/tmp"

# Read-only as a file system, not as permissions (root, which CI may be, ignores permissions):
# each run gets a private mount namespace in which the installed package and the home directory
# are read-only bind mounts; only the temporary directory is writable.
run() {
  unshare --map-root-user --mount bash -c '
    for dir in "$1" "$2"; do mount --bind "$dir" "$dir" && mount -o remount,bind,ro "$dir"; done
    home=$2; tmp=$3; shift 3
    exec env -i PATH=/usr/bin:/bin HOME="$home" TMPDIR="$tmp" "$@"' _ "$SITE" "$WORK/home" "$WORK/tmp" "$@"
}

cat > "$WORK/smoke.py" <<'PY'
import os, sys, warnings
warnings.simplefilter("always")
import numpy as np
import incnet
from incnet import datasets
from incnet.simulate import simulate_recruitment
for where in (os.path.dirname(incnet.__file__), os.environ["HOME"]):
    try:
        open(os.path.join(where, "probe"), "w").close()
    except OSError:
        continue
    sys.exit(f"smoke: {where} is writable")
net = datasets.load("email-eu-core", as_network=True).row_normalized(0.5)
res = incnet.total_payoffs(net, 1.0)
assert res.converged and res.residual < 1e-9, res
sim = simulate_recruitment(datasets.load("karate"), [2.0, 1.0], initial=2, targets=2,
                           response=0.5, horizon=6, n_runs=50, deadline=10.0, rng=1)
print("smoke ok", round(float(res.u.sum()), 6), sim.n_runs)
PY

first=$(run "$WORK/venv/bin/python" "$WORK/smoke.py" 2>&1)
echo "$first"
grep -q "smoke ok" <<<"$first"
grep -q "compiled kernels are cached in" <<<"$first"
second=$(run "$WORK/venv/bin/python" "$WORK/smoke.py" 2>&1)
echo "$second"
[ "$(grep 'smoke ok' <<<"$first")" = "$(grep 'smoke ok' <<<"$second")" ]
if grep -q "compiling numba kernels" <<<"$second"; then
  echo "smoke: the second process compiled again instead of loading the cache"; exit 1
fi
demo=$(run "$WORK/venv/bin/incnet" demo --runs 20 2>&1)
grep -q "pip install 'incnet\[plot\]'" <<<"$demo"
run "$WORK/venv/bin/incnet" payoffs karate --top 3 | head -2
echo "smoke: installed read-only wheel works"
