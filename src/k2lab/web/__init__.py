"""The web app and the REST API over the same functions as the CLI.

``create_app(settings)`` builds everything (nothing happens at import); ``k2lab serve``
runs it with uvicorn.
"""

from k2lab.web.app import create_app
from k2lab.web.settings import Settings

__all__ = ["Settings", "create_app"]
