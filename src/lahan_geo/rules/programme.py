"""Programme switches: facts about the programme, not the plot, set by the user.

Whether KDMP is a National Strategic Project (PSN) is not settled (domain notes
section 1): the rules that hinge on it (protected farmland Z3, the PIPPIB moratorium
X2, the PPKH route) read it as a switch, off by default, recorded in the result's
provenance with the applicant kind for a PPKH.

Examples
--------
>>> Programme().facts()
{'programme_psn': False, 'programme_public_interest': False, 'applicant': 'pemda'}
>>> Programme(psn=True, applicant="koperasi").to_dict()["psn"]
True
>>> Programme(applicant="ngo")
Traceback (most recent call last):
...
lahan_geo.errors.InputError: Programme(applicant='ngo') is not known. Fix: use 'pemda' ...
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lahan_geo.errors import InputError

__all__ = ["APPLICANTS", "Programme"]

#: Who applies for a forest-area use approval (PPKH): the regional government (the
#: bupati, a non-business use) or the cooperative (a business actor, kegiatan berusaha).
APPLICANTS = ("pemda", "koperasi")


@dataclass(frozen=True)
class Programme:
    """Programme switches the rules may read.

    Parameters
    ----------
    psn : bool, default False
        Treat the outlets as a National Strategic Project (unconfirmed for KDMP): LP2B
        conversion becomes possible with its conditions, the PIPPIB exemption applies.
    public_interest : bool, default False
        Treat the outlets as a public-interest use (opens LP2B conversion like PSN).
    applicant : {"pemda", "koperasi"}, default "pemda"
        Who applies for a PPKH: the bupati for a non-business use, or the cooperative
        as a business actor (then the governor's route does not apply).
    """

    psn: bool = False
    public_interest: bool = False
    applicant: str = "pemda"

    def __post_init__(self) -> None:
        for name in ("psn", "public_interest"):
            if not isinstance(getattr(self, name), bool):
                msg = (f"Programme({name}={getattr(self, name)!r}) must be True or False. "
                       f"Fix: pass {name}=True or {name}=False.")
                raise InputError(msg)
        if self.applicant not in APPLICANTS:
            msg = (f"Programme(applicant={self.applicant!r}) is not known. Fix: use "
                   f"{' or '.join(repr(a) for a in APPLICANTS)}.")
            raise InputError(msg)

    def facts(self) -> dict[str, Any]:
        """Return the facts the rules read (the same for every plot)."""
        return {"programme_psn": self.psn, "programme_public_interest": self.public_interest,
                "applicant": self.applicant}

    def to_dict(self) -> dict[str, Any]:
        """Return the switches as plain data, for provenance."""
        return asdict(self)
