"""The charts' and pages' colours: enough contrast against white (WCAG 2.2 AA) and told apart by
colour-blind readers (issue 29, build point 4)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from cxinsight import charts

CSS = (Path(charts.__file__).parent / "report" / "report.css").read_text(encoding="utf-8")
ROOT = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))

# Machado, Oliveira and Fernandes (2009): full protanopia, deuteranopia and tritanopia on linear RGB.
DEFICIENCIES = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "none": np.eye(3).tolist(),
}


def _linear(colour: str) -> np.ndarray:
    c = np.array([int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    f = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(f > 0.008856, np.cbrt(f), 7.787 * f + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_apart(a: str, b: str, deficiency: str) -> float:
    """How far apart two colours look (CIE76 delta E) to a reader with ``deficiency``."""
    m = np.array(DEFICIENCIES[deficiency])
    return float(np.linalg.norm(_lab(np.clip(m @ _linear(a), 0, 1)) - _lab(np.clip(m @ _linear(b), 0, 1))))


def test_the_contrast_ratio_is_wcags():
    assert charts.contrast_ratio("#000000") == pytest.approx(21.0)
    assert charts.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey for text
    assert charts.contrast_ratio("#ffffff", "#000000") == charts.contrast_ratio("#000000", "#ffffff")


@pytest.mark.parametrize("name", list(charts.OKABE_ITO))
def test_every_chart_colour_stands_out_from_white(name):
    """Bars, lines and markers are graphics a reader needs: at least 3:1 against the white page (1.4.11)."""
    assert charts.contrast_ratio(charts.OKABE_ITO[name]) >= 3.0, (name, charts.OKABE_ITO[name])


def test_the_palette_is_okabe_ito_in_the_order_the_notebooks_use():
    assert charts.PALETTE == list(charts.OKABE_ITO.values())
    assert charts.PALETTE[0] == "#0072B2" and charts.PALETTE[2] == "#009E73" and len(charts.PALETTE) == 8


def test_text_colours_are_readable():
    """The pages' text colours (report.css) and the charts' text: at least 4.5:1 on white and on the
    grey panels (1.4.3); the focus outline's ink on its yellow too."""
    for name in ("ink", "muted", "link", "visited"):
        for background in ("#ffffff", ROOT["panel"]):
            assert charts.contrast_ratio(ROOT[name], background) >= 4.5, (name, ROOT[name], background)
    assert charts.contrast_ratio(charts.INK) >= 4.5 and charts.INK == ROOT["ink"]
    assert charts.contrast_ratio(ROOT["ink"], ROOT["focus"]) >= 4.5


@pytest.mark.parametrize("deficiency", ["protanopia", "deuteranopia", "tritanopia", "none"])
def test_colour_blind_readers_tell_the_colours_apart(deficiency):
    """Every pair of palette colours stays at least 10 delta E apart (clearly different side by side)
    to a reader with no red cones, no green cones or no blue cones (simulated)."""
    close = [(a, b, round(seen_apart(charts.OKABE_ITO[a], charts.OKABE_ITO[b], deficiency)))
             for a, b in itertools.combinations(charts.OKABE_ITO, 2)
             if seen_apart(charts.OKABE_ITO[a], charts.OKABE_ITO[b], deficiency) < 10]
    assert not close, close


def test_likely_excluded_is_not_drawn_in_green():
    """Issue 29: green read as "good" for the customers a digital-only service would strand. The groups
    run from blue (no help needed) to vermillion (the most), and are hatched where they share a bar."""
    colours = charts.SEGMENT_COLOURS
    assert colours["likely_excluded"] == charts.OKABE_ITO["vermillion"]
    assert charts.OKABE_ITO["bluish green"] not in colours.values()
    assert len(set(colours.values())) == 3 and len(set(charts.SEGMENT_HATCHES.values())) == 3
    assert len(set(charts.HATCHES)) == len(charts.HATCHES) >= len(charts.PALETTE)  # a pattern per colour
    notebooks = Path(charts.__file__).resolve().parents[1] / "notebooks"
    for name in ("03_digital_exclusion.ipynb", "07_at_a_glance.ipynb"):
        text = (notebooks / name).read_text(encoding="utf-8")
        assert "SEGMENT_COLOURS" in text and "PALETTE[:3]" not in text and "for i in range(3)]" not in text, name
