#!/usr/bin/env bash
# Runs Craftgate's official clients, PyPI `craftgate` and npm `@craftgate/craftgate`, against
# the Craftgate simulator.
#
#   sandbox/interop/run-craftgate.sh
#
# 1. installs the pinned clients: a venv under target/interop-venv for Python, `npm install`
#    in sandbox/interop for Node (versions pinned here and in package.json);
# 2. builds and starts the `odeme-sandbox` binary on free loopback ports and reads the
#    Craftgate base URL and credentials from the `export` lines of its banner;
# 3. runs craftgate_interop.py and craftgate_interop.js;
# 4. stops the sandbox. Exits non-zero on any failure; the last line is `N passed, M failed`.
#
# ODEME_SANDBOX_BIN may name an already built binary (skips the cargo build).
set -euo pipefail

CRAFTGATE_PYTHON_VERSION="1.0.5"
CRAFTGATE_NODE_VERSION="1.0.65"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/interop-venv"
workdir="$(mktemp -d)"
sandbox_pid=""

fail() {
    echo "run-craftgate: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}

cleanup() {
    if [[ -n "$sandbox_pid" ]] && kill -0 "$sandbox_pid" 2>/dev/null; then
        kill "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

# 1. The clients, pinned.
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" || fail "cannot create $venv"
fi
installed="$("$venv/bin/python" -m pip show craftgate 2>/dev/null | sed -n 's/^Version: //p' || true)"
if [[ "$installed" != "$CRAFTGATE_PYTHON_VERSION" ]]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "craftgate==$CRAFTGATE_PYTHON_VERSION" \
        || fail "cannot install craftgate==$CRAFTGATE_PYTHON_VERSION"
fi
grep -q "\"@craftgate/craftgate\": \"$CRAFTGATE_NODE_VERSION\"" "$here/package.json" \
    || fail "package.json does not pin @craftgate/craftgate $CRAFTGATE_NODE_VERSION"
(cd "$here" && npm install --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null) \
    || fail "npm install failed"

# 2. The sandbox.
bin="${ODEME_SANDBOX_BIN:-}"
if [[ -z "$bin" ]]; then
    (cd "$root" && cargo build --quiet -p odeme-sandbox --bin odeme-sandbox) || fail "cargo build -p odeme-sandbox failed"
    bin="$target/debug/odeme-sandbox"
fi
[[ -x "$bin" ]] || fail "no sandbox binary at $bin"

banner="$workdir/banner.txt"
"$bin" --host 127.0.0.1 --port 0 >"$banner" 2>"$workdir/sandbox.log" &
sandbox_pid=$!

# The banner's `export` lines (the set-up both sandbox entry points print).
exported() { sed -n "s/^export $1=//p" "$banner" | head -n 1; }
line=""
for _ in $(seq 1 100); do
    line="$(exported ODEME_CRAFTGATE_THREE_DS_CALLBACK_KEY)"
    [[ -n "$line" ]] && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$workdir/sandbox.log" >&2; fail "the sandbox exited"; }
    sleep 0.1
done
[[ -n "$line" ]] || fail "no Craftgate settings in the sandbox banner"

base_url="$(exported ODEME_CRAFTGATE_BASE_URL)"
[[ "$base_url" == http://127.0.0.1:* ]] || fail "unexpected Craftgate base URL: $base_url"

export CG_BASE_URL="$base_url"
export CG_API_KEY="$(exported ODEME_CRAFTGATE_API_KEY)"
export CG_SECRET_KEY="$(exported ODEME_CRAFTGATE_SECRET_KEY)"
export CG_THREE_DS_CALLBACK_KEY="$(exported ODEME_CRAFTGATE_THREE_DS_CALLBACK_KEY)"

# 3. Both clients' checks.
results="$workdir/results.txt"
"$venv/bin/python" "$here/craftgate_interop.py" | tee -a "$results" || true
node "$here/craftgate_interop.js" | tee -a "$results" || true

passed="$(grep -c '^ok - ' "$results" || true)"
failed="$(grep -c '^not ok - ' "$results" || true)"
if [[ "$passed" -eq 0 ]]; then
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
# 4. cleanup (trap) stops the sandbox.
[[ "$failed" -eq 0 ]]
