"""Password strength: the one rule, used by every form that sets a password."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn


def password_problem(password: str, user_inputs: list[str] | None = None) -> str | None:
    """A translated reason the password is too weak, or None if it is acceptable.

    zxcvbn estimates how many guesses an attacker needs, penalising dictionary words, keyboard
    patterns, dates and the user's own name or e-mail (``user_inputs``).
    """
    min_length = current_app.config["MIN_PASSWORD_LENGTH"]
    if len(password) < min_length:
        return _("Use at least %(n)d characters.", n=min_length)
    if len(password) > 200:
        return _("Use at most 200 characters.")
    inputs = [i for i in (user_inputs or []) if i]
    for value in list(inputs):
        if "@" in value:
            inputs.extend(value.split("@")[0].replace(".", " ").split())
    result = zxcvbn(password[:100], user_inputs=inputs)
    if result["score"] < current_app.config["MIN_PASSWORD_SCORE"]:
        return _(
            "This password is too easy to guess. Avoid common words, names, dates and keyboard patterns; "
            "a few unrelated words together work well."
        )
    return None
