"""k2lab: vitamin K2 and the calcium paradox, with numbers and sources."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
