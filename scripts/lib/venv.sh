# Python virtual environments for the scripts that drive third-party clients (sourced, not run).

# pyNukiBT and the exact versions of its dependencies, as tested with Latchkey (PyPI).
PYNUKIBT_PINS=(pynukibt==0.0.20 async-timeout==5.0.1 bleak==3.1.0 bleak-retry-connector==4.7.1
               construct==2.10.70 crccheck==1.3.1 pynacl==1.6.2)

# ensure_venv <dir> <name==version>…: creates the venv <dir> with python3 when it is missing, and
# installs the pinned packages unless every one is already there at exactly that version.
ensure_venv() {
  local venv="$1"; shift
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || return 1
  if ! "$venv/bin/python" - "$@" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    sys.exit(any(version(n) != v for n, v in (a.split("==") for a in sys.argv[1:])))
except PackageNotFoundError:
    sys.exit(1)
PY
  then
    "$venv/bin/pip" install -q --disable-pip-version-check "$@" || return 1
  fi
}
