"""Each chart is drawn twice: wide for a laptop and the PDF, narrow for a phone, where the wide
drawing scaled down to the screen made its labels about 6 px high."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
from flask_babel import force_locale
from PIL import ImageChops

from companion.summaries import session_summary
from companion.summaries.render import charts, documents

LONG = "Les tiers-lieux en milieu rural et leur accompagnement par les collectivités locales"


def _texts(svg: str) -> list[tuple[float, float, str]]:
    """(y, font size, text) of each line of text of a drawing."""
    return [
        (float(y), float(size), text)
        for y, size, text in re.findall(
            r'<text x="[^"]*" y="([^"]+)" font-size="(\d+)"[^>]*>([^<]*)<', svg
        )
    ]


def test_a_chart_comes_wide_and_narrow_and_the_narrow_one_wraps_its_labels():
    drawn = str(charts.funnel_bars([(LONG, 6), ("présent·es", 5)], "De l’inscription"))
    wide, narrow = re.findall(r"<svg.*?</svg>", drawn)
    assert 'class="chart chart-wide" width="640"' in wide
    assert f'class="chart chart-narrow" width="{charts.NARROW}"' in narrow
    # Wide: one line per label, as before. Narrow: the long label over lines that fit.
    assert next(t for _, _, t in _texts(wide)) == LONG
    lines = [t for _, size, t in _texts(narrow) if size == 12 and not t[0].isdigit()]
    assert " ".join(lines[:-1]) == LONG and lines[-1] == "présent·es"
    assert all(len(line) * 12 * 0.62 <= charts.NARROW for line in lines)
    # The narrow drawing grows to hold the extra lines, each bar under its label's last line.
    height = int(re.search(r'height="(\d+)"', narrow)[1])
    assert height > int(re.search(r'height="(\d+)"', wide)[1])
    assert max(y for y, _, _ in _texts(narrow)) < height


def test_a_narrow_word_list_and_histogram_stay_inside_their_drawing():
    words = [("expérimentation-territoriale-partagée", 9), ("oser", 1)]
    narrow = str(charts.word_list(words, "Mots", width=charts.NARROW))
    for size, text in re.findall(r'font-size="(\d+)"[^>]*>([^<]+)<title>', narrow):
        assert len(text) * int(size) * 0.62 <= charts.NARROW
    scale = [(str(v), v) for v in range(11)]
    drawn = str(charts.histogram(scale, "De 0 à 10", width=charts.NARROW))
    counts = re.findall(r'font-size="12" text-anchor="middle" fill="#14213d">([^<]+)<', drawn)
    assert counts == [str(v) for v in range(11)]  # no share where 29 units cannot hold it


def test_the_pdf_draws_each_chart_once_and_prints_as_the_page_does(app, one_item):
    """The page draws each chart twice (wide, and narrow for a phone, hidden from print); the
    PDF only wide, and its pages are the same as the page's printed."""
    from weasyprint import HTML

    doc = session_summary.build_session_summary(one_item)
    with force_locale("fr"):
        page = documents.html("session", doc, "fr")
        printed = documents.html("session", doc, "fr", printed=True)
    assert 'class="chart chart-narrow"' in page and 'class="chart chart-narrow"' not in printed
    wide = page.count('class="chart chart-wide"')
    assert wide > 0 and printed.count('class="chart chart-wide"') == wide

    def images(html: str):
        pdf = pdfium.PdfDocument(HTML(string=html).write_pdf())
        return [pdf[i].render(scale=1).to_pil().convert("RGB") for i in range(len(pdf))]

    shown, reference = images(page), images(printed)
    assert len(shown) == len(reference)
    for a, b in zip(shown, reference, strict=True):
        assert ImageChops.difference(a, b).getbbox() is None
