"""The command line: each command parses its arguments and calls one library function.

Exit codes: 0 done; 1 the input has errors (nothing was written); 2 could not run (bad
arguments, unreadable file, invalid rules). Results go to stdout; problems to stderr.
Heavy libraries (pandas, the xlsx readers) are imported inside the commands, so ``--help``
answers at once.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer
from rich.console import Console

from . import __version__
from .errors import PerfscoreError, Severity
from .usage import ChineseGroup

if TYPE_CHECKING:
    from .assessment import Assessment
    from .privacy import MaskMode

__all__ = ["app", "main"]

app = typer.Typer(
    name="perfscore",
    cls=ChineseGroup,
    help="政协委员履职考核积分工具：从活动登记工作簿计算年度履职得分、等次和排名，每一分都可追溯到来源单元格。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(
    help="检查积分规则文件（rules check），或把规则整理成便于印发的中文摘要（rules show）。",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")
archive_app = typer.Typer(
    help="履职档案（一人一档）：把已有的考核结果写入档案（archive add），查看档案中的年度（archive info），升级档案格式（archive upgrade）。",
    no_args_is_help=True,
)
app.add_typer(archive_app, name="archive")

T = TypeVar("T")

# The one workbook most commands read (a folder of CSV registers is for assess and check).
WorkbookArgument = Annotated[
    Path,
    typer.Argument(
        help="活动登记工作簿（.xlsx/.xlsm/.xls/.ods）", dir_okay=False, metavar="工作簿"
    ),
]
# An archive the command reads (archive add, which may create one, declares its own).
ArchiveArgument = Annotated[
    Path, typer.Argument(help="履职档案（SQLite 文件）", dir_okay=False, metavar="档案")
]
RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        "-r",
        help="积分规则文件（YAML）；不写则用自带的 rules/default.yaml",
        dir_okay=False,
    ),
]
YearOption = Annotated[
    int | None,
    typer.Option("--year", help="考核年度；不写则取规则文件中的 year，或记录日期中最多的年份"),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="只输出错误")]
MaskOption = Annotated[
    bool,
    typer.Option(
        "--mask",
        help="写出对外公开的“公开版”：只有名次、隐去的姓名（只显示第一个字，如 张**）、等次和 --public-columns 所列的列，"
        "没有积分明细、数据提示、评优依据和委员编号；屏幕输出中的姓名也隐去",
    ),
]
# report and shortlist write a public version with a fixed set of columns; explain writes none.
MaskPublicOption = Annotated[
    bool,
    typer.Option(
        "--mask",
        help="写出对外公开的“公开版”：只有名次、隐去的姓名（只显示第一个字，如 张**）和等次或入选情况，"
        "没有积分明细、评优依据和委员编号；屏幕输出中的姓名也隐去",
    ),
]
MaskScreenOption = Annotated[
    bool,
    typer.Option("--mask", help="屏幕输出中隐去姓名，只显示第一个字（如 张**）；不写出文件"),
]
ArchiveOption = Annotated[
    Path | None,
    typer.Option(
        "--archive",
        help="履职档案（SQLite 文件，如 档案.sqlite；没有则新建）：把本年度写入档案，处理提示从档案读取本届往年结果；规则须写明届次（term）",
        dir_okay=False,
    ),
]
UnitOption = Annotated[
    str | None,
    typer.Option(
        "--unit",
        help="档案中的单位名称：多个单位共用一个档案时区分（同一单位各年度须写得一样）；"
        "不写则取工作簿写明的单位（委员名单表头上方或填表说明中的“单位：…”），工作簿没有写明时为空",
    ),
]
ReplaceOption = Annotated[
    bool,
    typer.Option("--replace", help="档案中已有该年度时替换它（替换的时间和前后文件记录在档案中）"),
]
AllowDuplicatesOption = Annotated[
    bool,
    typer.Option(
        "--allow-duplicates",
        help="同一委员、同一会议或活动、同一日期的两条相同记录都计分（不写则视为重复登记，报错）",
    ),
]
SkipBadRowsOption = Annotated[
    bool,
    typer.Option(
        "--skip-bad-rows",
        help="跳过有错误的部分（名单中没有的姓名只跳过这个姓名，其他错误跳过整行；逐条列在“数据提示”中，注明若计入是多少分，并按委员合计），"
        "不因此停止；名单、缺表、缺列的错误仍会停止",
    ),
]
AllowMissingSheetsOption = Annotated[
    bool,
    typer.Option(
        "--allow-missing-sheets",
        help="工作簿中没有规则按它计分的登记表（如本年度没有调研报告）时照常计分：按这张表计分的项目全体委员都得 0 分，"
        "并给出警告（不写则报错；也可在规则文件 input.optional_sheets 中写明哪些表可以没有）",
    ),
]
MaskIdsOption = Annotated[bool, typer.Option("--mask-ids", help="同 --mask，但姓名以委员编号代替")]
PublicColumnsOption = Annotated[
    str,
    typer.Option(
        "--public-columns",
        help="公开版另外列出的列，用逗号分隔：界别、专委会、总分、界别内名次、专委会内名次（如 界别,总分）",
    ),
]


def _consoles(quiet: bool = False) -> tuple[Console, Console]:
    """stdout and stderr, each showing control characters in what it prints as visible signs."""
    from .display import SafeConsole

    out = SafeConsole(quiet=quiet, highlight=False, soft_wrap=True)
    err = SafeConsole(
        stderr=True, highlight=False, soft_wrap=True
    )  # one message, one line: logs stay greppable
    return out, err


def _run(err: Console, action: Callable[[], T], catch: tuple[type[Exception], ...] = ()) -> T:
    """Run a library call; turn perfscore's errors into a message and an exit code.

    Errors of the types in ``catch`` are left to the caller.
    """
    from .writers.terminal import print_problems

    try:
        return action()
    except catch:
        raise
    except PerfscoreError as exc:
        err.print(exc.message, style="red", markup=False)
        print_problems(err, exc.problems)
        if any(p.severity is Severity.ERROR for p in exc.problems) and exc.exit_code == 1:
            err.print("未写出任何结果。请按上面的提示修改工作簿后重新运行。")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("已中断。")
        raise typer.Exit(130) from None
    except (
        OSError
    ) as exc:  # the disk or the system said no (full, no permission, file open elsewhere)
        _say_os_error(err, exc)
        raise typer.Exit(2) from None
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        refused = _os_error_in(exc)
        if refused is not None:  # a writer's own exception wrapping the system's refusal
            _say_os_error(err, refused)
            raise typer.Exit(2) from None
        if os.environ.get("PERFSCORE_DEBUG"):
            raise
        err.print(f"[red]内部错误：{type(exc).__name__}: {exc}[/red]")
        err.print(
            "这是 perfscore 的缺陷，不是您的数据问题。设置环境变量 PERFSCORE_DEBUG=1 重新运行可看到详细信息，请报告给开发者。"
        )
        raise typer.Exit(2) from None


def _next_step(err: Console, quiet: bool, text: str) -> None:
    """The last line on a person's terminal: what to do next (stderr, so the results on stdout
    stay as they are; nothing under --quiet, in pipes or in cron)."""
    if not quiet and _on_terminal(err):
        err.print(f"下一步：{text}", markup=False, highlight=False)


def _arg(path: Path | str) -> str:
    """A path as the clerk would type it again: quoted when it holds a space."""
    text = str(path)
    return f'"{text}"' if any(c.isspace() for c in text) else text


def _os_error_in(exc: BaseException) -> OSError | None:
    """The OSError inside a library's exception (xlsxwriter's FileCreateError carries the
    system's refusal as its argument), if there is one."""
    for inner in (*exc.args[:1], exc.__cause__, exc.__context__):
        if isinstance(inner, OSError):
            return inner
    return None


