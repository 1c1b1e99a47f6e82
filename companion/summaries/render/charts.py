"""Charts as inline SVG, drawn here (no chart library): bars, a histogram, a sized word list.

Every text that came from people goes through ``escape``; the result is ``Markup`` ready for
the HTML template (and so for the PDF). Presentation attributes only, no ``style``: the pages'
CSP forbids inline styles, and WeasyPrint reads attributes just as well.
"""

from __future__ import annotations

from functools import wraps

from markupsafe import Markup, escape

from ...core.text import one_line
from ...polls.kinds import KINDS

WIDTH = 640
#: The width of the second drawing each chart gets, shown instead on a phone (document.css):
#: scaled down to a 360 px screen, the 640-unit drawing's 12-unit text came out at 6 px.
NARROW = 320
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#14213d"
SOFT = "#3d4a63"
BAR = "#0b5fa5"
GOOD = "#1b6e3a"
TRACK = "#e3eef8"
LABEL_CHARS = 95


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = one_line(str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrap(text: str, chars: int, *, lines: int = 3) -> list[str]:
    """Break ``text`` into at most ``lines`` lines of about ``chars`` characters (SVG text
    does not wrap by itself); the last one ends with … when the text goes on."""
    out: list[str] = []
    for word in one_line(str(text)).split(" "):
        if out and len(out[-1]) + 1 + len(word) <= chars:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return [_short(line, chars) for line in out]


def _svg(height: int, title: str, body: list[str], width: int = WIDTH) -> Markup:
    label = escape(_short(title, 300))
    kind = "chart-narrow" if width < WIDTH else "chart-wide"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'font-family="{FONT}"><title>{label}</title>' + "".join(body) + "</svg>"
    )


def for_every_screen(draw):
    """``draw`` made to answer its chart twice: at ``WIDTH`` (the page on a wide screen, and
    the PDF) and at ``NARROW`` (a phone); document.css shows the one that fits."""

    @wraps(draw)
    def both(*args, **kwargs) -> Markup | None:
        wide = draw(*args, **kwargs)
        return None if wide is None else wide + draw(*args, width=NARROW, **kwargs)

    return both


def bars(
    rows: list[tuple[str, float, bool]],
    title: str,
    *,
    total: float | None = None,
    full: float | None = None,
    width: int = WIDTH,
) -> Markup:
    """Horizontal bars, one per (label, value, highlighted); the label sits above its bar
    (on a narrow drawing, over as many lines as it needs, three at most).

    A bar's length is its share of ``total`` (choices: the ballots), shown as a percentage
    too; with ``full`` instead, its share of that (a mean on its scale's maximum); with
    neither, its share of the sum of the values. Never scaled to the leader: a full bar
    means everyone.
    """
    whole = total or full or sum(v for _, v, _ in rows) or 1
    row_h, bar_h, line_h = 42, 16, 15
    # About as many characters as a line holds at font-size 12 (DejaVu: 0.62 em each).
    chars = LABEL_CHARS if width >= WIDTH else int(width / 7.5)
    body = []
    y = 4
    for label, value, highlighted in rows:
        mark = "✓ " if highlighted else ""
        lines = [mark + _short(label)] if width >= WIDTH else _wrap(mark + label, chars)
        below = y + line_h * (len(lines) - 1)  # the bar goes under the label's last line
        length = round((width - 120) * min(1.0, value / whole), 1)
        shown = f"{value:g}"
        if not full:
            shown += f" ({round(100 * value / whole)} %)"
        body.extend(
            f'<text x="0" y="{y + 13 + line_h * n}" font-size="12" fill="{INK}">'
            f"{escape(line)}</text>"
            for n, line in enumerate(lines)
        )
        body.append(
            f'<rect x="0" y="{below + 19}" width="{width - 120}" height="{bar_h}" fill="{TRACK}"/>'
            f'<rect x="0" y="{below + 19}" width="{length}" height="{bar_h}" '
            f'fill="{GOOD if highlighted else BAR}"/>'
            f'<text x="{width - 112}" y="{below + 32}" font-size="12" fill="{SOFT}">{shown}</text>'
        )
        y = below + row_h
    return _svg(y + 4, title, body, width)


