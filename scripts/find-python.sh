#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or explains and fails.
# Looks on PATH first (python3.13, python3.12, python3.14, python3), then in pyenv.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.13 python3.12 python3.14 python3; do
  path=$(command -v "$name" 2>/dev/null) || continue
  # pyenv shims exist for versions that are not selected; running them fails, so test it.
  if ok "$path"; then echo "$path"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
  if ok "$dir/bin/python"; then echo "$dir/bin/python"; exit 0; fi
done
echo "This project needs Python 3.12 or newer (Django 6). None was found on PATH" \
     "(python3.13, python3.12) or under pyenv ($root/versions)." \
     "Install one, e.g. 'pyenv install 3.13', and run make again." >&2
exit 1