def _say_os_error(err: Console, exc: OSError) -> None:
    where = f"（{exc.filename}）" if exc.filename else ""
    err.print(
        f"无法读写文件{where}：{exc.strerror or exc}。请检查磁盘空间和文件权限，以及文件是否正被 Excel 或 WPS 打开。",
        style="red",
        markup=False,
    )


def _mask_mode(mask: bool, mask_ids: bool) -> MaskMode | None:
    """--mask / --mask-ids -> the mode of perfscore.privacy (IDs win when both are given)."""
    return "id" if mask_ids else "name" if mask else None


def _public_columns(text: str) -> tuple[str, ...]:
    """--public-columns 界别,总分 -> ("界别", "总分"); Chinese commas and 、 also separate."""
    import re

    return tuple(part for part in re.split(r"[,，、\s]+", text) if part)


# Inputs from this size on (all input files together) get the stage display on a terminal.
# Size on disk is known before reading starts and grows with run time (docs/performance.md has
# the times at each size): 1 MB of .xlsx is some 30,000 register rows, a run long enough that
# staff want to see which stage it is in; a smaller run is over before a display would help.
# .xls and .csv are not compressed, so they reach it with fewer rows: early, harmless.
LARGE_INPUT_BYTES = 1024 * 1024

# The library's stage names (perfscore.api, perfscore.quarterly) as the display shows them.
STAGE_LABELS = {
    "读取": "读取工作簿",
    "整理": "整理记录",
    "计分": "计分",
    "排名": "排名与评优",
    "统计": "统计进度",
    "写出结果": "写出结果",
    "写出名单": "写出名单",
    "写出通报": "写出通报",
    "写入档案": "写入履职档案",
}


def _input_bytes(paths: list[Path]) -> int:
    """The size on disk of the inputs: files as given, a folder by its files."""
    total = 0
    for path in paths:
        try:
            files = [f for f in path.iterdir() if f.is_file()] if path.is_dir() else [path]
            total += sum(f.stat().st_size for f in files)
        except OSError:  # missing or unreadable: the command itself says so
            pass
    return total


def _on_terminal(console: Console) -> bool:
    """The console writes to a person's terminal: a real tty that rich treats as interactive
    (TERM=dumb or TTY_INTERACTIVE=0 say no; FORCE_COLOR asks for colours in a log, not for a display)."""
    isatty = getattr(console.file, "isatty", None)
    return console.is_interactive and isatty is not None and isatty()


def _shows_stages(console: Console, err: Console, inputs: list[Path], quiet: bool = False) -> bool:
    """The stage display (on stderr) only for someone watching a long run: not --quiet, stdout and stderr
    both a terminal (a redirected stdout means a script or cron is reading), and the inputs large.
    Otherwise nothing extra is printed."""
    return (
        not quiet
        and _on_terminal(console)
        and _on_terminal(err)
        and _input_bytes(inputs) >= LARGE_INPUT_BYTES
    )


@contextmanager
def _stages(err: Console, show: bool) -> Iterator[Callable[[str], None] | None]:
    """The stage display on stderr. Yields ``step`` for the library's ``on_stage=``: each call
    adds a line for the stage starting and marks the one before done; every line shows its
    seconds. The last stage is marked done on leaving, or 未完成 when an error leaves. The display
    starts with the first stage (an error before it, such as bad rules, prints only the error).
    Yields None (no display at all) when not ``show``."""
    if not show:
        yield None
        return
    from rich.progress import Progress, TextColumn
    from rich.table import Column

    display = Progress(
        TextColumn("{task.fields[mark]}"),
        TextColumn("{task.description}"),
        TextColumn("{task.fields[state]}", table_column=Column(width=6)),  # 进行中 / 完成 / 未完成
        TextColumn("{task.elapsed:>6.1f} 秒"),
        console=err,
        refresh_per_second=4,
    )
    running: list = []

    def finish(done: bool) -> None:
        if running:
            task = running.pop()
            display.update(
                task,
                mark="[green]√[/green]" if done else "[red]×[/red]",
                state="完成" if done else "[red]未完成[/red]",
            )
            display.stop_task(task)

    def step(stage: str) -> None:
        if not display.live.is_started:
            display.start()
        finish(True)
        running.append(display.add_task(STAGE_LABELS.get(stage, stage), mark="…", state="进行中"))

    try:
        yield step
    except BaseException:
        finish(False)
        raise
    else:
        finish(True)
    finally:
        if display.live.is_started:
            display.stop()


