#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.10), or explain how to get one.
set -euo pipefail
for candidate in "${PYTHON310:-}" python3.10 "$HOME/.pyenv/versions/"3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [[ -n "$candidate" ]] || continue
  path=$(command -v "$candidate" 2>/dev/null || true)
  [[ -n "$path" && -x "$path" ]] || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  path="$(pyenv root)/versions/$(pyenv versions --bare | grep -E '^3\.10' | tail -n1)/bin/python3.10"
  [[ -x "$path" ]] && { echo "$path"; exit 0; }
fi
printf '%s\n' 'Sésame needs Python 3.10 (Rasa 3.6 supports 3.8 to 3.10 only) and none was found.' >&2
printf '%s\n' 'Install it, then run the command again, for example:' >&2
printf '%s\n' '  pyenv install 3.10.13        (with pyenv)' >&2
printf '%s\n' '  apt-get install python3.10 python3.10-venv    (on a distribution that ships it)' >&2
printf '%s\n' 'Or point PYTHON310 at an interpreter: make run PYTHON310=/path/to/python3.10' >&2
exit 1
