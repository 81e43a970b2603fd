"""``k2lab trial run|power``: virtual trials from a TOML spec (see docs/trials.md).

The command parses options, picks a backend and renders; the trial itself is
:mod:`k2lab.population` (imported on use, so ``k2lab --help`` stays fast).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from k2lab.commands._common import (
    App,
    JsonOpt,
    check_plot_path,
    err,
    friendly,
    out,
    print_json,
    pyplot,
    save_figure,
)
from k2lab.errors import K2LabError, ScenarioError

if TYPE_CHECKING:
    from k2lab.population.backends import Backend
    from k2lab.population.power import PowerCurve
    from k2lab.population.trial import TrialResult

__all__ = ["parse_ns", "register"]

SpecArg = Annotated[Path, typer.Argument(help="Trial spec (.toml), e.g. examples/trials/*.toml.")]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--dask-workers", help="Run on a Dask LocalCluster with this many workers."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run on an existing Dask cluster, e.g. tcp://host:8786."),
]
ChunkOpt = Annotated[int, typer.Option("--chunk", help="People per task (numbers do not change).")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", help="Also store the JSON result here.")
]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="Keep finished chunks in this folder; a rerun resumes there."),
]
PlotOpt = Annotated[
    Path | None, typer.Option("--plot", help="Write a plot to this file (.png, .svg or .pdf).")
]


def parse_ns(text: str) -> list[int]:
    """``"50:500:50"`` (start:stop:step, stop included) or ``"20,40,80"``.

    >>> parse_ns("50:200:50"), parse_ns("10, 30")
    ([50, 100, 150, 200], [10, 30])
    """
    m = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*(?::\s*(\d+)\s*)?", text)
    if m:
        start, stop, step = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        if step < 1 or stop < start:
            raise ScenarioError(f"--n {text}: need start ≤ stop and step ≥ 1.", field="n")
        return list(range(start, stop + 1, step))
    try:
        return [int(x) for x in text.split(",")]
    except ValueError:
        raise ScenarioError(
            f"--n '{text}': write start:stop:step (e.g. 50:500:50) or a list (20,40,80).",
            field="n",
        ) from None


@contextmanager
def _backend(workers: int | None, scheduler: str | None) -> Iterator[Backend | None]:
    if workers is None and scheduler is None:
        yield None
        return
    from k2lab.population.backends import DaskBackend

    with DaskBackend(workers=workers, scheduler=scheduler) as backend:
        yield backend


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    from rich.progress import Progress

    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _store(path: Path | None, data: dict[str, Any]) -> None:
    if path is None:
        return
    try:
        path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise K2LabError(f"Cannot write '{path}': {exc.strerror}.") from None


def _render(
    result: Any,
    data: dict[str, Any],
    output: Path | None,
    plot: Path | None,
    as_json: bool,
    plot_fn: Callable[[Any, Path], None],
    print_fn: Callable[[Any], None],
) -> None:
    _store(output, data)
    if plot is not None:
        plot_fn(result, plot)
        err.print(f"plot written to {plot.resolve()}")
    if as_json:
        print_json(data)
    else:
        print_fn(result)


def _fmt(x: float) -> str:
    return f"{x:+.3g}"


def _print_trial(r: TrialResult) -> None:
    from rich import box
    from rich.table import Table

    s = r.spec
    out.print(
        f"{s.name}: {', '.join(f'{a.name} n={a.n}' for a in s.arms)}; "
        f"{r.person_years:,.0f} person-years in {r.seconds:.1f} s ({r.backend})"
    )
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("endpoint", "week", "arm", "change", "control", "difference (95% CI)", "p"):
        table.add_column(col, justify="left" if col in ("endpoint", "arm") else "right")
    for e in r.effects:
        unit = "%" if e.change == "percent" else ""
        d = e.difference
        table.add_row(
            e.endpoint,
            f"{e.visit_week:g}",
            e.arm,
            f"{_fmt(e.treated.mean)}{unit} (n={e.treated.n})",
            f"{_fmt(e.control_summary.mean)}{unit} (n={e.control_summary.n})",
            f"{_fmt(d.estimate)} ({_fmt(d.ci_low)} to {_fmt(d.ci_high)})",
            f"{d.p_value:.2g}",
        )
    out.print(table)
    out.print(
        "- Change from baseline among those seen at the visit (completers); "
        + ("ANCOVA on baseline. " if s.method == "ancova" else "Welch's t-test. ")
        + "A virtual trial: the model's prediction, not evidence."
    )


def _plot_trial(r: TrialResult, path: Path) -> None:
    plt = pyplot()
    ends = r.spec.endpoints
    fig, axes = plt.subplots(1, len(ends), figsize=(4.6 * len(ends), 3.2), squeeze=False)
    for ax, e in zip(axes.flat, ends, strict=False):
        for arm, by_end in r.visits.items():
            v = by_end[e.name]
            ax.errorbar(r.spec.visits_weeks, v["mean"], yerr=v["sd"], capsize=3, label=arm)
        ax.set_title(e.name, fontsize=9)
        ax.set_xlabel("week", fontsize=8)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{r.spec.name} (mean ± SD by visit)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)


def _print_power(c: PowerCurve) -> None:
    from rich import box
    from rich.table import Table

    out.print(
        f"Power for {c.endpoint} ({c.arm} vs control), {c.replicates} virtual trials per n, "
        f"{c.person_years:,.0f} person-years in {c.seconds:.1f} s"
    )
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("n per arm", "power", "95% CI", "effect", "95% prediction interval"):
        table.add_column(col, justify="right")
    for i, n in enumerate(c.ns):
        table.add_row(
            str(n),
            f"{c.power[i]:.2f}",
            f"{c.power_low[i]:.2f}-{c.power_high[i]:.2f}",
            _fmt(c.effect_mean[i]),
            f"{_fmt(c.effect_low[i])} to {_fmt(c.effect_high[i])}",
        )
    out.print(table)


def _plot_power(c: PowerCurve, path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.0, 3.4))
    ax.fill_between(c.ns, c.power_low, c.power_high, alpha=0.2, linewidth=0)
    ax.plot(c.ns, c.power, marker="o")
    ax.axhline(0.8, linestyle=":", color="grey")
    ax.set_ylim(0, 1)
    ax.set_xlabel("n per arm")
    ax.set_ylabel("power")
    ax.set_title(f"{c.endpoint}\n{c.arm} vs control, {c.replicates} trials per n", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)


def register(app: typer.Typer) -> None:
    """Add ``trial run`` and ``trial power`` to ``app``."""
    trial_app = App(no_args_is_help=True, help="Virtual trials: run one, or a power curve.")
    app.add_typer(trial_app, name="trial")

    @trial_app.command("run")
    @friendly
    def run_cmd(
        spec: SpecArg,
        replicate: Annotated[
            int, typer.Option(help="0: central parameters; k ≥ 1: uncertainty draw k.")
        ] = 0,
        dask_workers: WorkersOpt = None,
        scheduler: SchedulerOpt = None,
        chunk: ChunkOpt = 200,
        store: StoreOpt = None,
        plot: PlotOpt = None,
        output: OutputOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Run one virtual trial: change from baseline per arm, differences with 95 % CI."""
        check_plot_path(plot)
        from k2lab.population import load_spec, run_trial

        trial = load_spec(spec)
        if isinstance(replicate, bool) or replicate < 0:
            raise ScenarioError("--replicate must be ≥ 0.", field="replicate")
        with _backend(dask_workers, scheduler) as backend, _progress("people") as progress:
            result = run_trial(
                trial,
                replicate=replicate,
                backend=backend,
                chunk=chunk,
                progress=progress,
                store=store,
            )
        _render(result, result.to_dict(), output, plot, as_json, _plot_trial, _print_trial)

    @trial_app.command("power")
    @friendly
    def power_cmd(
        spec: SpecArg,
        endpoint: Annotated[str, typer.Option("--endpoint", help="An endpoint of the spec.")],
        n: Annotated[
            str, typer.Option("--n", help="n per arm: start:stop:step (e.g. 50:500:50) or 20,40.")
        ],
        replicates: Annotated[int, typer.Option(help="Virtual trials per n.")] = 50,
        arm: Annotated[str | None, typer.Option(help="Treated arm (default: the first).")] = None,
        dask_workers: WorkersOpt = None,
        scheduler: SchedulerOpt = None,
        chunk: ChunkOpt = 200,
        store: StoreOpt = None,
        plot: PlotOpt = None,
        output: OutputOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Power by n per arm from repeated virtual trials (each draws parameter uncertainty)."""
        check_plot_path(plot)
        from k2lab.population import load_spec, power_curve

        trial = load_spec(spec)
        ns = parse_ns(n)
        with _backend(dask_workers, scheduler) as backend, _progress("trials") as progress:
            curve = power_curve(
                trial,
                endpoint,
                ns,
                replicates=replicates,
                arm=arm,
                backend=backend,
                chunk=chunk,
                progress=progress,
                store=store,
            )
        _render(curve, curve.to_dict(), output, plot, as_json, _plot_power, _print_power)