@contextmanager
def _files_display(
    err: Console, show: bool, count: int
) -> Iterator[Callable[[object], None] | None]:
    """For many workbooks: one line counting the finished ones, with a bar and the seconds.
    Yields the ``on_done`` callback of perfscore.batch.assess_many, or None when not ``show``."""
    if not show:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    display = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.elapsed:>6.1f} 秒"),
        console=err,
        refresh_per_second=4,
    )
    with display:
        task = display.add_task("考核工作簿", total=count)
        yield lambda _item: display.advance(task)


def _assess_with_stages(
    console: Console,
    err: Console,
    workbook: Path,
    rules: Path | None,
    year: int | None,
    allow_missing_sheets: bool = False,
    skip_bad_rows: bool = False,
    allow_duplicates: bool = False,
) -> Assessment:
    """``api.assess`` with the stage display (explain, shortlist: commands that write nothing large)."""
    from .api import assess as run_assess

    with _stages(err, _shows_stages(console, err, [workbook])) as step:
        return run_assess(
            workbook,
            rules,
            year=year,
            allow_missing_sheets=allow_missing_sheets,
            skip_bad_rows=skip_bad_rows,
            allow_duplicates=allow_duplicates,
            on_stage=step,
            consequences=False,
        )


@app.command()
def assess(
    workbooks: Annotated[
        list[Path],
        typer.Argument(
            help="活动登记工作簿（.xlsx/.xlsm/.xls/.ods），或存放各登记表 .csv 的文件夹；给多个工作簿或一个存放工作簿的文件夹时逐个考核",
            metavar="工作簿...",
        ),
    ],
    rules: RulesOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="输出文件：.xlsx（默认，工作簿旁的“<文件名>-考核结果.xlsx”；--mask 时为公开版“-考核结果-公开版.xlsx”）、.json，或 .csv（总排名和分项得分一张表；公开版也可写 .csv）",
        ),
    ] = None,
    year: YearOption = None,
    previous: Annotated[
        list[Path] | None,
        typer.Option(
            "--previous",
            "-p",
            help="往年的考核结果（.xlsx 或 .json），用于“连续两年不称职”等处理提示；可写多次",
            dir_okay=False,
        ),
    ] = None,
    archive: ArchiveOption = None,
    unit: UnitOption = None,
    replace: ReplaceOption = False,
    mask: MaskOption = False,
    mask_ids: MaskIdsOption = False,
    public_columns: PublicColumnsOption = "",
    skip_bad_rows: SkipBadRowsOption = False,
    allow_duplicates: AllowDuplicatesOption = False,
    allow_missing_sheets: AllowMissingSheetsOption = False,
    combined: Annotated[
        Path | None,
        typer.Option(
            "--combined",
            help="多个工作簿时：全部考核完成后再写出各单位对比汇总（.xlsx 或 .json），同 perfscore combine；有单位出错时不写汇总",
            dir_okay=False,
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """年度履职考核：计分、等次、排名、双五个一完成情况和分组统计，写入结果工作簿。

    多个工作簿（或一个存放工作簿的文件夹）时，同时用上全部 CPU 逐个考核，各写入各自的结果（--out 为目录），
    最后列出每个文件的结果；某个文件出错不影响其他文件，退出码取各文件中最大的一个。
    加 --combined 汇总.xlsx 时再把各单位的结果汇总比较（见 perfscore combine），一条命令完成全年。

    进度：在终端上运行、输入合计 1 MB 以上时，在标准错误逐行显示各阶段（读取工作簿、整理记录、计分、排名与评优、写出结果）
    是否完成及用时，多个工作簿时显示已完成几个；输出被重定向（管道、cron）、加 --quiet 或输入较小时不显示，输出与平时相同。

    示例：perfscore assess 2023.xlsx --rules 本单位积分办法.yaml --out 2023-考核结果.xlsx
    """
    from .batch import expand_workbooks

    console, err = _consoles(quiet)
    expanded = expand_workbooks(workbooks)
    if combined is not None:  # a combined workbook from an earlier run is not a unit
        expanded = [w for w in expanded if w.resolve() != combined.resolve()]
    empty = [
        str(w)
        for w in workbooks
        if w.is_dir() and w not in expanded and not any(e.parent == w for e in expanded)
    ]
    if empty:
        err.print(
            f"{'、'.join(empty)} 是文件夹，但其中没有工作簿（.xlsx/.xlsm/.xls/.ods）或 .csv 登记表；请指定工作簿文件",
            markup=False,
        )
        raise typer.Exit(2)
    if len(expanded) != 1 or len(workbooks) != 1 or expanded[0] != workbooks[0]:
        if mask or mask_ids or previous or archive:
            err.print(
                "多个工作簿一起考核时不能用 --mask、--mask-ids、--previous 或 --archive；请逐个运行"
            )
            raise typer.Exit(2)
        _assess_batch(
            console,
            err,
            expanded,
            rules,
            out,
            year,
            skip_bad_rows,
            allow_duplicates,
            quiet,
            combined,
            allow_missing_sheets,
        )
        return
    if combined is not None:
        err.print("--combined 用于多个工作簿（或一个存放工作簿的文件夹）；只有一个单位时无需汇总")
        raise typer.Exit(2)
    workbook = expanded[0]
    from .api import (
        archive_assessment,
        default_output_path,
        default_public_path,
        write_outputs,
        write_public,
        written_files,
    )
    from .api import assess as run_assess
    from .writers.terminal import print_summary

    masking = _mask_mode(mask, mask_ids)
    target = out or (default_public_path(workbook) if masking else default_output_path(workbook))
    columns = _public_columns(public_columns)

    def run():
        with _stages(err, _shows_stages(console, err, [workbook], quiet)) as step:
            result = run_assess(
                workbook,
                rules,
                year=year,
                previous=previous,
                skip_bad_rows=skip_bad_rows,
                allow_duplicates=allow_duplicates,
                allow_missing_sheets=allow_missing_sheets,
                on_stage=step,
                archive=archive,
                unit=unit,
            )
            if archive is not None:
                archive_assessment(  # assess checked the archive as it read it
                    result,
                    archive,
                    workbook=workbook,
                    unit=unit,
                    replace_year=replace,
                    on_stage=step,
                    verify=False,
                )
            if masking:
                from .privacy import mask_assessment

                if step is not None:
                    step("写出结果")
                write_public(result, target, mode=masking, columns=columns, source=workbook)
                return mask_assessment(result, masking)
            write_outputs(result, target, source=workbook, on_stage=step)
        return result

    result = _run(err, run)
    print_summary(console, result, [target] if masking else written_files(result, target))
    if archive is not None:
        console.print(f"已写入履职档案：{archive}（{result.year} 年度）")
    _next_step(
        err,
        quiet,
        f"perfscore explain {_arg(workbook)} 姓名（查看一位委员每一分的来历）；"
        f"perfscore shortlist {_arg(workbook)}（评优建议名单）",
    )


def _assess_batch(
    console: Console,
    err: Console,
    workbooks: list[Path],
    rules: Path | None,
    out: Path | None,
    year: int | None,
    skip_bad_rows: bool,
    allow_duplicates: bool,
    quiet: bool,
    combined: Path | None = None,
    allow_missing_sheets: bool = False,
) -> None:
    from rich.table import Table

    from .batch import assess_many

    if not workbooks:
        err.print(
            "没有找到要考核的工作簿：文件夹中没有 .xlsx/.xlsm/.xls/.ods 工作簿，也没有 .csv 登记表",
            markup=False,
        )
        raise typer.Exit(2)
    if out is not None and not out.is_dir():
        err.print(f"多个工作簿一起考核时，--out 须是已存在的目录：{out}")
        raise typer.Exit(2)
    if combined is not None and (
        combined.suffix.lower() not in (".xlsx", ".json") or not combined.parent.is_dir()
    ):
        err.print(f"--combined 须是已存在目录中的 .xlsx 或 .json 文件：{combined}", markup=False)
        raise typer.Exit(2)

    def run():
        with _files_display(
            err, _shows_stages(console, err, workbooks, quiet), len(workbooks)
        ) as on_done:
            return assess_many(
                workbooks,
                rules,
                out_dir=out,
                year=year,
                skip_bad_rows=skip_bad_rows,
                allow_duplicates=allow_duplicates,
                allow_missing_sheets=allow_missing_sheets,
                on_done=on_done,
                keep_units=combined is not None,
            )

    items = _run(err, run)
    table = Table(title=f"考核 {len(items)} 个工作簿", title_justify="left", show_edge=False)
    for header in ("工作簿", "退出码", "委员", "等次", "结果"):
        table.add_column(header, overflow="fold")
    for item in items:
        grades = "  ".join(f"{g} {n}" for g, n in item.grades.items())
        table.add_row(
            str(item.workbook),
            str(item.exit_code),
            str(item.members or ""),
            grades,
            str(item.out) if item.out else item.message,
        )
    console.print(table)
    failed = [item for item in items if item.exit_code]
    console.print(f"完成 {len(items) - len(failed)} 个，出错 {len(failed)} 个。")
    _next_step(
        err,
        quiet,
        "出错的工作簿用 perfscore check 工作簿 逐个查看；"
        "perfscore explain 工作簿 姓名 查看一位委员每一分的来历",
    )
    if failed:
        if combined is not None:
            err.print(
                f"有 {len(failed)} 个工作簿未能考核，未写出汇总 {combined}：汇总须包括全部单位。"
                "请改正后重新运行，或用 perfscore combine 汇总已有的结果",
                markup=False,
            )
        raise typer.Exit(max(item.exit_code for item in failed))
    if combined is not None:
        _combine_and_report(console, err, [item.unit for item in items], combined, False)


def _combine_and_report(
    console: Console,
    err: Console,
    results: list,
    out: Path,
    allow_mixed_rules: bool,
    year: int | None = None,
) -> None:
    from .api import combine as run_combine
    from .api import write_combined
    from .combine import HIGHER

    def run():
        result = run_combine(results, year=year, allow_mixed_rules=allow_mixed_rules)
        write_combined(result, out)
        return result

    result = _run(err, run)
    overview = result.tables["单位对比"]
    console.print(
        f"汇总 {len(result.units)} 个单位、{len(result.members)} 名委员（{result.year} 年度）"
        f"{'，各单位积分办法不同' if result.mixed_rules else ''}：已写出 {out}"
    )
    best = overview[overview[f"平均分名次（{HIGHER}）"] == 1]  # every unit tied for the best
    console.print(
        f"平均分最高：{'、'.join(best['单位'])}（{best['平均分'].iloc[0]:.2f}）", markup=False
    )


@app.command()
def combine(
    results: Annotated[
        list[Path],
        typer.Argument(
            help="各单位的考核结果（perfscore assess 写出的 .xlsx 或 .json）、存放它们的文件夹，"
            "或履职档案（.sqlite：取档案中该年度的每个单位）",
            metavar="结果文件...",
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="从履职档案汇总时的考核年度；档案中只有一个年度时可不写，有多个年度时必须写",
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="汇总文件：.xlsx（默认 汇总.xlsx，在当前目录）或 .json"),
    ] = Path("汇总.xlsx"),
    allow_mixed_rules: Annotated[
        bool,
        typer.Option(
            "--allow-mixed-rules",
            help="各单位所用规则文件不同（SHA-256 不同）时仍然汇总；各表注明每个单位所用的规则文件",
        ),
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """汇总比较各单位：人数、等次分布、平均分和中位数、双五个一各项完成率、各类别平均分、评优入选数，
    各单位在每项上的名次，以及全部委员的总排名（注明单位），并配原生图表。

    单位名称取自各工作簿（委员名单表头上方或“填表说明”中写“单位：城关区政协”），没有写明时取文件名。
    给履职档案（assess --archive 或 archive add 写入的 .sqlite）时，取档案中该年度的每个单位（按单位名称排列），
    与从各单位结果文件汇总的结果相同；档案与结果文件可以一起给，同一单位只能出现一次。
    各结果须是同一年度、用同一个规则文件（SHA-256 相同）计分的，否则列出每个文件所用的年度或规则并退出（退出码 2）；
    确需并列不同积分办法时加 --allow-mixed-rules。

    示例：perfscore combine 各县区/ --out 2023-汇总.xlsx

    示例：perfscore combine 档案.sqlite --year 2023 --out 2023-汇总.xlsx
    """
    console, err = _consoles(quiet)
    _combine_and_report(console, err, results, out, allow_mixed_rules, year)


@app.command()
def check(
    workbook: Annotated[
        Path, typer.Argument(help="活动登记工作簿，或存放各登记表 .csv 的文件夹", metavar="工作簿")
    ],
    rules: RulesOption = None,
    year: YearOption = None,
    allow_duplicates: AllowDuplicatesOption = False,
    allow_missing_sheets: AllowMissingSheetsOption = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            "--skip-bad-rows",
            help="预览 assess --skip-bad-rows 会跳过什么：每一处跳过的部分（若计入是多少分）和每位委员的合计；不写文件",
        ),
    ] = False,
) -> None:
    """检查工作簿：一次列出所有错误和警告（工作表、单元格、读到的值、问题和建议），不写出任何文件。

    退出码：0 没有错误（可能有警告）；1 有错误；2 无法运行（文件或规则无法读取）。

    示例：perfscore check samples/2023.xlsx
    """
    from .api import check as run_check
    from .writers.terminal import print_problems, print_skipped

    console, err = _consoles()

    def run():
        with _stages(err, _shows_stages(console, err, [workbook])) as step:
            return run_check(
                workbook,
                rules,
                year=year,
                allow_duplicates=allow_duplicates,
                allow_missing_sheets=allow_missing_sheets,
                skip_bad_rows=skip_bad_rows,
                on_stage=step,
            )

    report = _run(err, run)
    print_problems(console, report.problems)
    if report.skipped:
        print_skipped(console, report.skipped, report.decimals, planned=True)
    verdict = f"检查 {workbook}：错误 {len(report.errors)} 处，警告 {len(report.warnings)} 处。"
    if report.errors:
        console.print(verdict + "请按上面的提示修改后再计分。")
        _next_step(err, False, f"按提示修改后，再运行 perfscore check {_arg(workbook)}")
        raise typer.Exit(1)
    if report.skipped:
        console.print(verdict + "用 --skip-bad-rows 计分时跳过上面所列的项目，其余照常计分。")
        _next_step(
            err,
            False,
            f"perfscore assess {_arg(workbook)} --skip-bad-rows（或按提示修改后不跳过）",
        )
        return
    console.print(
        verdict
        + (
            "可以计分。"
            if not report.warnings
            else "可以计分；警告所说的记录未计分或已按提示处理。"
        )
    )
    _next_step(err, False, f"perfscore assess {_arg(workbook)}（写出年度考核结果）")


@app.command()
def explain(
    workbook: WorkbookArgument,
    member: Annotated[str, typer.Argument(help="委员编号或姓名", metavar="委员")],
    rules: RulesOption = None,
    year: YearOption = None,
    mask: MaskScreenOption = False,
    mask_ids: MaskIdsOption = False,
    allow_missing_sheets: AllowMissingSheetsOption = False,
    skip_bad_rows: SkipBadRowsOption = False,
    allow_duplicates: AllowDuplicatesOption = False,
) -> None:
    """逐条列出一位委员的得分：规则、来源单元格、分值和说明，合计即总分；其后是关于整个工作簿的提示（如隐藏的行、缺少的登记表）。

    示例：perfscore explain 2023.xlsx 张三
    """
    from .explanation import explain as run_explain
    from .writers.terminal import print_explanation

    console, err = _consoles()
    result = _run(
        err,
        lambda: _assess_with_stages(
            console,
            err,
            workbook,
            rules,
            year,
            allow_missing_sheets,
            skip_bad_rows,
            allow_duplicates,
        ),
    )
    explanation = _run(err, lambda: run_explain(result, member, mask=_mask_mode(mask, mask_ids)))
    print_explanation(console, explanation)
    _next_step(err, False, f"perfscore shortlist {_arg(workbook)}（评优建议名单）")


@app.command()
def shortlist(
    workbook: WorkbookArgument,
    award: Annotated[
        list[str] | None,
        typer.Option("--award", "-a", help="只看这项评选（编号或名称），可写多次；不写则列出全部"),
    ] = None,
    rules: RulesOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="另存为 .xlsx、.json，或 .docx（评选结果公示，公文格式，姓名写全称，公示时间和联系人留空待填）",
        ),
    ] = None,
    year: YearOption = None,
    mask: MaskPublicOption = False,
    mask_ids: MaskIdsOption = False,
    allow_missing_sheets: AllowMissingSheetsOption = False,
    skip_bad_rows: SkipBadRowsOption = False,
    allow_duplicates: AllowDuplicatesOption = False,
) -> None:
    """评优建议名单：按规则中的评选（优秀委员、优秀提案、优秀社情民意信息）列出入选者及依据、
    差一点入选者及原因，以及各界别、专委会的名额平衡。

    --out 公示.docx 写出评选结果公示（Word，公文格式）；--mask 在工作簿旁写出“<年度>年度评优名单-公开版.xlsx”
    （每项评选一张表：序号、隐去的姓名或标题、界别），屏幕上的姓名也隐去。

    示例：perfscore shortlist 2023.xlsx --award 优秀委员 --out 2023年度评优公示.docx
    """
    from .api import select_shortlists, write_shortlists
    from .writers.terminal import print_shortlists

    console, err = _consoles()
    masking = _mask_mode(mask, mask_ids)
    result = _run(
        err,
        lambda: _assess_with_stages(
            console,
            err,
            workbook,
            rules,
            year,
            allow_missing_sheets,
            skip_bad_rows,
            allow_duplicates,
        ),
    )
    lists = _run(err, lambda: select_shortlists(result, award))
    if masking:
        from .privacy import mask_assessment
        from .writers.public import public_shortlists_path, write_public_shortlists

        public = public_shortlists_path(workbook, result.year)
        _run(err, lambda: write_public_shortlists(result, lists, public, mode=masking))
        masked = mask_assessment(dataclasses.replace(result, shortlists=lists), masking)
        print_shortlists(console, masked.shortlists)
        console.print(f"已写入公开版：{public}")
    else:
        print_shortlists(console, lists)
    from .rules.example import example_notice

    if example_notice(result.rules):
        console.print(f"注意：{example_notice(result.rules)}", style="yellow", markup=False)
    if out is not None:
        if masking:
            err.print("--mask 与 --out 不能同时使用：公示（.docx）写全名，公开版由 --mask 写出")
            raise typer.Exit(2)
        _run(err, lambda: write_shortlists(result, lists, out, source=workbook))
        console.print(f"已写入：{out}")
        _next_step(err, False, f"核对 {_arg(out)} 中的入选依据，按本单位程序研究、公示")
    else:
        _next_step(
            err, False, f"perfscore shortlist {_arg(workbook)} --out 评优名单.xlsx（写成文件存档）"
        )


