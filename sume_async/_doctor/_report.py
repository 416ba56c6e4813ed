"""What a doctor run found, as data (``to_dict``, for ``--json``) and as text, both safe to paste anywhere.

The report holds request ids, job ids, operations, JSON paths and verdicts: never a field's
value, a key, a URL, an e-mail address or a workspace or user id. ``to_dict`` still passes
everything through the SDK's redaction, so a value that slipped in would come out redacted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from .._redaction import redact
from ._contract import CONFIRMED, CONTRADICTED, NOT_EXERCISED, Finding, Mark

__all__ = ["Check", "DoctorReport", "PaidCheck"]


@attrs.frozen
class Check:
    """One request the doctor made on purpose, and how its answers compared with the snapshot."""

    name: str
    #: ``ok``, ``contradicted``, or ``skipped`` (with the reason in ``detail``).
    outcome: str
    request_ids: tuple[str, ...] = ()
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "outcome": self.outcome,
            "request_ids": list(self.request_ids),
            "detail": self.detail,
        }


@attrs.frozen
class PaidCheck:
    """``--paid``: the same create sent twice with one ``Idempotency-Key``, then waited for."""

    job_id: str | None
    replay_job_id: str | None
    #: Whether the second answer was the same job (``None``: not known, the run stopped first).
    same_job: bool | None
    #: The job's final status (``None``: not waited for).
    status: str | None
    credits_before: float | None
    credits_after: float | None

    @property
    def credits_spent(self) -> float | None:
        if self.credits_before is None or self.credits_after is None:
            return None
        return self.credits_before - self.credits_after

    @property
    def job_ids(self) -> list[str]:
        """Every job this check created (two when the key was ignored)."""
        return list(dict.fromkeys(i for i in (self.job_id, self.replay_job_id) if i))

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_ids": self.job_ids,
            "same_job": self.same_job,
            "status": self.status,
            "credits_before": self.credits_before,
            "credits_after": self.credits_after,
            "credits_spent": self.credits_spent,
        }


@attrs.frozen
class DoctorReport:
    """The outcome of :func:`sume_async.doctor`: ``ok`` when nothing contradicted the snapshot."""

    sdk_version: str
    snapshot: str
    checks: tuple[Check, ...]
    findings: tuple[Finding, ...]
    marks: tuple[Mark, ...]
    paid: PaidCheck | None = None
    #: Things worth knowing that are not contradictions (a feature this workspace lacks, ...).
    notes: tuple[str, ...] = ()
    #: Strings never to print (the API key): ``to_dict`` and ``render_text`` redact them.
    secrets: frozenset[str] = attrs.field(default=frozenset(), repr=False)

    @property
    def ok(self) -> bool:
        """Nothing contradicted the snapshot (and, with ``--paid``, the job completed)."""
        paid_ok = self.paid is None or (self.paid.same_job is True and self.paid.status == "completed")
        return not self.findings and paid_ok

    @property
    def contradicted(self) -> list[Mark]:
        return [m for m in self.marks if m.verdict == CONTRADICTED]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON (what `sume-async doctor --json` prints): no key, URL or e-mail in it."""
        counts = Counter(m.verdict for m in self.marks)
        data = {
            "ok": self.ok,
            "sdk_version": self.sdk_version,
            "snapshot": self.snapshot,
            "checks": [c.to_dict() for c in self.checks],
            "findings": [f.to_dict() for f in self.findings],
            "inferred": {
                "counts": {v: counts.get(v, 0) for v in (CONFIRMED, CONTRADICTED, NOT_EXERCISED)},
                "marks": [m.to_dict() for m in self.marks],
            },
            "paid": self.paid.to_dict() if self.paid is not None else None,
            "notes": list(self.notes),
        }
        safe: dict[str, Any] = redact(data, secrets=self.secrets)
        return safe

    def render_text(self) -> str:
        """The report for a person (and a support ticket): checks, findings, the guesses' verdicts."""
        data = self.to_dict()
        lines = [f"sume-async {data['sdk_version']} doctor, against the {data['snapshot']}", ""]
        for check in data["checks"]:
            ids = f" ({', '.join(check['request_ids'])})" if check["request_ids"] else ""
            detail = f": {check['detail']}" if check["detail"] else ""
            lines.append(f"  {check['outcome']:<12} {check['name']}{ids}{detail}")
        if data["paid"] is not None:
            paid = data["paid"]
            spent = "unknown" if paid["credits_spent"] is None else f"{paid['credits_spent']:g}"
            lines += [
                "",
                f"Paid check: jobs {', '.join(paid['job_ids']) or '(none)'}; same job on replay: {paid['same_job']}; "
                f"final status: {paid['status']}; credits spent: {spent}",
            ]
        lines.append("")
        if data["findings"]:
            lines.append(f"Contradictions of the snapshot ({len(data['findings'])}):")
            for f in data["findings"]:
                rid = f" request_id={f['request_id']}" if f["request_id"] else ""
                lines.append(f"  {f['operation']} -> {f['status']}: {f['path']}: {f['problem']}{rid}")
        else:
            lines.append("No contradiction of the snapshot.")
        counts = data["inferred"]["counts"]
        lines += [
            "",
            f"Inferred (x-sume-inferred) objects: {counts[CONFIRMED]} confirmed, {counts[CONTRADICTED]} contradicted, "
            f"{counts[NOT_EXERCISED]} not exercised",
        ]
        for mark in data["inferred"]["marks"]:
            if mark["verdict"] == NOT_EXERCISED:
                continue
            lines.append(f"  {mark['verdict']:<12} {mark['pointer']}")
            lines.extend(f"      {seen}" for seen in mark["seen"])
        not_exercised = [m["pointer"] for m in data["inferred"]["marks"] if m["verdict"] == NOT_EXERCISED]
        if not_exercised:
            lines.append(f"  not exercised: {', '.join(not_exercised)}")
        if data["notes"]:
            lines += ["", "Notes:", *(f"  {note}" for note in data["notes"])]
        if not self.ok:
            lines += [
                "",
                "The live API differs from the snapshot this SDK was built on. Run `make update-schema` in a",
                "checkout of sume-async to see the schema's side, and open an issue with this report attached.",
            ]
        return "\n".join(lines) + "\n"
