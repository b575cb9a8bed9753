"""Which notebooks make the reports: their titles, what data each needs, where they live."""

from __future__ import annotations

from pathlib import Path

from cxinsight import availability, paths, publish

COUNCIL_NOTEBOOKS: tuple[str, ...] = ("01_data_quality.ipynb", "02_failure_demand.ipynb", "03_digital_exclusion.ipynb",
                                      "04_channel_shift.ipynb", "05_complaints.ipynb",
                                      "06_customer_experience.ipynb", "09_journeys.ipynb")
GLANCE = "07_at_a_glance.ipynb"
#: Run by ``cxinsight history`` on a history folder, not by ``cxinsight report``.
HISTORY = "08_history.ipynb"
TITLES = {
    "01_data_quality.ipynb": "Data quality: what came in and what we could use",
    "02_failure_demand.ipynb": "Failure demand",
    "03_digital_exclusion.ipynb": "Digital exclusion",
    "04_channel_shift.ipynb": "Channel shift: savings and their range",
    "05_complaints.ipynb": "Complaints against the codes",
    "06_customer_experience.ipynb": "Customer experience",
    "09_journeys.ipynb": "Customer journeys: first-contact resolution and where journeys fail",
    HISTORY: "Year on year, and beside other councils",
}

# What each council report needs beyond the contacts (tables, or table.field with some values).
NEEDS: dict[str, tuple[str, ...]] = {
    "02_failure_demand.ipynb": (availability.FAILURE_EVIDENCE,),  # words or behaviour, or no evidence at all
    "03_digital_exclusion.ipynb": ("contacts.customer_id|areas",),  # either half runs alone
    "05_complaints.ipynb": ("complaints",),  # every other complaint field is optional: the page says what is missing
    "06_customer_experience.ipynb": ("survey",),
    "09_journeys.ipynb": (availability.JOURNEY_IDS,),  # case numbers, or customer numbers, follow the contacts
}

# The defaults (a council's own: cxinsight.settings.Settings.publishing, or publish.rules() once its
# analysis is loaded)
MAX_SERVICE_REPORTS = publish.MAX_SERVICE_REPORTS  # a real feed can have hundreds of categories: report on the largest
MIN_SERVICE_CONTACTS = publish.MIN_SERVICE_CONTACTS  # a service page needs enough contacts for its figures to mean anything


def notebook_dir() -> Path:
    return paths.project_root() / "notebooks"


def page_name(notebook: str) -> str:
    """``"02_failure_demand.ipynb"`` -> ``"02_failure_demand.html"``."""
    return notebook.replace(".ipynb", ".html")
