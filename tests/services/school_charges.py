"""What a family pays for a repair at the small school (tests/services/service_school.py), written
out by hand from the school's rules rather than worked out by the code under test:

- Standard cover allows 2 claims a period; the first claim is free, a later one is £50.00, and a
  theft is £150.00 whatever the claim number;
- damage outside the school case (not a theft), a claim after the second, lapsed cover and no cover
  pay the uninsured price: screen £85.00, keyboard £60.00, liquid £120.00, a lost or stolen
  laptop £300.00; a trackpad has no uninsured price, so nothing is charged;
- software and battery faults are never claims (not in the table).
"""

from __future__ import annotations

from helpdesk.domain.enums import DamageCategory as D

INSURED, LAPSED, NO_COVER = "insured", "lapsed", "none"

# fmt: off
# category      insured, in the case     insured, out of the case  lapsed  no cover
#               claims used: 0, 1, 2     claims used: 0, 1, 2
CHARGES = {
    D.SCREEN:   ((0,     5000,  8500),  (8500,  8500,  8500),    8500,   8500),
    D.KEYBOARD: ((0,     5000,  6000),  (6000,  6000,  6000),    6000,   6000),
    D.LIQUID:   ((0,     5000,  12000), (12000, 12000, 12000),   12000,  12000),
    D.TRACKPAD: ((0,     5000,  0),     (0,     0,     0),       0,      0),
    D.LOST:     ((0,     5000,  30000), (30000, 30000, 30000),   30000,  30000),
    D.STOLEN:   ((15000, 15000, 30000), (15000, 15000, 30000),   30000,  30000),
}
# fmt: on


def expected_charge(category: D | str, cover: str, used: int = 0, in_case: bool = True) -> int:
    """The charge in pence for ``category`` with ``cover`` (insured, lapsed or none), ``used``
    claims of the period already made, in or out of the school case."""
    in_case_row, out_of_case_row, lapsed, no_cover = CHARGES[D(category)]
    if cover == LAPSED:
        return lapsed
    if cover == NO_COVER:
        return no_cover
    assert cover == INSURED, cover
    return (in_case_row if in_case else out_of_case_row)[used]
