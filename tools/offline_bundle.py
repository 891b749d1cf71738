"""Build the offline installation folder (离线安装包) for offices without internet access.

    uv run python tools/offline_bundle.py                 # dist/perfscore-offline/
    uv run python tools/offline_bundle.py --zip           # and dist/perfscore-offline.zip

The folder holds perfscore's wheel and the wheels of every dependency at the versions in
uv.lock, for Windows x64 and Linux x64 and CPython 3.11, 3.12 and 3.13, plus one-line
installers (install.bat / install.ps1 for Windows, install.sh for Linux) and a 说明.txt.

Each target's requirement set is resolved by ``uv pip compile --python-platform`` (pinned to
the lock), so platform-only dependencies such as colorama on Windows are included; pip's own
``download --platform`` evaluates markers for the machine it runs on and would leave them out.
After downloading, every target is checked by a dry-run installation with no index that uses
only the folder; a target that cannot be installed from it stops the build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13")


@dataclass(frozen=True)
class Target:
    """One platform and Python version the bundle installs on."""

    system: str  # "windows" or "linux"
    python: str  # "3.12"

    @property
    def uv_platform(self) -> str:
        return {"windows": "x86_64-pc-windows-msvc", "linux": "x86_64-manylinux_2_28"}[self.system]

    @property
    def pip_platforms(self) -> list[str]:
        if self.system == "windows":
            return ["win_amd64"]
        return [f"manylinux_2_{minor}_x86_64" for minor in (28, 17, 12, 5)] + [
            "manylinux2014_x86_64",
            "manylinux2010_x86_64",
            "manylinux1_x86_64",
        ]

    @property
    def label(self) -> str:
        return f"{self.system}-cp{self.python.replace('.', '')}"


def targets(systems: Sequence[str], pythons: Sequence[str]) -> list[Target]:
    return [Target(system, python) for system in systems for python in pythons]


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if run.returncode != 0:
        raise SystemExit(f"失败：{' '.join(command)}\n{run.stdout}\n{run.stderr}")
    return run


def _pip() -> list[str]:
    """pip to download with: this interpreter's, or uv's tool runner where it has none."""
    probe = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
    return [sys.executable, "-m", "pip"] if probe.returncode == 0 else ["uvx", "pip"]


def _constraints(work: Path) -> Path:
    """The locked versions of every dependency, as pip constraints."""
    locked = _run(
        ["uv", "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"],
        cwd=ROOT,
    ).stdout
    path = work / "constraints.txt"
    path.write_text(locked, encoding="utf-8")
    return path


def _download(target: Target, constraints: Path, wheels: Path, work: Path) -> None:
    requirements = work / f"{target.label}.txt"
    _run(
        [
            "uv", "pip", "compile", str(ROOT / "pyproject.toml"),
            "-c", str(constraints),
            "--python-platform", target.uv_platform,
            "--python-version", target.python,
            "--no-header", "--no-annotate", "--quiet",
            "-o", str(requirements),
        ],
        cwd=ROOT,
    )  # fmt: skip
    platforms = [arg for p in target.pip_platforms for arg in ("--platform", p)]
    _run(
        [
            *_pip(), "download", "--quiet", "--no-deps", "--only-binary=:all:",
            *platforms,
            "--python-version", target.python,
            "--implementation", "cp",
            "-d", str(wheels),
            "-r", str(requirements),
        ]
    )  # fmt: skip


def check_target(wheels: Path, target: Target) -> subprocess.CompletedProcess[str]:
    """A dry-run installation of perfscore for ``target`` from ``wheels`` alone (no index)."""
    with tempfile.TemporaryDirectory() as empty:
        return subprocess.run(
            [
                "uv", "pip", "install", "--dry-run", "--no-index",
                "--find-links", str(wheels),
                "--python-platform", target.uv_platform,
                "--python-version", target.python,
                "--target", empty,
                "perfscore",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "UV_NO_CONFIG": "1"},
        )  # fmt: skip


INSTALL_SH = """\
#!/bin/sh
# 离线安装 perfscore（Linux）：在本文件夹中运行   sh install.sh
# 装到 $PERFSCORE_HOME（默认 ~/.local/share/perfscore），命令 perfscore 链接到 ~/.local/bin。
# --no-compile: Python compiles each module the first time perfscore runs instead.
set -e
here=$(cd "$(dirname "$0")" && pwd)
home=${PERFSCORE_HOME:-$HOME/.local/share/perfscore}
bin=${PERFSCORE_BIN:-$HOME/.local/bin}
python=${PYTHON:-python3}
"$python" -m venv "$home/venv"
"$home/venv/bin/python" -m pip install --quiet --no-compile --no-index --find-links "$here/wheels" --upgrade perfscore
mkdir -p "$bin"
ln -sf "$home/venv/bin/perfscore" "$bin/perfscore"
echo "安装完成：$bin/perfscore"
case ":$PATH:" in *":$bin:"*) ;; *) echo "请把 $bin 加入 PATH，或用完整路径运行 perfscore。" ;; esac
"""

INSTALL_PS1 = """\
# 离线安装 perfscore（Windows PowerShell）：在本文件夹中右键“使用 PowerShell 运行”，或运行
#   powershell -ExecutionPolicy Bypass -File install.ps1
$ErrorActionPreference = "Stop"
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$target = Join-Path $env:LOCALAPPDATA "perfscore"
$python = (Get-Command py -ErrorAction SilentlyContinue)
if ($python) { & py -3 -m venv "$target\\venv" } else { & python -m venv "$target\\venv" }
if ($LASTEXITCODE -ne 0) { Write-Host "没有找到 Python 3.11/3.12/3.13。请先安装 Python（安装时勾选 Add python.exe to PATH）。"; exit 1 }
& "$target\\venv\\Scripts\\python.exe" -m pip install --quiet --no-compile --no-index --find-links "$here\\wheels" --upgrade perfscore
if ($LASTEXITCODE -ne 0) { Write-Host "安装失败：请确认 Python 版本是 3.11、3.12 或 3.13（64 位）。"; exit 1 }
$scripts = "$target\\venv\\Scripts"
$path = [Environment]::GetEnvironmentVariable("Path", "User")
if (-not $path) { $path = "" }
if (-not ($path.Split(";") -contains $scripts)) {
    [Environment]::SetEnvironmentVariable("Path", ($path.TrimEnd(";") + ";" + $scripts).TrimStart(";"), "User")
}
Write-Host "安装完成。请关闭并重新打开命令窗口，然后输入 perfscore --help 试一试。"
"""

INSTALL_BAT = """\
@echo off
chcp 65001 >nul
rem 离线安装 perfscore（Windows）：双击本文件即可。
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1"
pause
"""

README_TXT = """\
perfscore 离线安装包
====================

