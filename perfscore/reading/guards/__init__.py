"""Guards: what a file must pass before any reader allocates for it.

* :mod:`.limits` — the sizes perfscore agrees to read, and the budget of a workbook read whole;
* :mod:`.files` — only regular files, read no further than a limit; names that are not UTF-8;
* :mod:`.xlsx` — an .xlsx zip: unpacked size, compression ratio, each sheet's extent from its XML;
* :mod:`.ods` — an .ods: each sheet's area, repeats counted, before calamine parses them all;
* :mod:`.xls` — an .xls (OLE2/BIFF): what calamine would allocate, predicted from the records.

The memory reading can take is bounded by a multiple of the uncompressed size plus a constant
(docs/security.md derives it).
"""

from __future__ import annotations

from .limits import LIMITS, Limits

__all__ = ["LIMITS", "Limits"]
