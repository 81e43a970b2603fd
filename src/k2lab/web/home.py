"""The start page and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from k2lab import __version__
from k2lab.web.deps import CurrentUser, render

__all__ = ["api", "pages"]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["meta"])


@pages.get("/", response_class=HTMLResponse)
def home(request: Request, user: CurrentUser) -> HTMLResponse:
    """What k2lab does, and where to start."""
    return render(request, "home.html")


class Health(BaseModel):
    """The app is up."""

    status: str
    version: str


@api.get("/health")
def health() -> Health:
    """Whether the app answers (for load balancers and tests)."""
    return Health(status="ok", version=__version__)