本文件夹可以在不能上网的电脑上安装 perfscore（政协委员履职考核积分工具）。

需要：64 位的 Python 3.11、3.12 或 3.13（Windows 或 Linux）。

Windows：双击 install.bat。装好后关闭并重新打开“命令提示符”或 PowerShell，
         输入  perfscore --help  试一试。
Linux：  在本文件夹中运行  sh install.sh

wheels 文件夹中是 perfscore 及其全部依赖的安装文件，不要改动。
详细步骤见 perfscore 文档 docs/install.md。
"""


def write_installers(out: Path) -> None:
    (out / "install.sh").write_text(INSTALL_SH, encoding="utf-8", newline="\n")
    (out / "install.sh").chmod(0o755)
    # Windows PowerShell 5 reads a script without a byte-order mark in the ANSI code page.
    (out / "install.ps1").write_text(INSTALL_PS1, encoding="utf-8-sig", newline="\r\n")
    (out / "install.bat").write_text(INSTALL_BAT, encoding="utf-8", newline="\r\n")
    (out / "说明.txt").write_text(README_TXT, encoding="utf-8-sig", newline="\r\n")


def build(
    out: Path, systems: Sequence[str] = ("windows", "linux"), pythons: Sequence[str] = PYTHONS
) -> list[Target]:
    """Build the bundle folder ``out`` (replaced if it exists); returns the targets checked."""
    if out.exists():
        shutil.rmtree(out)
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    _run(["uv", "build", "--wheel", "--out-dir", str(wheels), "--quiet"], cwd=ROOT)
    chosen = targets(systems, pythons)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        constraints = _constraints(work)
        with ThreadPoolExecutor(max_workers=len(chosen)) as pool:  # downloads wait on the network
            list(pool.map(lambda t: _download(t, constraints, wheels, work), chosen))
    for target in chosen:
        check = check_target(wheels, target)
        if check.returncode != 0:
            raise SystemExit(f"{target.label}：不能只用本文件夹安装。\n{check.stderr}")
    write_installers(out)
    return chosen


def write_zip(folder: Path) -> Path:
    """``folder`` as a zip beside it, entries in sorted order with fixed times."""
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(
                f"{folder.name}/{path.relative_to(folder).as_posix()}", (2020, 1, 1, 0, 0, 0)
            )
            info.external_attr = (path.stat().st_mode & 0o777) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return archive


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="生成 perfscore 离线安装包（Windows x64 与 Linux x64）。"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "perfscore-offline")
    parser.add_argument("--zip", action="store_true", help="另外打成 .zip")
    parser.add_argument("--system", nargs="+", default=["windows", "linux"])
    parser.add_argument("--python", nargs="+", default=list(PYTHONS))
    args = parser.parse_args(argv)
    checked = build(args.out, args.system, args.python)
    print(f"已生成：{args.out}（{', '.join(t.label for t in checked)}，均已用无索引安装检查）")
    if args.zip:
        print(f"已生成：{write_zip(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
