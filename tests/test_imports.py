"""Every module of perfscore imports on its own: no module depends on another having been
imported first (an import cycle shows up as a partly initialised module)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import perfscore

# One interpreter for all modules, to keep the test fast: before each import every perfscore
# module is dropped from sys.modules, so each import starts from nothing of perfscore's
# (third-party libraries stay loaded; they are not what is being checked).
_IMPORT_EACH = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "perfscore" or m.startswith("perfscore.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ":\\n" + traceback.format_exc())
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def _modules() -> list[str]:
    found = ["perfscore"]
    for info in pkgutil.walk_packages(perfscore.__path__, "perfscore."):
        found.append(info.name)
    return sorted(found)


def test_the_module_list_covers_the_stages() -> None:
    modules = _modules()
    assert len(modules) > 20
    assert {"perfscore.cli", "perfscore.api", "perfscore.__main__"} <= set(modules)


def test_no_public_name_is_shadowed_by_a_module() -> None:
    """Importing perfscore.X sets the package's attribute X to the module: a public function of
    the same name (perfscore.explain) would then be the module, depending on what ran first."""
    modules = {name.split(".")[1] for name in _modules() if name.count(".") == 1}
    assert not modules & set(perfscore.__all__)


def test_every_module_imports_alone() -> None:
    modules = [m for m in _modules() if m != "perfscore.__main__"]  # __main__ runs the CLI
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, *modules],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
