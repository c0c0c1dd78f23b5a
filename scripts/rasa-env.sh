#!/usr/bin/env bash
# Rasa's own environment, beside ours: Rasa Open Source 3.6 installs only on Python <= 3.10, with
# TensorFlow 2.12 and SQLAlchemy 1.4, so it cannot share .venv/. Created once under .rasa/ (git-ignored);
# a .pth file puts this checkout on its path, so config.yml can name nlu.rasa_components.
#
#   scripts/rasa-env.sh          create or update .rasa/venv, print its rasa command
#   scripts/rasa-env.sh python   print the Python 3.10 interpreter that would be used
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.rasa/venv"
RASA_VERSION=3.6.21
UNDERTHESEA_VERSION=9.5.0  # the versions our own environment uses
STDNUM_VERSION=2.2
PROVINCES_VERSION=2025.10.1  # the current commune-level units the entity finder knows

find_python310() {
    local candidate
    for candidate in "${PYTHON310:-}" "$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python "$HOME"/.pyenv/versions/3.10.*/bin/python \
                     "$(command -v python3.10 2>/dev/null)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Python 3.10 not found: install it (pyenv install 3.10) or set PYTHON310" >&2
    return 1
}

if [ "${1:-}" = "python" ]; then
    find_python310
    exit
fi

STAMP="$VENV/.installed-$RASA_VERSION-$UNDERTHESEA_VERSION-$STDNUM_VERSION-$PROVINCES_VERSION"
if [ ! -f "$STAMP" ]; then
    PYTHON="$(find_python310)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q "rasa==$RASA_VERSION" "underthesea==$UNDERTHESEA_VERSION" "python-stdnum==$STDNUM_VERSION" \
        "vietnam-provinces==$PROVINCES_VERSION"
    SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ROOT" > "$SITE/donghanh.pth"
    touch "$STAMP"
fi
echo "$VENV/bin/rasa"
