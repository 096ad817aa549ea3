#!/bin/sh
# The system packages `make test` needs beyond Python: Debian's Chromium (and a font for
# it) for the browser tests, npm for their accessibility checker, the fonts the social
# cards draw with, and RUM where a PostgreSQL server runs on this machine (quoted phrases
# use its index; without it they fall back to GIN). Installed with apt-get where it can
# (Debian or Ubuntu, as root or with sudo); otherwise one line says what to install, and
# the tests that need a missing package skip with the same advice.
set -u
python=${1:-python3}

missing=""
need() { missing="$missing $1"; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

"$python" -c "import ensurepip" 2>/dev/null || need python3-venv
command -v chromium >/dev/null || need "chromium fonts-liberation"
command -v npm >/dev/null || need npm
# Playwright drives the browser through its own Node.js, which links libatomic.
ldconfig -p 2>/dev/null | grep -q "libatomic.so.1 " || need libatomic1
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc ] || need fonts-noto-cjk
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need fonts-dejavu-core
for version in $(ls /etc/postgresql 2>/dev/null); do
  installed "postgresql-$version-rum" || need "postgresql-$version-rum"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "System packages missing (the tests that need them will skip):$missing"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "System packages missing (the tests that need them will skip): sudo apt-get install$missing"
  exit 0
fi
echo "Installing system packages:$missing"
# shellcheck disable=SC2086  # one word per package
$sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends $missing >/dev/null \
  || echo "Could not install:$missing (the tests that need them will skip)"
exit 0
