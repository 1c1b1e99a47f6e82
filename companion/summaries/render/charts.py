"""Charts as inline SVG, drawn here (no chart library): bars, a histogram, a sized word list.

Every text that came from people goes through ``escape``; the result is ``Markup`` ready for
the HTML template (and so for the PDF). Presentation attributes only, no ``style``: the pages'
CSP forbids inline styles, and WeasyPrint reads attributes just as well.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ...polls.kinds import KINDS

WIDTH = 640
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#14213d"
SOFT = "#3d4a63"
BAR = "#0b5fa5"
GOOD = "#1b6e3a"
TRACK = "#e3eef8"
LABEL_CHARS = 95


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(height: int, title: str, body: list[str]) -> Markup:
    label = escape(_short(title, 300))
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{label}" '
        f'font-family="{FONT}"><title>{label}</title>' + "".join(body) + "</svg>"
    )


def bars(
    rows: list[tuple[str, float, bool]],
    title: str,
    *,
    total: float | None = None,
    full: float | None = None,
) -> Markup:
    """Horizontal bars, one per (label, value, highlighted); the label sits above its bar.

    A bar's length is its share of ``total`` (choices: the ballots), shown as a percentage
    too; with ``full`` instead, its share of that (a mean on its scale's maximum); with
    neither, its share of the sum of the values. Never scaled to the leader: a full bar
    means everyone.
    """
    whole = total or full or sum(v for _, v, _ in rows) or 1
    row_h, bar_h = 42, 16
    body = []
    for i, (label, value, highlighted) in enumerate(rows):
        y = 4 + i * row_h
        width = round((WIDTH - 120) * min(1.0, value / whole), 1)
        shown = f"{value:g}"
        if not full:
            shown += f" ({round(100 * value / whole)} %)"
        body.append(
            f'<text x="0" y="{y + 13}" font-size="12" fill="{INK}">'
            f"{'✓ ' if highlighted else ''}{escape(_short(label))}</text>"
            f'<rect x="0" y="{y + 19}" width="{WIDTH - 120}" height="{bar_h}" fill="{TRACK}"/>'
            f'<rect x="0" y="{y + 19}" width="{width}" height="{bar_h}" '
            f'fill="{GOOD if highlighted else BAR}"/>'
            f'<text x="{WIDTH - 112}" y="{y + 32}" font-size="12" fill="{SOFT}">{shown}</text>'
        )
    return _svg(8 + row_h * len(rows), title, body)


def histogram(
    values: list[tuple[str, int]], title: str, *, labels: dict[str, str] | None = None
) -> Markup:
    """Vertical bars for a rating scale, with each value's count above its bar."""
    labels = labels or {}
    n = max(len(values), 1)
    total = sum(c for _, c in values) or 1
    plot_h, base = 150, 175
    slot = WIDTH / n
    bar_w = min(70, slot * 0.7)
    body = [f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{SOFT}" stroke-width="1"/>']
    for i, (value, count) in enumerate(values):
        x = i * slot + (slot - bar_w) / 2
        h = round(plot_h * count / total, 1)
        cx = round(i * slot + slot / 2, 1)
        body.append(
            f'<rect x="{round(x, 1)}" y="{base - h}" width="{round(bar_w, 1)}" height="{h}" '
            f'fill="{BAR}"/>'
            f'<text x="{cx}" y="{base - h - 5}" font-size="12" text-anchor="middle" '
            f'fill="{INK}">{count} ({round(100 * count / total)} %)</text>'
            f'<text x="{cx}" y="{base + 16}" font-size="13" text-anchor="middle" '
            f'font-weight="bold" fill="{INK}">{escape(value)}</text>'
        )
        if labels.get(value):
            body.append(
                f'<text x="{cx}" y="{base + 32}" font-size="10" text-anchor="middle" '
                f'fill="{SOFT}">{escape(_short(labels[value], 24))}</text>'
            )
    return _svg(base + 40, title, body)


def word_list(words: list[tuple[str, int]], title: str, *, limit: int = 60) -> Markup:
    """Words laid out in lines, each sized by how many people gave it (a word cloud, legible)."""
    words = words[:limit]
    top = max((c for _, c in words), default=0) or 1
    low = min((c for _, c in words), default=0)
    lines: list[list[tuple[float, int, str, int, float]]] = [[]]
    x = 0.0
    for word, count in words:
        share = (count - low) / (top - low) if top > low else 1.0
        size = round(12 + 22 * share)
        text = _short(word, 40)
        # An estimate of the drawn width: DejaVu's average advance is about 0.62 em.
        width = len(text) * size * 0.62 + 16
        if x + width > WIDTH and lines[-1]:
            lines.append([])
            x = 0.0
        lines[-1].append((x, size, text, count, share))
        x += width
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
    return _svg(max(y, 24), title, body)


def poll_chart(poll: dict) -> Markup | None:
    """The chart that fits the shape of the poll's results (None for texts: they are listed)."""
    shape, results, total = KINDS[poll["kind"]].results_shape, poll["results"], poll["total"]
    if shape == "counts":
        rows = [(r["text"], r["count"], bool(r.get("correct"))) for r in results]
        return bars(rows, poll["question"], total=total or None)
    if shape == "points":
        # Borda points: each option's share of all points given.
        return bars([(r["text"], r["score"], False) for r in results], poll["question"])
    if shape == "histogram":
        labels = (poll.get("scale") or {}).get("labels") or {}
        return histogram(list(results["histogram"].items()), poll["question"], labels=labels)
    if shape == "words":
        return word_list([(r["word"], r["count"]) for r in results], poll["question"])
    return None


def attendance_bars(came_to: dict[str, int], title: str, label) -> Markup:
    """How many people came to 1, 2, ... sessions (``label(n)`` names each bar)."""
    rows = [(label(int(k)), v, False) for k, v in came_to.items() if k != "0"]
    return bars(rows, title, total=sum(v for _, v, _ in rows) or None)


def funnel_bars(steps: list[tuple[str, int]], title: str) -> Markup:
    """Registered → present → contributed, each bar a share of the first step's count."""
    whole = max((c for _, c in steps), default=0) or None
    return bars([(label, count, False) for label, count in steps], title, total=whole)


def mean_chart(compared: dict) -> Markup:
    """A rating asked in several sessions: one bar per session, the mean on the scale's top."""
    rows = [(e["session_title"], e["mean"] or 0, False) for e in compared["sessions"]]
    scale = compared.get("scale") or {}
    return bars(rows, compared["question"], full=scale.get("max") or None)
