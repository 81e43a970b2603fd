"""Numbers for people in the terminal: a leaf module, so that commands which only format
numbers (``k2lab foods search``) do not import the physiology behind the reports.

Example
-------
>>> fmt(1234.5), fmt(12.34), fmt(0.0456, "ug")
('1,234', '12.3', '0.046 µg')
"""

from __future__ import annotations


def fmt(x: float, unit: str = "") -> str:
    """A number for people: 3 significant figures at most, thousands separated."""
    if x == 0:
        text = "0"
    elif abs(x) >= 100:
        text = f"{x:,.0f}"
    elif abs(x) >= 10:
        text = f"{x:.1f}"
    else:
        text = f"{x:.2g}"
    return f"{text} {unit.replace('ug', 'µg')}".strip()
