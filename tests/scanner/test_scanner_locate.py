"""Finding bars that sit close inside a label's outline, and reading fine, blurred bars.

Fine bars (a module about two camera pixels) under blur keep little of their contrast; the 1-D
cut-out is sharpened by an unsharp mask one camera pixel wide before it is decoded.

A label's outline (white label, darker desk) is one strong edge: as coherent as bars, often
stronger than blurred bars. Taken for bars it joins them into one patch with the outline, whose
measured angle is that of neither, and the code is never cut out.
"""

from __future__ import annotations

import numpy as np

from helpdesk.scanner.cutouts import sharpened

TEXT = "PER-004711"


def test_sharpening_leaves_wide_bars_and_flat_ground_alone():
    crop = np.full((40, 200), 200, np.uint8)
    assert np.array_equal(sharpened(crop, 2.0), crop)  # nothing to sharpen on a flat ground
    crop[:, 60:100] = 40  # one bar 40 px wide: its middle keeps its grey
    out = sharpened(crop, 2.0)
    assert np.array_equal(out[:, 70:90], crop[:, 70:90])
    assert out[:, 58].max() > 200 and out[:, 61].min() < 40  # its edges get steeper
