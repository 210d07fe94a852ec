"""WeCom API handlers, registered by path in `ROUTES` when this package is imported."""

from . import directory, external, groupchat, messages, tags, token, webhook  # noqa: F401  (registers routes)
from .base import ROUTES, ApiError, Call, Route, error_body

__all__ = ["ROUTES", "ApiError", "Call", "Route", "error_body"]
