"""Installing perfscore once and using it from any folder, with or without internet.

The offline folder (tools/offline_bundle.py) is built once for the session (see conftest.py).
On Linux it is installed for real, with the network cut, into a fresh environment outside the
source tree, and perfscore then assesses the sample from a folder whose name has Chinese and a
space. The Windows part cannot be installed here: every Windows target is proved complete by a
dry-run resolution that may use only the folder's wheels.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "tools"))
import offline_bundle as bundle_tool

pytestmark = [pytest.mark.bundle, pytest.mark.slow]


def _network_cut() -> list[str]:
    """A prefix that runs a command with no network, where this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def test_offline_folder_installs_with_no_index_and_runs_anywhere(
    offline_bundle: Path, tmp_path: Path
) -> None:
    cut = _network_cut()
    if not cut:
        pytest.skip("unshare -n is not permitted here: the network cannot be cut for the install")
    home, bin_dir = tmp_path / "home", tmp_path / "bin"
    env = {
        **os.environ,
        "PERFSCORE_HOME": str(home),
        "PERFSCORE_BIN": str(bin_dir),
        "PYTHON": sys.executable,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": "",
        "PIP_CONSTRAINT": "",
        "PIP_CONFIG_FILE": os.devnull,
    }
    install = subprocess.run(
        [*cut, "sh", str(offline_bundle / "install.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    assert "安装完成" in install.stdout

    data = tmp_path / "政协 数据"
    data.mkdir()
    shutil.copy(SAMPLE, data / "2023年 登记.xlsx")
    perfscore = bin_dir / "perfscore"
    run = subprocess.run(
        [*cut, str(perfscore), "assess", "2023年 登记.xlsx", "--quiet"],
        cwd=data,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}},
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert (data / "2023年 登记-考核结果.xlsx").stat().st_size > 10_000

    where = subprocess.run(
        [
            str(home / "venv" / "bin" / "python"),
            "-c",
            "import perfscore; print(perfscore.__file__)",
        ],
        cwd=data,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(home), where
    assert not Path(where).is_relative_to(ROOT)


@pytest.mark.parametrize("python", bundle_tool.PYTHONS)
def test_windows_part_is_complete(offline_bundle: Path, python: str) -> None:
    check = bundle_tool.check_target(
        offline_bundle / "wheels", bundle_tool.Target("windows", python)
    )
    assert check.returncode == 0, check.stderr
    assert "colorama" in check.stderr + check.stdout  # the Windows-only dependency of typer


def test_the_check_fails_when_a_windows_only_wheel_is_missing(
    offline_bundle: Path, tmp_path: Path
) -> None:
    """The completeness check can fail: without colorama, Windows cannot be installed."""
    partial = tmp_path / "wheels"
    partial.mkdir()
    for wheel in (offline_bundle / "wheels").iterdir():
        if not wheel.name.startswith("colorama"):
            (partial / wheel.name).symlink_to(wheel)
    check = bundle_tool.check_target(partial, bundle_tool.Target("windows", "3.12"))
    assert check.returncode != 0
    assert "colorama" in check.stderr


def test_installers_are_readable_on_windows(offline_bundle: Path) -> None:
    ps1 = (offline_bundle / "install.ps1").read_bytes()
    assert ps1.startswith(b"\xef\xbb\xbf"), "Windows PowerShell 5 needs the BOM to read Chinese"
    assert b"\r\n" in ps1 and b"--no-index" in ps1
    bat = (offline_bundle / "install.bat").read_bytes()
    assert b"\r\n" in bat and b"chcp 65001" in bat and b"install.ps1" in bat
    wheels = {p.name.split("-")[0].lower() for p in (offline_bundle / "wheels").iterdir()}
    assert {"perfscore", "pandas", "numpy", "colorama", "python_calamine"} <= wheels
