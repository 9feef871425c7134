#!/usr/bin/env bash
# Installs the Debian packages the platform needs at run time when they are missing:
# CJK fonts (PDF briefings and charts), Pango (weasyprint) and gettext-free operation.
# Idempotent and quick when everything is present; uses sudo when not root.
set -euo pipefail

need=()
# Read the lists into variables first: `grep -q` on a pipe would end the writer early and
# pipefail would then report a false "missing".
fonts=$(fc-list :lang=zh 2>/dev/null || true)
libs=$(ldconfig -p 2>/dev/null || true)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
grep -qi "Noto Sans CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
grep -qi "WenQuanYi Zen Hei" <<<"$fonts" || need+=(fonts-wqy-zenhei)
grep -q "libpango-1.0" <<<"$libs" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "${WITH_BROWSER:-0}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)  # the scale-out tests
fi
if [ "${WITH_SCALED:-0}" = "1" ]; then  # make run-scaled
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${need[*]} (no apt-get here; install them by hand)." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing system packages: ${need[*]}; run as root or install sudo." >&2
    exit 1
  fi
fi
echo "Installing system packages: ${need[*]}"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
