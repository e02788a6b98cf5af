#!/usr/bin/env bash
# harness-sources.sh — prints one SHA-256 over the sources the GPU harness is published from (the engine, the harness,
# the bench files it links, the embedded kernels, the build props and the SDK pin), so a device run can refuse a stale
# publish in seconds instead of measuring an old engine against new kernels. Run from the repository root; needs only
# find, sort and sha256sum (both machines have them).
set -euo pipefail
# Ignored files under these folders would be here but not on the device (only bin/ and obj/ are, and they are pruned):
# an ignored generated source here would make every device run refuse its harness.
find global.json Directory.Build.props Directory.Packages.props tools/Directory.Build.props services/Quicksilver.Engine \
    tools/Quicksilver.GpuHarness tools/Quicksilver.Bench kernels \
    -type d \( -name bin -o -name obj -o -name emulator \) -prune -o \
    -type f \( -name '*.json' -o -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.cu' -o -name '*.cuh' \) -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
