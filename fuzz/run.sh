#!/usr/bin/env bash
# Builds every fuzz target (libFuzzer, stable toolchain) and runs each on its seed corpus.
#   fuzz/run.sh                       every target for 20 s (what .ci/run does)
#   fuzz/run.sh -runs=1000000         every target for a million executions
#   fuzz/run.sh -max_total_time=600 card   one target for ten minutes
# Arguments starting with '-' go to libFuzzer; others name the targets to run.
set -euo pipefail
cd "$(dirname "$0")"
host=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --target "$host" --bins
python3 seeds/make_corpus.py >/dev/null
flags=() targets=()
for arg in "$@"; do
  case "$arg" in -*) flags+=("$arg") ;; *) targets+=("$arg") ;; esac
done
[ ${#flags[@]} -gt 0 ] || flags=(-max_total_time=20)
[ ${#targets[@]} -gt 0 ] || targets=(money card paytr_notification craftgate_webhook craftgate_three_ds_callback provider_answers sandbox_requests cli_profile)
mkdir -p artifacts
for target in "${targets[@]}"; do
  echo "==> fuzz $target ${flags[*]}"
  mkdir -p "corpus/$target"
  "target/$host/release/$target" "${flags[@]}" -artifact_prefix="artifacts/$target-" \
    -print_final_stats=1 "corpus/$target" 2>&1 | grep -E "^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==|.*panicked|SUMMARY)" || true
  if ls "artifacts/$target-"* >/dev/null 2>&1; then
    echo "fuzz target $target found a failing input: fuzz/artifacts/" >&2
    exit 1
  fi
done
