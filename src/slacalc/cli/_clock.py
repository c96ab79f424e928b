"""The instants the command line reads: the clock (``--now``'s default) and the options'
ISO 8601 texts. The only place in slacalc that reads the clock."""

from __future__ import annotations

from datetime import datetime

from ._names import UsageError

__all__ = ["clock", "given_or_now", "instant"]


def clock() -> datetime:
    """The current instant, to the second, in this machine's offset: the default ``--now``
    and ``--opened`` (the command line is the only place that reads the clock).

    Boundary rule: microseconds are dropped. Example: at 17:30:05.9 EST ->
    ``2026-11-20T17:30:05-05:00``.
    """
    return datetime.now().astimezone().replace(microsecond=0)


def instant(text: str, option: str) -> datetime:
    """The instant an option gives (ISO 8601 with a UTC offset).

    Boundary rule: a malformed or naive text is a `UsageError` naming the option.
    Example: ``instant("2026-11-20T17:30:00-05:00", "--now")`` -> that aware datetime;
    ``instant("2026-11-20T17:30", "--now")`` -> UsageError (no UTC offset).
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: malformed date {text!r} (ISO 8601 expected)") from None
    if moment.tzinfo is None:
        raise UsageError(f"{option}: {text!r} has no UTC offset; write e.g. "
                         f"2026-11-20T17:30:00-05:00")
    return moment


def given_or_now(text: str | None, option: str) -> datetime:
    """The instant ``option`` gives, or the current instant (`clock`) when it is not given.

    Boundary rule: as `instant` for a given text. Example: ``given_or_now(None, "--now")``
    at 17:30:05 EST -> ``2026-11-20T17:30:05-05:00``.
    """
    return instant(text, option) if text else clock()
