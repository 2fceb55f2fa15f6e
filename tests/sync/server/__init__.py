"""Tests of the city server's API, enrolment, master data, CLI and migrations."""

import warnings

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # httpx is the pinned client; this starlette would prefer httpx2 and says so once, at import.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["TestClient"]
