"""Real public data (../shared/data): the loader on a real government export."""

from __future__ import annotations

import pandas as pd
import pytest

import cxinsight as cx
from cxinsight.clean import parse_numbers
from cxinsight.io import detect_encoding

pytestmark = pytest.mark.public_data

IMD_PROFILE = {"name": "iod2019_file1", "table": "areas",
               "columns": {"lsoa_code": "LSOA code (2011)", "lsoa_name": "LSOA name (2011)"}}


def test_official_imd_file_loads_with_every_row_accounted(shared_data):
    path = shared_data / "imd2019" / "official_iod2019_files" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
    assert detect_encoding(path) == "utf-8-sig"
    result = cx.load_table(path, IMD_PROFILE)
    assert result.rows_in == 32_844 == len(result.data)
    assert result.quarantine.empty
    assert result.data["lsoa_code"].str.fullmatch(r"E01\d{6}").all()


def test_thousands_separated_ranks_read_like_an_independent_reader(shared_data):
    """Ranks written "29,199" are read exactly as pandas' own ``thousands=','`` reads them.

    Note: this converted copy of File 1 carries 26 repeated ranks (so 26 of 1..32,844 are absent),
    an artefact of its conversion from the official .xlsx; the check is agreement, not a permutation.
    """
    path = shared_data / "imd2019" / "official_iod2019_files" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    ranks = parse_numbers(raw["Index of Multiple Deprivation (IMD) Rank"])
    independent = pd.read_csv(path, encoding="utf-8-sig", thousands=",")["Index of Multiple Deprivation (IMD) Rank"]
    assert (ranks.to_numpy() == independent.to_numpy()).all()
    assert ranks.between(1, 32_844).all() and ranks.nunique() > 32_800
