"""What one app instance holds: its settings, the food database, the store, the templates."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from k2lab.errors import MissingDependencyError
from k2lab.foods.database import FoodDatabase
from k2lab.intake.reference import NUTRIENT_LABELS
from k2lab.store import Store
from k2lab.web.charts import chart_json
from k2lab.web.settings import Settings

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "AppState", "make_templates", "plotly_js"]

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")


def plotly_js() -> Path:
    """Plotly's browser bundle as the plotly package ships it (found without importing it)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise MissingDependencyError("The charts need plotly: pip install plotly")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def make_templates() -> Jinja2Templates:
    """The page templates (autoescaped), with the filters every page uses."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["num"] = _num
    templates.env.filters["chart_json"] = chart_json
    templates.env.filters["nutrient_label"] = lambda name: NUTRIENT_LABELS.get(
        name, name.replace("_", " ")
    )
    return templates


def _num(value: float | None, digits: int = 3) -> str:
    """A number for a person: three significant figures, thousands separated."""
    if value is None:
        return "–"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


@dataclass
class AppState:
    """Shared by every request of one app (``request.app.state.k2``)."""

    settings: Settings
    foods: FoodDatabase
    store: Store
    templates: Jinja2Templates
    #: Filled by the parts that need long-lived helpers (the simulation pool ...).
    extras: dict[str, Any] = field(default_factory=dict)
