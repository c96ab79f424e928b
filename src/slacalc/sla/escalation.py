"""Escalation thresholds in the kernel: shares of a target, as lengths in µs.

A plan's ``escalation`` (`slacalc.sla.plan.Plan.escalation`, from the policy's
``escalation: [50%, 75%, 90%]``) lists shares of each target's length. A threshold falls
due where the clock has used that share of its target, on the target's own clock: the
instant is found exactly as the due instant is (`slacalc.sla.replay.Replay.due`), for a
target of the threshold's length (`threshold_lengths`), so pauses push it later by the
business time they hold. A clock has *crossed* a threshold once its elapsed time reaches
that length (`crossed`).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..engine.timeline import Ints

__all__ = ["AT_RISK", "crossed", "percent_text", "threshold_columns", "threshold_lengths"]

AT_RISK = ("running", "paused")
"""The statuses whose clocks can be at risk: open and not yet breached (a breached clock
has gone past every threshold; its status says so; a stopped or void one escalates no
more)."""


def threshold_lengths(shares: tuple[Fraction, ...], length: int) -> tuple[int, ...]:
    """Each share of a target ``length`` µs long, in µs, rounded up to the µs.

    Boundary rule: rounded up, so the length is the first whole µs of elapsed time at or
    past the exact share (``elapsed >= share * length`` holds from it on, exactly as
    `MetricReport.at_risk` compares). Example: 90% of 1 hour -> 3,240,000,000 µs; 1/3 of
    10 µs -> 4 µs.
    """
    return tuple(_share_of(share, length) for share in shares)


def _share_of(share: Fraction, length: int) -> int:
    whole, rest = divmod(length, share.denominator)  # so that arrays never overflow
    return whole * share.numerator - (-rest * share.numerator // share.denominator)


def threshold_columns(shares: tuple[Fraction, ...], lengths: Ints) -> list[Ints]:
    """`threshold_lengths` of every length of ``lengths`` (µs), one array per share.

    Boundary rule: as `threshold_lengths`, value for value (in int64 without overflow:
    the product is split around the share's denominator). Example: shares (1/2, 9/10),
    lengths [3,600,000,000] -> [[1,800,000,000], [3,240,000,000]].
    """
    columns: list[Ints] = []
    for share in shares:
        whole, rest = np.divmod(lengths, share.denominator)
        columns.append(whole * share.numerator - (-rest * share.numerator
                                                  // share.denominator))
    return columns


def crossed(status: str, elapsed: int, lengths: tuple[int, ...]) -> int:
    """How many thresholds a clock has crossed: those whose length its ``elapsed`` time
    (µs, on the target's clock) has reached; 0 unless ``status`` is in `AT_RISK`.

    Boundary rule: reaching a threshold exactly crosses it. Example: lengths for 50%,
    75%, 90% of 1 hour, 45 minutes used, running -> 2 (75% crossed); the same stopped
    (met) -> 0.
    """
    if status not in AT_RISK:
        return 0
    return sum(1 for length in lengths if elapsed >= length)


def percent_text(share: Fraction) -> str:
    """A share as a percentage, the way policies write it and reports show it.

    Boundary rule: exact decimals with no trailing zeros; a share with no finite decimal
    form (never one read from a policy) shows six decimals. Example: ``Fraction(3, 4)``
    -> ``"75%"``; ``Fraction(1, 8)`` -> ``"12.5%"``; ``Fraction(1, 3)`` ->
    ``"33.333333%"``.
    """
    percent = share * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    exact = Decimal(percent.numerator) / Decimal(percent.denominator)
    if Fraction(exact) == percent:
        return f"{exact.normalize():f}%"
    return f"{float(percent):.6f}%"