@app.command()
def report(
    workbook: WorkbookArgument,
    quarter: Annotated[str | None, typer.Option("--quarter", help="通报的季度，如 2023Q2")] = None,
    month: Annotated[str | None, typer.Option("--month", help="通报的月份，如 2023-05")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="截至某日，如 2023-06-30（该日所在季度的第一天至该日）"),
    ] = None,
    rules: RulesOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir", "-d", help="输出目录（须已存在）；不写则为工作簿所在目录", file_okay=False
        ),
    ] = None,
    mask: MaskPublicOption = False,
    mask_ids: MaskIdsOption = False,
    allow_missing_sheets: AllowMissingSheetsOption = False,
    quiet: QuietOption = False,
) -> None:
    """季度/月度履职进度通报：到期末的积分、双五个一完成进度、需要提醒的委员和落后较多的分组，写出 .xlsx、.md 和 Word 通报（.docx）。

    期间：--quarter、--month、--as-of 只写一个；都不写则为今天之前最近一个已结束的季度。期间须在工作簿的考核年度内。

    积分：按同一积分办法，只计期末及以前日期的记录，所以第四季度的积分就是全年考核总分；并与上期末比较。

    进度：应完成项数 = 全部项数 × 已过的任期比例（按月计，全年在任者第二季度末为 6/12），舍去小数；已完成不少于应完成为“达标”。

    年中到任或离任的委员按本年任期计算比例；期末尚未到任或已离任的委员不评进度，也不提醒。规则详见 docs/scoring.md 第 8 节。

    需要提醒：进度落后，或本期没有履职记录（会议请假、缺席和信息被采用不算履职记录）。

    输出：“<期间>-季度履职通报.xlsx”“.md”和“.docx”（Word 通报，公文格式；月份为“月度履职通报”，--as-of 为“履职进度通报”），已有则整体替换。
    --mask 时只写公开版“<期间>-季度履职通报-公开版.xlsx”（名次、隐去的姓名、界别、进度）。

    标准输出只打印写出的文件路径，每行一个；提示和错误写到标准错误。不询问；只在终端上处理较大的工作簿时才在标准错误显示各阶段进度，cron 下不显示，适合定时运行，见 docs/cron.md。

    示例：perfscore report 2023.xlsx --quarter 2023Q2 --out-dir 通报
    """
    from .api import report as run_report
    from .quarterly import resolve_period
    from .writers.quarterly import summary_sentence
    from .writers.terminal import print_problems

    console, err = _consoles(quiet)
    period = _run(err, lambda: resolve_period(quarter, month, as_of))
    if period.unfinished and not quiet:
        err.print(
            f"{period.label} 还没有结束：通报只计到今天（{period.end:%Y-%m-%d}）为止的记录，"
            f"标题注明“截至{period.end.month}月{period.end.day}日”；期末以后请再运行一次。",
            markup=False,
        )

    masking = _mask_mode(mask, mask_ids)

    def run():
        with _stages(err, _shows_stages(console, err, [workbook], quiet)) as step:
            if masking:
                from .quarterly import assess_progress
                from .writers.public import write_public_progress

                folder = out_dir if out_dir is not None else workbook.parent
                if not folder.is_dir():
                    from .errors import UsageError

                    raise UsageError(f"输出目录不存在：{folder}")
                found = assess_progress(
                    workbook,
                    period,
                    rules,
                    on_stage=step,
                    allow_missing_sheets=allow_missing_sheets,
                )
                if step is not None:
                    step("写出通报")
                return found, [write_public_progress(found, folder, mode=masking).absolute()]
            return run_report(
                workbook,
                period,
                rules=rules,
                out_dir=out_dir,
                on_stage=step,
                allow_missing_sheets=allow_missing_sheets,
            )

    result, paths = _run(err, run)
    if not quiet:
        if masking:
            from .privacy import mask_assessment

            result = mask_assessment(result, masking)
        err.print(summary_sentence(result), markup=False)
        print_problems(err, result.warnings, limit=10)
    for path in paths:
        console.out(
            str(path), highlight=False
        )  # one path a line, never wrapped: scripts read these
    _next_step(err, quiet, f"把通报（{paths[0].name} 等）发给各界别、专委会，提醒进度落后的委员")


