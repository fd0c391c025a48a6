"""Typed reading of Plateau's environment variables.

Every setting is read through one of these helpers so that a bad value stops the
process at start with a message naming the variable and the rule it broke, instead of
surfacing later as an obscure error deep inside Django or Celery.
"""

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class Env:
    """Reads variables from a mapping (os.environ by default) and records what it read."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None else value.strip()

    def string(self, name: str, default: str) -> str:
        value = self._raw(name)
        return default if value in (None, "") else value

    def boolean(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
        )

    def integer(self, name: str, default: int, minimum: int | None = None) -> int:
        value = self._raw(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def number(self, name: str, default: float, minimum: float | None = None) -> float:
        value = self._raw(name)
        if value in (None, ""):
            return default
        try:
            number = float(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def items(self, name: str, default: list[str]) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: list[str]) -> str:
        value = self.string(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
        return value

    def url(self, name: str, default: str, schemes: list[str]) -> str:
        value = self.string(name, default)
        scheme = urlsplit(value).scheme
        if scheme not in schemes:
            raise ImproperlyConfigured(
                f"{name}={redact_url(value)!r} has scheme {scheme!r}; "
                f"supported schemes are: {', '.join(schemes)}."
            )
        return value


def redact_url(url: str) -> str:
    """The URL with any password replaced, for error messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
