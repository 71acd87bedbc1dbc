#!/usr/bin/env bash
# Runs the community PyPI client `paytr-python` against the PayTR simulator.
#
#   sandbox/interop/run-paytr.sh
#
# 1. creates (or reuses) a venv under target/interop-venv and installs the pinned client;
# 2. builds and starts the `odeme-sandbox` binary on free loopback ports, with its PayTR
#    notification URL pointing at the script's callback receiver, and reads the PayTR
#    base URL and credentials from the `export` lines of its banner;
# 3. runs sandbox/interop/paytr_interop.py;
# 4. stops the sandbox. Exits non-zero on any failure; the last line is `N passed, M failed`.
#
# ODEME_SANDBOX_BIN may name an already built binary (skips the cargo build).
set -euo pipefail

PAYTR_PYTHON_VERSION="0.3.0"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/interop-venv"
workdir="$(mktemp -d)"
sandbox_pid=""

fail() {
    echo "run-paytr: $*" >&2
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

# 1. The client, pinned.
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" || fail "cannot create $venv"
fi
if ! "$venv/bin/python" -c "import paytr, sys; sys.exit(paytr.__version__ != '$PAYTR_PYTHON_VERSION')" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "paytr-python==$PAYTR_PYTHON_VERSION" \
        || fail "cannot install paytr-python==$PAYTR_PYTHON_VERSION"
fi

# 2. The sandbox.
bin="${ODEME_SANDBOX_BIN:-}"
if [[ -z "$bin" ]]; then
    (cd "$root" && cargo build --quiet -p odeme-sandbox) || fail "cargo build -p odeme-sandbox failed"
    bin="$target/debug/odeme-sandbox"
fi
[[ -x "$bin" ]] || fail "no sandbox binary at $bin"

notify_port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
banner="$workdir/banner.txt"
ODEME_SANDBOX_PAYTR_NOTIFICATION_URL="http://127.0.0.1:$notify_port/paytr/notify" \
ODEME_SANDBOX_PAYTR_NOTIFICATION_RETRY_MS=100 \
    "$bin" --host 127.0.0.1 --port 0 >"$banner" 2>"$workdir/sandbox.log" &
sandbox_pid=$!

# The banner's `export` lines (the set-up both sandbox entry points print).
exported() { sed -n "s/^export $1=//p" "$banner" | head -n 1; }
line=""
for _ in $(seq 1 100); do
    line="$(exported ODEME_PAYTR_MERCHANT_SALT)"
    [[ -n "$line" ]] && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$workdir/sandbox.log" >&2; fail "the sandbox exited"; }
    sleep 0.1
done
[[ -n "$line" ]] || fail "no PayTR settings in the sandbox banner"

base_url="$(exported ODEME_PAYTR_BASE_URL)"
[[ "$base_url" == http://127.0.0.1:* ]] || fail "unexpected PayTR base URL: $base_url"

# 3. The client's checks.
status=0
PAYTR_BASE_URL="$base_url" \
PAYTR_MERCHANT_ID="$(exported ODEME_PAYTR_MERCHANT_ID)" \
PAYTR_MERCHANT_KEY="$(exported ODEME_PAYTR_MERCHANT_KEY)" \
PAYTR_MERCHANT_SALT="$(exported ODEME_PAYTR_MERCHANT_SALT)" \
NOTIFY_PORT="$notify_port" \
    "$venv/bin/python" "$here/paytr_interop.py" || status=$?

# 4. cleanup (trap) stops the sandbox.
exit "$status"