@app.command(
    short_help="年度考核情况通报（Word，公文格式）：各等次人数、分组情况、列名的委员和处理意见。"
)
def notice(
    workbook: WorkbookArgument,
    rules: RulesOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="输出的 .docx；不写则为工作簿旁的“<年度>年度委员履职考核情况通报.docx”",
            dir_okay=False,
        ),
    ] = None,
    year: YearOption = None,
    previous: Annotated[
        list[Path] | None,
        typer.Option(
            "--previous",
            "-p",
            help="往年的考核结果（.xlsx 或 .json），用于“连续两年不称职”等处理意见；可写多次",
            dir_okay=False,
        ),
    ] = None,
    allow_missing_sheets: AllowMissingSheetsOption = False,
    quiet: QuietOption = False,
) -> None:
    """年度考核情况通报（Word，公文格式）：总体情况和各等次人数、各界别和专委会情况、
    列名等次（规则 documents.listed_grades，默认最高和最低两档）的委员名单，以及处理意见。

    文号、日期留空待填；落款为规则 documents.unit（不写则留空位）。字体字号见 docs/outputs.md。

    示例：perfscore notice 2023.xlsx --rules 本单位积分办法.yaml
    """
    from .api import assess as run_assess
    from .api import write_notice
    from .writers.documents import annual_notice_path, grade_counts

    console, err = _consoles(quiet)

    def run():
        with _stages(err, _shows_stages(console, err, [workbook], quiet)) as step:
            result = run_assess(
                workbook,
                rules,
                year=year,
                previous=previous,
                allow_missing_sheets=allow_missing_sheets,
                on_stage=step,
            )
            if step is not None:
                step("写出通报")
            target = out or annual_notice_path(workbook, result.year)
            return result, write_notice(result, target, source=workbook)

    result, path = _run(err, run)
    counts = "，".join(f"{grade} {n} 人" for grade, n in grade_counts(result))
    if not quiet:
        from .rules.example import example_notice

        notice_text = example_notice(result.rules)
        if notice_text:
            err.print(f"注意：{notice_text}", style="yellow", markup=False)
        err.print(f"{result.year} 年度：委员 {len(result.members)} 人，{counts}。", markup=False)
    console.out(str(path), highlight=False)


