#!/usr/bin/env bash
# Installs the third-party tracking SDK clients the compatibility tests drive, at the
# versions pinned in the repo:
#   - tests/js: @segment/analytics-node, @rudderstack/rudder-sdk-node, wscat, and for the
#     browser tests playwright-core and @segment/analytics-next, from
#     tests/js/package-lock.json with `npm ci`;
#   - Chromium (Debian packages chromium and chromium-driver, at /usr/bin/chromium), which
#     the browser tests drive headless through playwright-core;
#   - tests/py/.venv: segment-analytics-python and openapi-spec-validator (for the OpenAPI
#     document's test) and their dependencies, from tests/py/requirements.txt.
# Also the command-line tools the README's examples use (curl, jq, openssl, sqlite3).
# Fails (never skips) when node, npm, python3 or Chromium is missing and cannot be installed. Idempotent; a second run
# reuses tests/js/node_modules when it matches the lockfile and skips pip when the venv's
# stamp matches requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "install-test-clients: $*" >&2
  exit 1
}

for tool in node npm python3; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool not found: the SDK client tests need Node.js 20+ with npm and Python 3 with venv (Debian: apt-get install nodejs npm python3 python3-venv)"
done

# The README's examples, which the test suite runs as written, call these. Debian has them
# as packages of the same names; install them when missing and allowed to (root with apt).
missing=()
for tool in curl jq openssl sqlite3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
      die "apt-get could not install ${missing[*]} (the README examples' tools)"
  else
    die "${missing[*]} not found: the README example test needs curl, jq, openssl and sqlite3 (Debian: apt-get install ${missing[*]})"
  fi
fi

# The browser tests (crates/cli/tests/binary/browser/) run Debian's Chromium headless.
if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null ||
      die "apt-get could not install chromium and chromium-driver (the browser tests' browser)"
  else
    die "/usr/bin/chromium not found: the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver, as root)"
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is needed (@segment/analytics-node 3 requires it); found $(node --version)"

# --- Node SDKs ---------------------------------------------------------------------------
# npm ci always deletes and reinstalls node_modules; skip it when the installed tree was
# made by this script from this very package.json + lockfile (the stamp lives inside
# node_modules, so any other npm ci, e.g. scripts/test.sh's, also clears it).
js_stamp=tests/js/node_modules/.clickwire-lock.sha256
js_hash=$(sha256sum tests/js/package-lock.json tests/js/package.json | sha256sum | cut -d' ' -f1)
if [ -f "$js_stamp" ] && [ "$(cat "$js_stamp")" = "$js_hash" ] &&
  [ -d tests/js/node_modules/@segment/analytics-node ] &&
  [ -d tests/js/node_modules/@rudderstack/rudder-sdk-node ] &&
  [ -d tests/js/node_modules/playwright-core ] &&
  [ -d tests/js/node_modules/@segment/analytics-next ]; then
  echo "install-test-clients: tests/js/node_modules is up to date"
else
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
  echo "$js_hash" >"$js_stamp"
fi

# --- Python SDK --------------------------------------------------------------------------
venv=tests/py/.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" ||
    die "python3 -m venv failed (Debian: apt-get install python3-venv)"
fi
py_stamp=$venv/.requirements.sha256
py_hash=$({ sha256sum tests/py/requirements.txt; "$venv/bin/python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)
if [ -f "$py_stamp" ] && [ "$(cat "$py_stamp")" = "$py_hash" ]; then
  echo "install-test-clients: $venv is up to date"
else
  rm -f "$py_stamp"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/py/requirements.txt
  echo "$py_hash" >"$py_stamp"
fi

# A last check that each SDK loads, so a broken install fails here and not in a test.
node --input-type=module -e "
  await import('./tests/js/node_modules/@segment/analytics-node/dist/cjs/index.js');
  await import('./tests/js/node_modules/@rudderstack/rudder-sdk-node/cjs/index.js');
  await import('./tests/js/node_modules/playwright-core/index.mjs');
" || die "the Node SDKs in tests/js/node_modules do not load"
[ -f tests/js/node_modules/@segment/analytics-next/dist/umd/index.js ] ||
  die "tests/js/node_modules/@segment/analytics-next has no browser build (dist/umd/index.js)"
/usr/bin/chromium --version >/dev/null 2>&1 || die "/usr/bin/chromium does not run"
"$venv/bin/python" -c 'import segment.analytics' ||
  die "segment.analytics does not import in $venv"
"$venv/bin/python" -c 'import openapi_spec_validator' ||
  die "openapi_spec_validator does not import in $venv"
echo "install-test-clients: ready"
