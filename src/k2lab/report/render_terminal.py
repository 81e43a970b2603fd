"""Terminal renderer: report values as rich tables and lines on a console.

Example
-------
>>> fmt(1535.2, "mg"), fmt(0.314, "ug")
('1,535 mg', '0.31 µg')
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from k2lab.foods.nutrients import K2_VITAMERS
from k2lab.numbers import fmt
from k2lab.report.values import AdviceReport, IntakeReport, Report, main_k2_form

__all__ = ["SEVERITY_STYLE", "fmt", "print_advice", "print_intake", "print_report"]

#: Rich style per severity.
SEVERITY_STYLE = {"danger": "bold red", "warning": "red", "caution": "yellow", "info": "cyan"}
_LABELS = {"K2": "K2 (all menaquinones)", "K": "total K (K1 + K2)", "vitamin_d": "vitamin D"}
_INDENT = " " * 9


def _intake_table(r: IntakeReport) -> Table:
    table = Table(title="Intake per day by form (typical, low–high from the foods' ranges)")
    for col in ("form", "typical", "low–high"):
        table.add_column(col)
    for n in ("K1", *K2_VITAMERS, "K2", "K", "calcium", "vitamin_d"):
        e = r.mean[n]
        if n in K2_VITAMERS and e.high == 0:
            continue
        table.add_row(_LABELS.get(n, n), fmt(e.typical, e.unit), f"{fmt(e.low)}–{fmt(e.high)}")
    return table


def _print_comparisons(r: IntakeReport, console: Console) -> None:
    table = Table(title="Against reference intakes")
    for col in ("authority", "nutrient", "kind", "reference", "you", "status"):
        table.add_column(col)
    for c in r.comparisons:
        ref = c.reference
        table.add_row(
            f"{ref.authority} {ref.year}",
            ref.nutrient,
            ref.kind,
            f"{fmt(ref.value)} {ref.unit}",
            fmt(c.intake),
            f"{c.status} ({c.percent:.0f}%)",
        )
    console.print(table)
    console.print(r.k2_reference_note)
    for w in r.warnings:
        console.print(f"[yellow]note:[/] {escape(w)}")


def print_intake(r: IntakeReport, console: Console) -> None:
    """``k2lab intake``: intake by form, then the reference intakes and notes."""
    console.print(_intake_table(r))
    _print_comparisons(r, console)


def _print_advice_items(r: AdviceReport, console: Console) -> None:
    if not r.items:
        console.print("No advice: nothing in this profile triggers a rule.")
    for item in r.items:
        a = item.advice
        label = a.severity.label
        console.print(
            f"[{SEVERITY_STYLE[label]}]{label.upper():8}[/] [bold]{a.rule_id}[/]: "
            f"{escape(a.message)}"
        )
        numbers = ", ".join(f"{k} = {v:g}" for k, v in a.numbers.items())
        if numbers:
            console.print(f"{_INDENT}numbers: {numbers}")
        console.print(
            f"{_INDENT}evidence: {escape(a.evidence_grade)}; sources: {', '.join(a.source_keys)}"
        )
        for c in item.claims:
            console.print(f"{_INDENT}claim '{escape(c.claim)}': {escape(c.grade)}")
    change = r.first_change.message if r.first_change else "No change suggested."
    console.print(f"[bold]Suggested change:[/] {escape(change)}")


def print_advice(r: AdviceReport, console: Console) -> None:
    """``k2lab advise``: advice most severe first, the suggested change, the disclaimer."""
    console.print("[bold]Advice[/] (most severe first)")
    _print_advice_items(r, console)
    console.print(f"[italic]{r.disclaimer}[/]")


def print_report(r: Report, console: Console) -> None:
    """``k2lab report``: intake, top contributors, K2 gap, references, advice, sources."""
    i = r.intake
    p = i.person
    console.rule(f"k2lab report: {escape(i.diet_file)}")
    console.print(
        f"{p.sex}, {p.age:g} y, diet: {p.diet or 'not given'}; "
        f"{i.days} day(s){' (a typical day)' if i.typical_day else ''}"
    )
    console.print(_intake_table(i))
    top = Table(title="Top contributors (per day)")
    for col in ("food", "grams", "K1 µg", "K2 µg", "main K2"):
        top.add_column(col)
    for c in r.top_contributors:
        top.add_row(
            c.name,
            fmt(c.grams_per_day),
            fmt(c.amounts["K1"]),
            fmt(c.amounts["K2"]),
            main_k2_form(c) or "-",
        )
    console.print(top)
    t = r.target
    status = "met" if t.met else f"short by {fmt(t.gap_ug_per_day, 'µg')}/day"
    console.print(
        f"[bold]Target {t.target_ug_per_day:g} µg {t.form}/day[/] (your choice): you get "
        f"{fmt(t.intake.typical, 'µg')} ({fmt(t.intake.low)}–{fmt(t.intake.high)}): {status}"
    )
    for g in t.to_close:
        amount = f" ({g.portions:.2g} × {g.portion})" if g.portion and g.portions else ""
        console.print(f"  to close it: {fmt(g.grams, 'g')} {g.name}{amount}")
    if not t.met and not t.to_close:
        console.print("  no suggested food closes it within a day's portion limits")
    _print_comparisons(i, console)
    if i.foods_without_k2_data:
        console.print(
            "No menaquinone data (K2 counted as 0): " + ", ".join(i.foods_without_k2_data)
        )
    console.print("[bold]Advice[/] (most severe first)")
    _print_advice_items(r.advice, console)
    console.print("[bold]Sources used[/]")
    for key, s in r.sources.items():
        console.print(f"  {key}: {escape(s.citation[:160])}")
    console.print(f"[italic]{r.disclaimer}[/]")
