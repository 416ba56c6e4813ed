"""``sume_async.doctor()``: check the live API against the schema snapshot this SDK was built on.

``sume-async doctor`` is its command line. See :mod:`._run` for what a run sends, and
:mod:`._contract` for how strictly each answer is checked.
"""

from ._contract import CONFIRMED, CONTRADICTED, NOT_EXERCISED, Finding, Mark
from ._report import Check, DoctorReport, PaidCheck
from ._run import PAID_WAIT_SECONDS, doctor, paid_cost

__all__ = [
    "CONFIRMED",
    "CONTRADICTED",
    "NOT_EXERCISED",
    "PAID_WAIT_SECONDS",
    "Check",
    "DoctorReport",
    "Finding",
    "Mark",
    "PaidCheck",
    "doctor",
    "paid_cost",
]
