"""Number formatting shared by the generated pages.

Example
-------
>>> fmt(957.0), fmt(10.9), fmt(0.425)
('957', '10.9', '0.42')
"""

from __future__ import annotations

import math


def fmt(x: float) -> str:
    """Three significant figures at most, thousands separated; '∞' for infinity."""
    if math.isinf(x):
        return "∞"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}".removesuffix(".0")
    return f"{x:.2g}"


def fmt_range(low: float, high: float) -> str:
    """'775–1,100', or one number when both ends agree."""
    return fmt(low) if fmt(low) == fmt(high) else f"{fmt(low)}–{fmt(high)}"
