"""What the report's processes set before anything imports the notebook libraries.

nbformat checks notebooks with jsonschema, and jsonschema imports ``rfc3987_syntax`` when it is
installed (JupyterLab's ``jupyter_events`` asks for it) to check IRIs, a format no notebook schema
uses. That import builds a parser grammar: 2-3 seconds in every process that runs or converts a
notebook (the report's own and each notebook worker's, which imports :mod:`cxinsight.report` first).
Marked absent here, jsonschema skips that one format, as it does wherever the package is not
installed; a process that had already imported it keeps it.

>>> import sys
>>> "rfc3987_syntax" in sys.modules
True
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)
