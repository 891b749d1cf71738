"""Guards: what a file must pass before any reader allocates for it.

* :mod:`.limits` — the sizes perfscore agrees to read;
* :mod:`.xlsx` — an .xlsx/.ods zip: unpacked size, compression ratio, each sheet's used range;
* :mod:`.xls` — an .xls (OLE2/BIFF): what calamine would allocate, predicted from the records.
"""

from __future__ import annotations

from .limits import LIMITS, Limits

__all__ = ["LIMITS", "Limits"]