@app.command()
def template(
    out: Annotated[
        Path,
        typer.Argument(
            help="要写出的空白工作簿（.xlsx），如 2024.xlsx", dir_okay=False, metavar="工作簿"
        ),
    ],
    rules: RulesOption = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="示例行的日期所在年度；不写则取规则文件中的 year，或文件名开头的年份（如 2024.xlsx），或今年",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="文件已存在时替换它（不写则不覆盖已有文件）")
    ] = False,
) -> None:
    """生成空白的活动登记工作簿（填表模板）：各登记表的表头、下拉列表、日期和文本格式、示例行，以及“填表说明”。

    下拉列表取自积分办法中的词（含规则文件 input 中本单位的词）：只接受固定用词的列（如提案状态、出勤情况）
    不能填其他词；会议类型、活动类型等可填本单位的类型。委员编号等编号列设为文本格式，0001 不会变成 1。

    灰色斜体的行是示例，填写前请删除。已有同名文件时不覆盖，除非加 --force。

    示例：perfscore template 2024.xlsx --rules 本单位积分办法.yaml
    """
    from .template import write_template

    console, err = _consoles()
    path = _run(err, lambda: write_template(out, rules, year=year, overwrite=force))
    console.print(f"已写入：{path}")
    _next_step(
        err,
        False,
        f"在 Excel 或 WPS 中打开 {_arg(path)}，删去灰色示例行，按“填表说明”填写；"
        f"填好后运行 perfscore check {_arg(path)}",
    )


