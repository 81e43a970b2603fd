"""The report: typed values built from the intake and the advice, and thin renderers.

:func:`build_report` (pure) returns a :class:`Report`; :mod:`~k2lab.report.render_json`
turns it into what ``--json`` prints and :mod:`~k2lab.report.render_terminal` into rich
output. Other renderers (HTML, PDF) read the same values. This package composes
:mod:`k2lab.intake` and :mod:`k2lab.advice`; neither imports it.
"""

from k2lab.numbers import fmt
from k2lab.plan.report import plan_json
from k2lab.report.build import (
    TOP_CONTRIBUTORS,
    build_advice_report,
    build_intake_report,
    build_report,
    report_profile,
)
from k2lab.report.render_json import (
    advice_json,
    citations_json,
    cover_json,
    estimate_json,
    food_json,
    intake_json,
    report_json,
)
from k2lab.report.render_terminal import print_advice, print_intake, print_report
from k2lab.report.values import (
    CHOSEN_BY,
    AdviceItem,
    AdviceReport,
    DayIntake,
    IntakeReport,
    PortionUsed,
    Report,
    TargetGap,
    main_k2_form,
)

__all__ = [
    "CHOSEN_BY",
    "TOP_CONTRIBUTORS",
    "AdviceItem",
    "AdviceReport",
    "DayIntake",
    "IntakeReport",
    "PortionUsed",
    "Report",
    "TargetGap",
    "advice_json",
    "build_advice_report",
    "build_intake_report",
    "build_report",
    "citations_json",
    "cover_json",
    "estimate_json",
    "fmt",
    "food_json",
    "intake_json",
    "main_k2_form",
    "plan_json",
    "print_advice",
    "print_intake",
    "print_report",
    "report_json",
    "report_profile",
]