def histogram(
    values: list[tuple[str, int]],
    title: str,
    *,
    labels: dict[str, str] | None = None,
    width: int = WIDTH,
) -> Markup:
    """Vertical bars for a rating scale, with each value's count above its bar (and its
    share too, where the slot is wide enough for both)."""
    labels = labels or {}
    n = max(len(values), 1)
    total = sum(c for _, c in values) or 1
    plot_h, base = 150, 175
    slot = width / n
    bar_w = min(70, slot * 0.7)
    # A scale label gets what its slot holds at font-size 10 (24 characters on a wide drawing).
    label_chars = 24 if width >= WIDTH else max(3, int(slot / 6.5))
    body = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="{SOFT}" stroke-width="1"/>']
    for i, (value, count) in enumerate(values):
        x = i * slot + (slot - bar_w) / 2
        h = round(plot_h * count / total, 1)
        cx = round(i * slot + slot / 2, 1)
        shown = f"{count}"
        if width >= WIDTH or slot >= 64:
            shown += f" ({round(100 * count / total)} %)"
        body.append(
            f'<rect x="{round(x, 1)}" y="{base - h}" width="{round(bar_w, 1)}" height="{h}" '
            f'fill="{BAR}"/>'
            f'<text x="{cx}" y="{base - h - 5}" font-size="12" text-anchor="middle" '
            f'fill="{INK}">{shown}</text>'
            f'<text x="{cx}" y="{base + 16}" font-size="13" text-anchor="middle" '
            f'font-weight="bold" fill="{INK}">{escape(value)}</text>'
        )
        if labels.get(value):
            body.append(
                f'<text x="{cx}" y="{base + 32}" font-size="10" text-anchor="middle" '
                f'fill="{SOFT}">{escape(_short(labels[value], label_chars))}</text>'
            )
    return _svg(base + 40, title, body, width)


def word_list(
    words: list[tuple[str, int]], title: str, *, limit: int = 60, width: int = WIDTH
) -> Markup:
    """Words laid out in lines, each sized by how many people gave it (a word cloud, legible)."""
    words = words[:limit]
    top = max((c for _, c in words), default=0) or 1
    low = min((c for _, c in words), default=0)
    lines: list[list[tuple[float, int, str, int, float]]] = [[]]
    x = 0.0
    for word, count in words:
        share = (count - low) / (top - low) if top > low else 1.0
        text = _short(word, 40 if width >= WIDTH else int(width / 7.5))
        size = round(12 + 22 * share)
        if width < WIDTH:  # a long word gets smaller rather than run out (never under 12)
            size = max(12, min(size, int((width - 16) / (len(text) * 0.62))))
        # An estimate of the drawn width: DejaVu's average advance is about 0.62 em.
        advance = len(text) * size * 0.62 + 16
        if x + advance > width and lines[-1]:
            lines.append([])
            x = 0.0
        lines[-1].append((x, size, text, count, share))
        x += advance
    body, y = [], 0
    for line in lines:
        if not line:
            continue
        # One baseline per line, under its biggest word.
        baseline = y + max(size for _, size, _, _, _ in line)
        for x, size, text, count, share in line:
            strong = share >= 0.5
            weight = ' font-weight="bold"' if strong else ""
            body.append(
                f'<text x="{round(x, 1)}" y="{baseline}" font-size="{size}" '
                f'fill="{BAR if strong else SOFT}"{weight}>'
                f"{escape(text)}<title>{escape(text)}: {count}</title></text>"
            )
        y = baseline + 10
    return _svg(max(y, 24), title, body, width)


@for_every_screen
def poll_chart(poll: dict, *, width: int = WIDTH) -> Markup | None:
    """The chart that fits the shape of the poll's results (None for texts: they are listed)."""
    shape, results, total = KINDS[poll["kind"]].results_shape, poll["results"], poll["total"]
    if shape == "counts":
        rows = [(r["text"], r["count"], bool(r.get("correct"))) for r in results]
        return bars(rows, poll["question"], total=total or None, width=width)
    if shape == "points":
        # Borda points: each option's share of all points given.
        rows = [(r["text"], r["score"], False) for r in results]
        return bars(rows, poll["question"], width=width)
    if shape == "histogram":
        labels = (poll.get("scale") or {}).get("labels") or {}
        values = list(results["histogram"].items())
        return histogram(values, poll["question"], labels=labels, width=width)
    if shape == "words":
        words = [(r["word"], r["count"]) for r in results]
        return word_list(words, poll["question"], width=width)
    return None


@for_every_screen
def attendance_bars(came_to: dict[str, int], title: str, label, *, width: int = WIDTH) -> Markup:
    """How many people came to 1, 2, ... sessions (``label(n)`` names each bar)."""
    rows = [(label(int(k)), v, False) for k, v in came_to.items() if k != "0"]
    return bars(rows, title, total=sum(v for _, v, _ in rows) or None, width=width)


@for_every_screen
def funnel_bars(steps: list[tuple[str, int]], title: str, *, width: int = WIDTH) -> Markup:
    """Registered → present → contributed, each bar a share of the first step's count."""
    whole = max((c for _, c in steps), default=0) or None
    rows = [(label, count, False) for label, count in steps]
    return bars(rows, title, total=whole, width=width)


@for_every_screen
def mean_chart(compared: dict, *, width: int = WIDTH) -> Markup:
    """A rating asked in several sessions: one bar per session, the mean on the scale's top."""
    rows = [(e["session_title"], e["mean"] or 0, False) for e in compared["sessions"]]
    scale = compared.get("scale") or {}
    return bars(rows, compared["question"], full=scale.get("max") or None, width=width)
