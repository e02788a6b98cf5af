#!/usr/bin/env bash
# Overload preset, admission control before (2940512) and after (HEAD), interleaved, same machine; makes the two worktrees ab-burst.sh uses too.
set -uo pipefail
old=/tmp/qs-old; new=/tmp/qs-new
rm -rf $old $new /tmp/ab; mkdir -p /tmp/ab
git -C /work/main worktree remove --force $old 2>/dev/null; git -C /work/main worktree remove --force $new 2>/dev/null
git -C /work/main worktree add -q --detach $old 2940512
git -C /work/main worktree add -q --detach $new HEAD
for d in $old $new; do
  (cd $d && dotnet build -c Release loadtests/Quicksilver.LoadTest 2>&1 | grep -E "Error\(s\)" && dotnet build -c Release tools/Quicksilver.Platform 2>&1 | grep -E "Error\(s\)")
done
for i in 1 2; do
  for v in old new; do
    d=/tmp/qs-$v
    echo "== $v run $i $(date +%T)"
    (cd $d && timeout 300 dotnet run -c Release --no-build --project loadtests/Quicksilver.LoadTest -- --scenario overload --platform local --duration 20 --port 18300 --out /tmp/ab/$v-$i > /tmp/ab/$v-$i.log 2>&1; echo "rc=$?")
    grep -E "^\| target \| [0-9]" /tmp/ab/$v-$i/summary.md | head -1
    grep -E "TTFT|E2E" /tmp/ab/$v-$i/summary.md | head -2
    grep -E "PASS|FAIL" /tmp/ab/$v-$i/summary.md
  done
done
