#!/usr/bin/env bash
# Installs what billhound needs to build and run, and nothing that is already there:
#   - Debian packages: chromium (the browser portal scripts drive), xvfb (the virtual display of
#     headful mode, BILLHOUND_BROWSER_MODE=headful), nodejs + npm (Playwright's driver runs on
#     Node; the SPA is built with Vite), fonts so screenshots show text, rclone (a WebDAV server
#     for the export tests);
#   - the Playwright driver, version 1.52.0 (the one playwright-go v0.5200.1 speaks to), as a
#     folder holding `package` -> playwright-core and `node` -> the system node;
#   - the SPA's npm packages (frontend/node_modules).
# Used by `make run`, `make test`, .ci/run and the Dockerfile, so all of them set up the same way.
# Never downloads a browser: Chromium comes from Debian.
#
# Environment:
#   BILLHOUND_PLAYWRIGHT_DRIVER  where the driver folder goes (default: .cache/playwright-driver)
#   INSTALL_PARTS                which parts to install (default: "system driver frontend go";
#                                "go" only checks that Go is there: it is not packaged well enough);
#                                the Dockerfile's stages each take the parts they need
set -euo pipefail
parts=" ${INSTALL_PARTS:-system driver frontend go} "
want() { [[ "$parts" == *" $1 "* ]]; }

root=$(cd "$(dirname "$0")/.." && pwd)
driver_dir=${BILLHOUND_PLAYWRIGHT_DRIVER:-$root/.cache/playwright-driver}
playwright_version=1.52.0

say() { printf '==> %s\n' "$*"; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "install-deps: not root and no sudo; install the missing packages by hand" >&2
  fi
fi

missing=()
if want system; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/Xvfb ] || missing+=(xvfb)
  # Not grep -q: quitting early kills fc-list with SIGPIPE, which pipefail counts as a failure.
  if ! fc-list 2>/dev/null | grep -i dejavu >/dev/null; then missing+=(fonts-dejavu-core fontconfig); fi
  [ -d /etc/ssl/certs ] && [ -n "$(ls -A /etc/ssl/certs 2>/dev/null)" ] || missing+=(ca-certificates)
  # rclone serves WebDAV on loopback in the export tests (`rclone serve webdav`).
  command -v rclone >/dev/null 2>&1 || missing+=(rclone)
fi
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Playwright driver: playwright-core from npm plus a link to the system node.
installed=""
if ! want driver; then installed=$playwright_version; fi
if want driver && [ -f "$driver_dir/package/package.json" ]; then
  installed=$(node -p "require('$driver_dir/package/package.json').version" 2>/dev/null || true)
fi
if [ "$installed" != "$playwright_version" ]; then
  say "Playwright driver $playwright_version -> $driver_dir"
  mkdir -p "$driver_dir/npm"
  (cd "$driver_dir/npm" &&
    { [ -f package.json ] || echo '{"name":"billhound-playwright-driver","private":true}' > package.json; } &&
    npm install --no-audit --no-fund --loglevel=error "playwright-core@$playwright_version" >/dev/null)
  ln -sfn npm/node_modules/playwright-core "$driver_dir/package"
fi
if want driver; then ln -sfn "$(command -v node)" "$driver_dir/node"; fi

if want frontend && [ -f "$root/frontend/package.json" ]; then
  if [ ! -d "$root/frontend/node_modules" ] || [ "$root/frontend/package-lock.json" -nt "$root/frontend/node_modules/.package-lock.json" ]; then
    say "npm ci (frontend)"
    (cd "$root/frontend" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi

if want go && ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
  echo "install-deps: Go is missing; install Go 1.26 (https://go.dev/doc/install) and run again" >&2
  exit 1
fi
say "dependencies ready"
