#!/usr/bin/env bash
# publish-harness.sh [FOLDER] — publishes the GPU harness as a device run carries it (self-contained for linux-x64,
# trimmed; default publish/gpu-harness) and records the digest of its sources beside it (SOURCES.sha256), which
# run-device-checks.sh compares with the tree it runs in.
set -euo pipefail
folder="${1:-publish/gpu-harness}"
dotnet publish tools/Quicksilver.GpuHarness -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -o "$folder"
bash tools/gpu/harness-sources.sh > "$folder/SOURCES.sha256"
echo "published $folder (sources $(cat "$folder/SOURCES.sha256"))"
