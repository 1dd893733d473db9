# Sourced by scripts/run and scripts/test: a local virtual environment with the locked
# dependencies. Reinstalls only when the lock file changed since the last install.
lock="$1"
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "iop behöver Python 3.11 eller senare (hittade $("$python" --version 2>&1))." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed-$(basename "$lock")"
if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$lock"
  cp "$lock" "$stamp"
fi
