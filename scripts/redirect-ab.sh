#!/usr/bin/env bash
# Quick A/B of GET /r/{code}: a bare Fiber 302 (app/clicks/loadtest's
# `bare` mode) and any number of portal builds, each a separate process
# pinned to CPU 0, wrk pinned to CPU 1 (1 thread, 32 connections, a
# browser User-Agent), rounds alternating over the servers. Per round:
# req/s, p99, the server's CPU µs per request and Redis's CPU µs per request
# (utime + stime from /proc around the round). No exactness phase: that is
# the loadtest's job (`go run ./app/clicks/loadtest`); this is for comparing
# builds and experiments side by side (docs/BENCHMARKS.md, issue 10).
#
#   DATABASE_URL=postgres://…/bench REDIS_URL=redis://127.0.0.1:6379/12 \
#     scripts/redirect-ab.sh CODE BINARY... [ROUNDS=3 SECS=5]
#
# CODE is an active link code of that database (`seed --scale` makes
# scale-hundredk); every build must accept the database's schema (a build
# older than its last upgrade step refuses it). The Redis database is
# flushed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${DATABASE_URL:?set DATABASE_URL}" "${REDIS_URL:?set REDIS_URL (a database of its own: flushed at the end)}"
code=$1; shift
bare=$(mktemp -d)/bare
go build -o "$bare" ./app/clicks/loadtest
pids=() names=(bare) ports=(18300)
taskset -c 0 "$bare" bare 127.0.0.1:18300 & pids+=($!)
port=18301
for b in "$@"; do
  ADDR=127.0.0.1:$port LOG_LEVEL=warn taskset -c 0 "$b" web 2>/dev/null & pids+=($!)
  names+=("$(basename "$b")") ports+=($port) port=$((port + 1))
done
cleanup() { kill "${pids[@]}" 2>/dev/null || true; redis-cli -u "$REDIS_URL" flushdb >/dev/null 2>&1 || true; rm -rf "$(dirname "$bare")"; }
trap cleanup EXIT
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
for i in "${!ports[@]}"; do
  for _ in $(seq 100); do
    st=$(curl -s -o /dev/null -w '%{http_code}' -A "$UA" "http://127.0.0.1:${ports[$i]}/r/$code" || true)
    [[ $st == 302 ]] && break; sleep 0.1
  done
  [[ $st == 302 ]] || { echo "${names[$i]}: /r/$code answers $st, not 302" >&2; exit 1; }
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
redis_pid=$(pgrep -x redis-server | head -1 || true)
for round in $(seq "${ROUNDS:-3}"); do
  for i in "${!ports[@]}"; do
    r0=0 r1=0
    [[ -n $redis_pid ]] && r0=$(ticks "$redis_pid")
    t0=$(ticks "${pids[$i]}")
    out=$(taskset -c 1 wrk -t1 -c32 -d"${SECS:-5}s" --latency -H "User-Agent: $UA" "http://127.0.0.1:${ports[$i]}/r/$code")
    t1=$(ticks "${pids[$i]}")
    [[ -n $redis_pid ]] && r1=$(ticks "$redis_pid")
    awk -v round="$round" -v n="${names[$i]}" -v t=$((t1 - t0)) -v rt=$((r1 - r0)) -v hz="$(getconf CLK_TCK)" '
      / requests in / {c=$1} /Requests\/sec/ {r=$2} /^ +99%/ {p=$2}
      END {printf "round %s %-20s %8.0f req/s  p99 %8s  CPU %6.2f µs/req  Redis %5.2f µs/req\n", round, n, r, p, t/hz*1e6/c, rt/hz*1e6/c}' <<<"$out"
  done
done
