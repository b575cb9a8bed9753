"""cxinsight: customer-experience insight for UK councils.

Clean contact-centre, complaint and survey exports; classify failure demand; segment
digital-exclusion risk; model channel-shift savings. See README.md.
"""

from __future__ import annotations

import logging

from cxinsight.io import LoadResult, load_complaints, load_contacts, load_survey, load_table

__version__ = "0.1.0"

__all__ = [
    "LoadResult",
    "__version__",
    "load_complaints",
    "load_contacts",
    "load_survey",
    "load_table",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
