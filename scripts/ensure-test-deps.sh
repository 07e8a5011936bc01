#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, only when missing (Debian packages):
#  - radicale: the real CalDAV server the calendar-sync tests start (test/support/radicale.ts)
#  - chromium: the real browser the dashboard test drives through playwright-core
# Runs before `npm test` (the `pretest` script) and therefore in CI too. Without root or sudo it
# only warns: the tests that need the missing program then fail and say so.
set -uo pipefail
missing=()
command -v radicale >/dev/null 2>&1 || python3 -c 'import radicale' >/dev/null 2>&1 || missing+=(radicale)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd="sudo -n"; else
    echo "warning: ${missing[*]} missing and no root to install them; the tests that need them will fail" >&2
    exit 0
  fi
fi
echo "installing test dependencies: ${missing[*]}" >&2
{ $sudo_cmd apt-get update -qq && $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
  || echo "warning: could not install ${missing[*]}; the tests that need them will fail and say so" >&2
exit 0
