#!/usr/bin/env bash
# Whole pages under concurrency, A/B: two builds of the portal against the
# same `seed --scale` database, signed in as the 100k-lead partner's admin,
# 16 connections (wrk), rounds alternating A, B, B, A, ... and medians.
#
#   DATABASE_URL=postgres://…/partnerportal_bench REDIS_URL=redis://… \
#     scripts/pages-bench.sh OLD_BINARY NEW_BINARY [rounds] [seconds]
#
# When the new build adds an upgrade step the old one refuses, give the old
# build a copy of the database from before the step: OLD_DATABASE_URL
# (`CREATE DATABASE bench_old TEMPLATE bench`, then `portal migrate` on the
# new one); both live on the same PostgreSQL.
#
# Each build is a `portal web` process (not pinned: PostgreSQL needs the
# cores too). A session row is made directly in the database for
# admin@hundredk.test (the sign-in flow needs email), and deleted after.
#
# Besides wrk's req/s and latency, each round reports the web process's own
# CPU per request (utime + stime from /proc/<pid>/stat around the round,
# divided by the requests wrk completed) and, when PostgreSQL runs on this
# machine and its data directory is readable, the server's CPU per request
# (every process of the cluster, live and exited): the figures that a loaded
# machine disturbs least. Rounds run one build at a time, so the server's
# CPU of a round is that build's. Columns: req/s, p50, p99, non-2xx, web CPU
# µs/request, PostgreSQL CPU µs/request.
set -euo pipefail
old=$1 new=$2 rounds=${3:-3} secs=${4:-15}
: "${DATABASE_URL:?set DATABASE_URL to the seed --scale database}" "${REDIS_URL:?set REDIS_URL}"
old_db=${OLD_DATABASE_URL:-$DATABASE_URL}
dbs=("$DATABASE_URL"); [[ $old_db != "$DATABASE_URL" ]] && dbs+=("$old_db")
token=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | head -c 43)
for db in "${dbs[@]}"; do
  psql -q "$db" -v ON_ERROR_STOP=1 -c "INSERT INTO sessions (id_hash, user_id, expires_at, ip, user_agent, created_at, last_seen_at)
    SELECT sha256(convert_to('$token', 'UTF8')), id, now() + interval '2 hours', '127.0.0.1', 'pages-bench', now(), now()
    FROM users WHERE email = 'admin@hundredk.test'" >/dev/null
done
pids=()
log=$(mktemp)
cleanup() {
  rm -f "$log"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for db in "${dbs[@]}"; do psql -q "$db" -c "DELETE FROM sessions WHERE user_agent = 'pages-bench'" >/dev/null || true; done
}
trap cleanup EXIT
DATABASE_URL=$old_db ADDR=127.0.0.1:18181 LOG_LEVEL=warn "$old" web 2>/dev/null & pids+=($!)
ADDR=127.0.0.1:18182 LOG_LEVEL=warn "$new" web 2>/dev/null & pids+=($!)
for port in 18181 18182; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pgdata=$(psql -Atq "$DATABASE_URL" -c "SELECT setting FROM pg_settings WHERE name = 'data_directory'" 2>/dev/null || true)
pgmaster=$(head -1 "$pgdata/postmaster.pid" 2>/dev/null || true)
pg_ticks() { # the cluster's CPU so far: the postmaster's exited children + its live ones
  [[ -n $pgmaster ]] || { echo 0; return; }
  { awk '{print $16 + $17}' "/proc/$pgmaster/stat"
    for c in $(cat /proc/$pgmaster/task/*/children 2>/dev/null); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null; done
  } | awk '{s += $1} END {print s + 0}'
}
run() { # port path → "req/s p50 p99 non-2xx cpu-µs/req"
  local pid=${pids[0]} t0 t1 g0 g1 out
  [[ $1 == 18182 ]] && pid=${pids[1]}
  t0=$(cpu_ticks "$pid") g0=$(pg_ticks)
  out=$(wrk -t2 -c16 -d"${secs}s" --latency -H "Cookie: session=$token" "http://127.0.0.1:$1$2")
  t1=$(cpu_ticks "$pid") g1=$(pg_ticks)
  awk -v ticks=$((t1 - t0)) -v pg=$((g1 - g0)) -v hz="$(getconf CLK_TCK)" '
    / requests in / {n=$1} /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "%s %s %s %s %.0f %.0f\n", rps, p50, p99, bad+0, (n ? ticks / hz * 1e6 / n : 0), (n ? pg / hz * 1e6 / n : 0)}' <<<"$out"
}
for path in /leads /dashboard; do
  curl -sf -o /dev/null -H "Cookie: session=$token" "http://127.0.0.1:18182$path" || { echo "$path: not 200 when signed in"; exit 1; }
  run 18181 "$path" >/dev/null; run 18182 "$path" >/dev/null # warm-up
  for i in $(seq "$rounds"); do
    if (( i % 2 )); then order="18181 18182"; else order="18182 18181"; fi
    for port in $order; do
      name=old; [[ $port == 18182 ]] && name=new
      echo "$path round $i $name $(run "$port" "$path")"
    done
  done
done > "$log"
cat "$log"
awk '
  { key=$1" "$4; rps[key]=rps[key]" "$5; p50[key]=p50[key]" "$6; p99[key]=p99[key]" "$7; cpu[key]=cpu[key]" "$9; pg[key]=pg[key]" "$10; if ($8 > 0) bad=1 }
  function med(list,   a, n, i, j, t) { n=split(list, a, " "); for (i=1;i<=n;i++) { v=a[i]; if (v ~ /ms$/) v+=0; else if (v ~ /us$/) v=v/1000; else if (v ~ /s$/) v=v*1000; a[i]=v+0 }
    for (i=1;i<=n;i++) for (j=i+1;j<=n;j++) if (a[j]<a[i]) { t=a[i]; a[i]=a[j]; a[j]=t } return a[int((n+1)/2)] }
  END { printf "\nmedians (req/s, p50 ms, p99 ms, web CPU µs/request, PostgreSQL CPU µs/request):\n"; for (k in rps) printf "%-16s %8.0f %8.2f %8.2f %8.0f %8.0f\n", k, med(rps[k]), med(p50[k]), med(p99[k]), med(cpu[k]), med(pg[k]);
        if (bad) print "NON-2XX RESPONSES SEEN" }' "$log"