@rules_app.command("check")
def rules_check(
    file: Annotated[
        Path, typer.Argument(help="规则文件（YAML）", dir_okay=False, metavar="规则文件")
    ],
) -> None:
    """检查规则文件：一次列出所有问题及其行号、列号。

    退出码：0 没有错误（可能有提示）；1 发现错误；2 无法读取文件。

    示例：perfscore rules check rules/default.yaml
    """
    from .errors import RulesError
    from .rules import load_rules
    from .writers.terminal import print_problems

    console, err = _consoles()
    try:
        loaded = _run(err, lambda: load_rules(file), catch=(RulesError,))
    except RulesError as exc:
        err.print(exc.message, style="red", markup=False)
        print_problems(err, exc.problems)
        raise typer.Exit(1) from None
    rules = loaded.rules
    print_problems(err, list(loaded.warnings))
    items = sum(len(c.items) for c in rules.categories)
    console.print(
        f"{file}：没有发现错误。{rules.scheme}（{rules.version}），{len(rules.categories)} 个类别，{items} 个计分项，"
        f"{len(rules.grades)} 档等次。"
    )
    _next_step(err, False, f"perfscore assess 工作簿 --rules {_arg(file)}")


@rules_app.command("show")
def rules_show(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="规则文件（YAML）；不写则为自带的 rules/default.yaml",
            dir_okay=False,
            metavar="[规则文件]",
        ),
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", "-m", help="输出 Markdown，便于粘贴到通知或转成文档")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="写成文件：.docx（可印发的办法，Word 公文格式）或 .md",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """把积分办法整理成中文摘要：各类别计分项、分值、上限、等次和清单，可直接用于印发通知。

    示例：perfscore rules show rules/default.yaml --out 积分办法.docx
    """
    from .rules import load_rules
    from .rules.summary import summarise, summary_markdown
    from .writers.terminal import print_rules_summary

    console, err = _consoles()
    loaded = _run(err, lambda: load_rules(file))
    if out is not None:
        from .api import write_rules_document

        path = _run(err, lambda: write_rules_document(loaded, out))
        console.print(f"已写入：{path}")
        return
    summary = summarise(loaded.rules)
    if markdown:
        # plain text, no rich markup: it is meant to be pasted
        from .display import visible

        print(visible(summary_markdown(summary)))
    else:
        print_rules_summary(console, summary)
        where = f" {_arg(file)}" if file else ""
        _next_step(
            err, False, f"perfscore rules show{where} --markdown > 积分办法.md（粘贴到通知中）"
        )


@archive_app.command("add")
def archive_add(
    archive: Annotated[
        Path,
        typer.Argument(help="履职档案（SQLite 文件；没有则新建）", dir_okay=False, metavar="档案"),
    ],
    result: Annotated[
        Path,
        typer.Argument(
            help="perfscore 写出的考核结果（.xlsx 或 .json；积分明细写在旁边 CSV 文件中的也可以）",
            dir_okay=False,
            metavar="考核结果",
        ),
    ],
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            "-r",
            help="考核该年度时所用的规则文件（须与结果中记录的 SHA-256 相同）；不写则为自带的 rules/default.yaml",
            dir_okay=False,
        ),
    ] = None,
    workbook: Annotated[
        Path | None,
        typer.Option(
            "--workbook",
            "-w",
            help="该年度的活动登记工作簿，用于记录其 SHA-256（可不写）",
            dir_okay=False,
        ),
    ] = None,
    unit: UnitOption = None,
    replace: ReplaceOption = False,
) -> None:
    """把已有的考核结果写入履职档案：委员、总分、分项、等次、名次、清单、评优、处理提示、全部积分明细、规则全文及 SHA-256。

    一次写入是一个事务：中途出错、断电或被中断，档案保持原样；两个进程同时写入时后者等待前者完成。
    档案中已有该年度时拒绝写入，除非加 --replace（替换的时间和前后文件记录在档案中）。

    示例：perfscore archive add 档案.sqlite 2023-考核结果.xlsx --rules 本单位积分办法.yaml --workbook 2023.xlsx
    """
    from .archive import add_year, read_result

    console, err = _consoles()
    added = _run(
        err,
        lambda: add_year(archive, read_result(result, rules, workbook), unit=unit, replace=replace),
    )
    console.print(
        f"已{'替换' if added.replaced else '写入'}履职档案 {archive}：{added.year} 年度，"
        f"委员 {added.members} 人，积分明细 {added.lines} 行。"
    )


@archive_app.command("info")
def archive_info(
    archive: ArchiveArgument,
) -> None:
    """列出档案中的届次、各年度（来源文件、SHA-256、人数、明细行数）和替换记录。

    示例：perfscore archive info 档案.sqlite
    """
    from .archive.store import archive_summary

    console, err = _consoles()
    text = _run(err, lambda: archive_summary(archive))
    console.print(text, markup=False)


@archive_app.command("upgrade")
def archive_upgrade(
    archive: ArchiveArgument,
) -> None:
    """把较早版本 perfscore 建立的档案升级到本版的格式（在一个事务中完成，失败则保持原样）。

    示例：perfscore archive upgrade 档案.sqlite
    """
    from .archive.store import upgrade

    console, err = _consoles()
    version = _run(err, lambda: upgrade(archive))
    console.print(f"{archive}：格式版本 {version}。")


@app.command()
def dossier(
    archive: ArchiveArgument,
    member: Annotated[
        str | None, typer.Argument(help="委员编号或姓名；与 --all 二选一", metavar="委员")
    ] = None,
    all_members: Annotated[bool, typer.Option("--all", help="为档案中每位委员各写一份")] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir", "-d", help="输出目录（须已存在）；不写则为档案所在目录", file_okay=False
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="单位名称（档案中有多个单位时选择）")
    ] = None,
    mask: Annotated[
        bool,
        typer.Option(
            "--mask",
            help="隐去姓名，用于公示：本人姓名只显示第一个字（张**），其他委员的姓名也隐去；文件名用委员编号",
        ),
    ] = False,
) -> None:
    """一人一档：一位委员本届各年度的履职档案，写出 .xlsx 和 .docx（A4，可直接打印）。

    内容：各年度并列（总分、等次、名次、分项得分、双五个一完成情况）、提案、社情民意信息采用、调研报告、
    获奖、处理提示，以及全部积分明细（含来源单元格）。

    示例：perfscore dossier 档案.sqlite 张三 --out-dir 档案输出
    """
    console, err = _consoles()
    if (member is None) == (not all_members):
        err.print("请给出一位委员（编号或姓名），或用 --all 为每位委员各写一份（二者选一）")
        raise typer.Exit(2)
    target = out_dir or archive.parent
    from .archive.dossier import member_dossier, write_dossier, write_dossiers

    if all_members:
        paths = _run(err, lambda: write_dossiers(archive, target, unit=unit, mask=mask))
        console.print(f"已写出 {len(paths) // 2} 位委员的履职档案到 {target}。")
        return
    assert member is not None
    paths = _run(
        err, lambda: write_dossier(member_dossier(archive, member, unit=unit, mask=mask), target)
    )
    for path in paths:
        console.out(str(path), highlight=False)


@app.command()
def term(
    archive: ArchiveArgument,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="输出 .xlsx；不写则为档案旁的“<档案名>-任期考核.xlsx”"),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="单位名称（档案中有多个单位时选择；只有一个单位时可不写）"),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="屏幕上列出前几名（0 为不列出）")] = 10,
) -> None:
    """任期考核（换届参考）：本届每位委员各年度的总分和等次、任期平均分、获奖和处理提示，按平均分排名。

    处理提示包括各年度考核时的处理提示，以及最近一年规则中的任期条件（term）对全部在档年度的判断。

    示例：perfscore term 档案.sqlite --out 第十届任期考核.xlsx
    """
    from .archive.term import term_report, write_term_report
    from .writers.terminal import print_term_summary

    console, err = _consoles()
    target = out or archive.with_name(f"{archive.stem}-任期考核.xlsx")
    report = _run(err, lambda: term_report(archive, unit))
    _run(err, lambda: write_term_report(report, target))
    print_term_summary(console, report, max(0, top))
    console.print(f"已写入：{target}")


def _version(value: bool) -> None:
    if value:
        print(f"perfscore {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号")
    ] = False,
) -> None:
    """政协委员履职考核积分工具。"""


def main() -> NoReturn:
    # Pydantic plugins are observability hooks other installed packages may register; the
    # command line has no use for them, and looking for them reads every installed package's
    # metadata (a noticeable part of `rules check`, see docs/performance.md). Set the variable
    # to load them anyway.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _tolerant_streams()
    sys.exit(app())


def _tolerant_streams() -> None:
    """A console in a legacy code page (GBK on Chinese Windows, or PYTHONIOENCODING=gbk)
    cannot show every character a name may hold: print a replacement there instead of
    stopping with UnicodeEncodeError. The marks perfscore prints itself (√ × …) are in GBK."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
