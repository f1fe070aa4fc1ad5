#!/usr/bin/env bash
# Makes a fresh clone ready to run: Debian's prometheus (and chromium for browser tests), then npm ci
# unless node_modules already matches package-lock.json. Used by `npm start` and `npm test`.
# --browser: chromium too. --tools: the Go tools the integration tests run (Prometheus 3, Thanos,
# VictoriaMetrics, istioctl, the TSDB writer), built once
# from the Go module registry into .tools/bin (kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
browser=false
tools=false
for arg in "$@"; do
  case "$arg" in
    --browser) browser=true ;;
    --tools) tools=true ;;
  esac
done
if $browser && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! npm ls --depth=0 >/dev/null 2>&1; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# Pinned here only (harness/victoriaMetrics.ts runs what this installs). The cluster tags (v1.151.0-cluster) are refused by the module
# proxy here, so the single-node build it is.
VM_MODULE=github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics
VM_VERSION=v1.151.0
if $tools && [ ! -x .tools/bin/victoria-metrics ]; then
  command -v go >/dev/null || { echo "setup: Go is needed to build victoria-metrics (https://go.dev/dl/)" >&2; exit 1; }
  echo "setup: building victoria-metrics ${VM_VERSION} from the Go module registry (once, into .tools/bin)"
  GOBIN="$PWD/.tools/bin" go install "${VM_MODULE}@${VM_VERSION}"
fi

# Istio's own validation of the YAML the product writes (test/integration/istioValidate.test.ts):
# `istioctl validate -f` runs offline. The module is served as pseudo-versions only; this one is Istio's
# master of 2026-08-27. About 5 minutes to build on 2 cores, once.
ISTIOCTL_MODULE=istio.io/istio/istioctl/cmd/istioctl
ISTIOCTL_VERSION=v0.0.0-20260827124520-eed52ebb66ad
if $tools && [ ! -x .tools/bin/istioctl ]; then
  command -v go >/dev/null || { echo "setup: Go is needed to build istioctl (https://go.dev/dl/)" >&2; exit 1; }
  echo "setup: building istioctl ${ISTIOCTL_VERSION} from the Go module registry (once, into .tools/bin)"
  GOBIN="$PWD/.tools/bin" go install "${ISTIOCTL_MODULE}@${ISTIOCTL_VERSION}"
fi

# Prometheus 3, what users run: the integration suite's main Prometheus (Debian's 2.42 stays for the tests
# of the oldest supported version). Module v0.316.0 is Prometheus 3.16.0 (its VERSION file); the version
# is passed to the linker so /api/v1/status/buildinfo reports it, as a release build does. About 9
# minutes to build on 2 cores, once.
PROMETHEUS_MODULE=github.com/prometheus/prometheus/cmd/prometheus
PROMETHEUS_MODULE_VERSION=v0.316.0
PROMETHEUS_VERSION=3.16.0
if $tools && [ ! -x .tools/bin/prometheus ]; then
  command -v go >/dev/null || { echo "setup: Go is needed to build Prometheus 3 (https://go.dev/dl/)" >&2; exit 1; }
  echo "setup: building Prometheus ${PROMETHEUS_VERSION} (${PROMETHEUS_MODULE}@${PROMETHEUS_MODULE_VERSION}) from the Go module registry (once, into .tools/bin)"
  GOBIN="$PWD/.tools/bin" go install -ldflags "-X github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION}" \
    "${PROMETHEUS_MODULE}@${PROMETHEUS_MODULE_VERSION}"
fi

# The TSDB writer (harness/tools/tsdb-writer, on the Prometheus module pinned there): weeks of synthetic
# series for the week-long integration tests and the dashboard benchmark. Rebuilt when its source changes.
if $tools && { [ ! -x .tools/bin/tsdb-writer ] || [ -n "$(find harness/tools/tsdb-writer -newer .tools/bin/tsdb-writer -type f)" ]; }; then
  command -v go >/dev/null || { echo "setup: Go is needed to build harness/tools/tsdb-writer (https://go.dev/dl/)" >&2; exit 1; }
  echo "setup: building harness/tools/tsdb-writer (into .tools/bin)"
  (cd harness/tools/tsdb-writer && go build -o ../../../.tools/bin/tsdb-writer .)
fi

# Thanos, as users put it in front of several Prometheus servers (test/integration/thanos.test.ts).
# `go install` refuses it (replace directives), so harness/tools/thanos requires it and repeats them;
# it needs Go >= 1.26.10 (the Go module registry serves the go1.27.3 toolchain) and the build tags of its
# .promu.yml (without slicelabels the sidecar panics in gRPC on the first request).
THANOS_VERSION=0.42.5
if $tools && [ ! -x .tools/bin/thanos ]; then
  command -v go >/dev/null || { echo "setup: Go is needed to build Thanos (https://go.dev/dl/)" >&2; exit 1; }
  echo "setup: building Thanos ${THANOS_VERSION} from the Go module registry (once, into .tools/bin)"
  (cd harness/tools/thanos && GOTOOLCHAIN=go1.27.3 go build -tags netgo,slicelabels \
    -ldflags "-X github.com/prometheus/common/version.Version=${THANOS_VERSION}" \
    -o ../../../.tools/bin/thanos github.com/thanos-io/thanos/cmd/thanos)
fi

# The @grafana packages of the lowest Grafana plugin.json declares (grafanaDependency), as npm tarballs
# (`npm pack`: no install, so @grafana/ui's Git-hosted dependency does not matter), for
# test/integration/grafanaApis.test.ts, which reads their exports: fetched here, with the other tools, so
# no test needs the registry. Kept per version in .tools/grafana-min/<version>/.
if $tools; then
  GRAFANA_MIN=$(node -e "const m=/^>=\s*(\d+\.\d+\.\d+)$/.exec(require('./src/plugin.json').dependencies.grafanaDependency); if(!m){process.exit(1)} console.log(m[1])") \
    || { echo "setup: src/plugin.json grafanaDependency is not of the form >=X.Y.Z" >&2; exit 1; }
  dest=".tools/grafana-min/${GRAFANA_MIN}"
  for pkg in data ui runtime; do
    if [ ! -f "$dest/grafana-${pkg}-${GRAFANA_MIN}.tgz" ]; then
      mkdir -p "$dest"
      echo "setup: fetching @grafana/${pkg}@${GRAFANA_MIN} from the npm registry (once, into $dest)"
      npm pack "@grafana/${pkg}@${GRAFANA_MIN}" --silent --pack-destination "$dest" >/dev/null
    fi
  done
fi
