"""Generated data for the acceptance suites (keywords ``Numbered Companies`` and ``Query Companies``)."""

from __future__ import annotations

from typing import Any

PHASES = ("live", "onboarding", "churned")


def numbered_companies(count: int, mrr_bump_below: int = 0, prefix: str = "E") -> list[dict[str, Any]]:
    """``count`` companies named C<i> with externalId <prefix><i:05> and mrr i (+1 below ``mrr_bump_below``)."""
    return [
        {"name": f"C{i}", "externalId": f"{prefix}{i:05}", "mrr": i + 1 if i < mrr_bump_below else i}
        for i in range(int(count))
    ]


def query_companies(count: int) -> list[dict[str, Any]]:
    """Companies C0000.. with mrr i, phases cycling live/onboarding/churned, segment SMB for every third."""
    return [
        {
            "name": f"C{i:04}",
            "mrr": i,
            "phase": PHASES[i % 3],
            "custom": {"Segment": "SMB" if i % 3 == 0 else "Enterprise"},
        }
        for i in range(int(count))
    ]


def companies_with_extra_field(count: int) -> list[dict[str, Any]]:
    """Companies as a tenant with its own field (``extraThing``), ``__v`` and a custom Health stores them."""
    return [
        {"name": f"Company {n}", "externalId": f"C-{n}", "extraThing": "x", "__v": 0, "custom": {"Health": n}}
        for n in range(count)
    ]
