#!/usr/bin/env bash
# The black-box burst (burst.py, beside this script) against one pod of each build, in the worktrees ab-overload.sh makes: /tmp/qs-old (2940512, before) and /tmp/qs-new (HEAD, after).
set -uo pipefail
for v in old new; do
  d=/tmp/qs-$v
  (cd $d && dotnet build -c Release services/Quicksilver.Server 2>&1 | grep -E "Error\(s\)")
  (cd $d && dotnet run -c Release --no-build --project services/Quicksilver.Server -- --urls http://127.0.0.1:18600 > /tmp/burst-$v-server.log 2>&1 &)
  for i in $(seq 90); do curl -sf http://127.0.0.1:18600/health/ready >/dev/null && break; sleep 1; done
  echo "== $v $(git -C $d rev-parse --short HEAD) $(date +%T)"
  timeout 400 python3 "$(dirname "$0")/burst.py"
  pkill -f "Quicksilver.Server.*18600"; sleep 3
done
