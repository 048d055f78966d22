"""The continuity archive's one-button form (CSRF on every POST)."""

from ..core.forms import EmptyForm as RequestArchiveForm  # noqa: F401
