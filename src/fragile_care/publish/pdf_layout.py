"""Layout checks of a rendered PDF, from the word boxes poppler's ``pdftotext -bbox-layout``
reports: no word printed over another word, no word outside the page, no page in the middle
of a report that is nearly empty (a heading alone, a table pushed to the next page).

A table that runs off the page or overprints the footer shows up as overlapping or outside
words. A hyphenated cell does not; the reports' Typst settings (``_quarto.yml``) turn
hyphenation off instead.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MIN_WORDS_MIDDLE_PAGE = 40
# Two words overlap when their boxes share more than this many points in both directions
# (glyph boxes of neighbouring words touch, and italics lean over by a fraction of a point).
OVERLAP_TOLERANCE_PT = 1.0
OUTSIDE_TOLERANCE_PT = 0.5


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]


class PdfToolMissing(RuntimeError):
    """poppler's pdftotext is not installed."""


def read_words(pdf: Path) -> list[Page]:
    """Every page with its word boxes (points, origin top left)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise PdfToolMissing("pdftotext (poppler-utils) is not installed")
    proc = subprocess.run([tool, "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    root = ET.fromstring(proc.stdout)
    pages = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        words = tuple(
            Word(number, w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")))
            for w in page.iter("{http://www.w3.org/1999/xhtml}word")
        )
        pages.append(Page(number, float(page.get("width")), float(page.get("height")), words))
    return pages


def _overlap(a: Word, b: Word) -> bool:
    dx = min(a.x1, b.x1) - max(a.x0, b.x0)
    dy = min(a.y1, b.y1) - max(a.y0, b.y0)
    return dx > OVERLAP_TOLERANCE_PT and dy > OVERLAP_TOLERANCE_PT


def overlapping_words(page: Page) -> list[tuple[Word, Word]]:
    """Pairs of words whose boxes overlap (sweep over x, so a page of 2 000 words is quick)."""
    words = sorted(page.words, key=lambda w: w.x0)
    pairs = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if b.x0 >= a.x1 - OVERLAP_TOLERANCE_PT:
                break
            if _overlap(a, b):
                pairs.append((a, b))
    return pairs


def outside_words(page: Page) -> list[Word]:
    t = OUTSIDE_TOLERANCE_PT
    return [w for w in page.words if w.x0 < -t or w.y0 < -t or w.x1 > page.width + t or w.y1 > page.height + t]


def check_pdf(pdf: Path) -> list[str]:
    """Problems of one PDF, each as ``FILE p.N: problem``; empty when the layout is clean."""
    pages = read_words(pdf)
    problems = []
    for page in pages:
        where = f"{pdf.name} p.{page.number}"
        for a, b in overlapping_words(page)[:5]:
            problems.append(f"{where}: {a.text!r} overlaps {b.text!r} at ({a.x0:.0f}, {a.y0:.0f})")
        for w in outside_words(page)[:5]:
            problems.append(f"{where}: {w.text!r} lies outside the page at ({w.x0:.0f}, {w.y0:.0f})")
        if 1 < page.number < len(pages) and len(page.words) < MIN_WORDS_MIDDLE_PAGE:
            problems.append(f"{where}: only {len(page.words)} words on a page in the middle of the report")
    return problems
