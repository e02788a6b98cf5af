#!/usr/bin/env bash
# A pod stopped with SIGSTOP (it still accepts connections, answers nothing) behind the gateway, on the Release launcher
# (gateway + two CPU pods): how long its begun streams and its unanswered requests take to end, and what the gateway
# does when every pod stops. Prints what each client got and the gateway's log lines. Run from the repository root.
set -uo pipefail
P=${PORT:-18900}
OUT=${OUT:-/tmp/hung-pod}
rm -rf "$OUT"; mkdir -p "$OUT"
dotnet build -c Release tools/Quicksilver.Platform 2>&1 | grep -E "Error\(s\)"
(dotnet run -c Release --no-build --project tools/Quicksilver.Platform -- --port $P > "$OUT/platform.log" 2>&1 &)
for i in $(seq 120); do grep -q "Ctrl+C stops everything" "$OUT/platform.log" && break; sleep 1; done
KEY=$(grep -A2 'API key:' "$OUT/platform.log" | grep -o 'qs-[A-Za-z0-9_-]*' | head -1)
pod_pid() { pgrep -f "Quicksilver.Server.dll --urls http://127.0.0.1:$1"; }
POD1=$(pod_pid $((P + 1))); POD2=$(pod_pid $((P + 2)))
post() { # name, body: writes $OUT/name.txt and "name status seconds" to $OUT/times.txt
  local start end code
  start=$(date +%s.%N)
  code=$(curl -sN -o "$OUT/$1.txt" -w "%{http_code}" -m 300 "http://127.0.0.1:$P/v1/completions" \
    -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" -d "$2")
  end=$(date +%s.%N)
  echo "$1 $code $(echo "$end - $start" | bc)" >> "$OUT/times.txt"
}
gateway_log() { grep -E "\[gateway\].*($1)" "$OUT/platform.log" | sed 's/^.*\[gateway\] *//'; }

echo "== 1. four streams of 512 tokens; once every stream has its first chunk, SIGSTOP one of the two pods"
for i in 1 2 3 4; do post "stream$i" '{"model":"quicksilver-tiny","prompt":"And God said","max_tokens":512,"temperature":0,"stream":true,"ignore_eos":true}' & done
begun() { local n=0 f; for f in "$OUT"/stream?.txt; do grep -q '^data: {"id"' "$f" 2>/dev/null && n=$((n + 1)); done; echo $n; }
for i in $(seq 600); do [ "$(begun)" -eq 4 ] && break; sleep 0.1; done
for i in 1 2 3 4; do echo "stream$i: $(grep -c '^data: {"id"' "$OUT/stream$i.txt") chunks before the stop"; done
for p in $((P + 1)) $((P + 2)); do echo "pod $p: $(curl -s http://127.0.0.1:$p/load)"; done
echo "SIGSTOP pod $((P + 2)) at $(date +%T.%N | cut -c1-12)"; kill -STOP "$POD2"
wait
sort "$OUT/times.txt"
for i in 1 2 3 4; do echo "stream$i: $(grep -c '^data: {"id"' "$OUT/stream$i.txt") chunks, then: $(grep '^data: ' "$OUT/stream$i.txt" | tail -2 | cut -c1-150 | tr '\n' ' ')"; done
gateway_log "taken for hung"
kill -CONT "$POD2"; sleep 6; gateway_log "answers again"

echo "== 2. SIGSTOP the same pod again, then four non-streamed requests 0.3 s apart"
: > "$OUT/times.txt"; kill -STOP "$POD2"
for i in 1 2 3 4; do post "plain$i" '{"model":"quicksilver-tiny","prompt":"And God said","max_tokens":32,"temperature":0}' & sleep 0.3; done
wait; sort "$OUT/times.txt"; gateway_log "taken for hung" | tail -1
kill -CONT "$POD2"; sleep 6

echo "== 3. SIGSTOP both pods for 25 s: the gateway blames itself and ejects neither; after SIGCONT, a request every 0.5 s"
kill -STOP "$POD1" "$POD2"; sleep 25
gateway_log "None of the|taken for hung" | tail -2
kill -CONT "$POD1" "$POD2"; resumed=$(date +%s.%N)
for i in $(seq 12); do
  sleep 0.5
  code=$(curl -s -o /dev/null -w "%{http_code}" -m 60 "http://127.0.0.1:$P/v1/completions" -H "Authorization: Bearer $KEY" \
    -H "Content-Type: application/json" -d '{"model":"quicksilver-tiny","prompt":"And God said","max_tokens":16,"temperature":0}')
  echo "$(echo "$(date +%s.%N) - $resumed" | bc | cut -c1-4) s after SIGCONT: $code"
done
grep -E "Active health state|reports on its load poll" "$OUT/platform.log" | sed 's/^.*\[gateway\] *//' | tail -6

pkill -f "Quicksilver.Platform.*--port $P"; sleep 2
pkill -f "Quicksilver.(Server|Gateway).dll --urls http://127.0.0.1:$P" 2>/dev/null; pkill -f "127.0.0.1:$((P + 1))"; pkill -f "127.0.0.1:$((P + 2))"
