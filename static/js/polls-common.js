// @ts-check
// What every poll view shares: the polls as this page knows them, and the results drawings
// (bars, a rating histogram, a laid-out word cloud). No innerHTML: text goes through el().
import { el } from "./api.js";
import { formatLang, t } from "./i18n.js";
import { kindOf } from "./poll-kinds.js";
import { Store } from "./store.js";

const number = new Intl.NumberFormat(formatLang, { maximumFractionDigits: 2 });
export const fmt = (value) => number.format(value);

/**
 * A poll as the page holds it: the contract's fields, the figures of the last poll.results, and
 * the participant's own answer (which broadcasts never carry).
 * @typedef {object} Poll
 * @property {number} id
 * @property {string} kind
 * @property {string} question
 * @property {Array<{id: number, text: string}>} options
 * @property {"draft" | "open" | "closed"} state
 * @property {Record<string, any>} settings
 * @property {number} position
 * @property {boolean} [anonymous]
 * @property {number | null} [agenda_item_id]
 * @property {number | null} [correct_option_id]
 * @property {string | null} [opened_at]
 * @property {string | null} [closed_at]
 * @property {boolean} [revealed]
 * @property {boolean} [results_public]
 * @property {any} [results]
 * @property {number} [total]
 * @property {Record<string, any> | null} [my_answer]
 * @property {boolean} [deleted]
 * @property {number} [changed]  when this page saw its state change (orders the projector's choice)
 */

/**
 * The polls of the session, kept up to date from the snapshot, poll.updated and poll.results.
 * @extends {Store<Poll>}
 */
export class PollBook extends Store {
  constructor() {
    // Broadcasts never carry a participant's own answer: keep the one we know.
    super({ keep: ["my_answer"] });
    this.clock = 0; // orders polls by when this page saw them change (opened_at has seconds)
  }

  /**
   * Apply a poll.updated; return {poll, previous} (poll is null once deleted).
   * @param {Poll} poll
   */
  update(poll) {
    const previous = this.get(poll.id);
    if (poll.deleted) {
      this.remove(poll.id);
      return { poll: null, previous };
    }
    this.clock += 1;
    const merged = this.merged(previous || undefined, poll);
    merged.changed = previous && previous.state === poll.state ? previous.changed : this.clock;
    this.items.set(poll.id, merged);
    this.changed();
    return { poll: merged, previous };
  }

  /**
   * Apply a poll.results; return the poll, or null when unknown here.
   * @param {{poll_id: number, total: number, results: any, public?: boolean}} data
   */
  results(data) {
    const poll = this.get(data.poll_id);
    if (!poll) return null;
    poll.total = data.total;
    poll.results = data.results;
    if (typeof data.public === "boolean") poll.results_public = data.public;
    this.changed();
    return poll;
  }

  /** In the moderator's order. */
  sorted() {
    return this.values().sort((a, b) => a.position - b.position || a.id - b.id);
  }
}

export function kindLabel(kind) {
  return t(`poll_kind_${kind}`);
}

export function stateLabel(state) {
  return t(`poll_state_${state}`);
}

export function answersLabel(total) {
  if (!total) return t("poll_answers_0");
  if (total === 1) return t("poll_answers_1");
  return t("poll_answers_n", { n: fmt(total) });
}

/** A stable key of what a poll asks: a card is rebuilt only when this changes. */
export function shapeKey(poll) {
  return JSON.stringify([poll.state, poll.kind, poll.question, poll.options, poll.settings,
    poll.correct_option_id ?? null]);
}

/** The share of ``total`` that ``value`` is, 0 to 100 (0 when there is no total yet). */
export function share(value, total) {
  return total > 0 ? Math.min(100, Math.max(0, (100 * value) / total)) : 0;
}

/**
 * Horizontal bars: rows of {label, value, highlight}. Each bar is its share of ``total``
 * (the ballots, by default the sum of the values), never scaled to the leading option:
 * two options at 50 % draw two half bars.
 */
export function bars(rows, { unit = null, total = null } = {}) {
  const whole = total ?? rows.reduce((acc, r) => acc + r.value, 0);
  return el("ul", { class: "poll-bars" }, rows.map((row) => {
    const percent = share(row.value, whole);
    const fill = el("span", { class: "poll-bar-fill" });
    fill.style.width = `${percent}%`;
    const shown = unit ? t(unit, { n: fmt(row.value) })
      : `${fmt(row.value)}${whole ? ` · ${Math.round(percent)} %` : ""}`;
    return el("li", { class: `poll-bar${row.highlight ? " is-correct" : ""}`, "data-share": percent.toFixed(1) },
      el("span", { class: "poll-bar-label" }, row.label,
        row.highlight ? el("span", { class: "poll-badge ok" }, t("poll_correct")) : null),
      el("span", { class: "poll-bar-track", "aria-hidden": "true" }, fill),
      el("span", { class: "poll-bar-value" }, shown));
  }));
}

/** A rating histogram with its mean; labels of the scale under the ends. */
export function histogram(poll) {
  const scale = poll.settings.scale || { min: 1, max: 5, labels: {} };
  const counts = poll.results.histogram || {};
  const values = Object.keys(counts).map(Number).sort((a, b) => a - b);
  // Each column is its share of the ballots, like the bars.
  const whole = poll.total || values.reduce((acc, v) => acc + counts[v], 0);
  const columns = values.map((value) => {
    const bar = el("span", { class: "poll-col-bar" });
    bar.style.height = `${share(counts[value], whole)}%`;
    const label = (scale.labels || {})[String(value)];
    return el("li", { class: "poll-col" },
      el("span", { class: "poll-col-count" }, fmt(counts[value])),
      el("span", { class: "poll-col-track", "aria-hidden": "true" }, bar),
      el("span", { class: "poll-col-value" }, String(value)),
      label ? el("span", { class: "poll-col-label" }, label) : null);
  });
  const mean = poll.results.mean;
  return el("div", { class: "poll-rating" },
    el("ol", { class: "poll-histogram" }, columns),
    el("p", { class: "poll-mean" },
      mean === null || mean === undefined ? t("poll_answers_0")
        : t("poll_mean", { mean: `${fmt(mean)} / ${fmt(scale.max)}` })));
}

const CLOUD_COLOURS = ["c0", "c1", "c2", "c3", "c4", "c5"];
const REF = 100; // words are measured once at this font size (px), then scaled
/** @type {Map<string, {n: number, k: number, total: number, searched: number}>} */
const FITS = new Map(); // per cloud and box: the words shown, their scale, when last searched
const REFIT_MS = 3000;

/** "+ 12 more words": what a cloud says about the words it has no room for. */
export function moreWords(n) {
  return n === 1 ? t("poll_cloud_more_1") : t("poll_cloud_more_n", { n: fmt(n) });
}

/**
 * Lay words out as a cloud: the most given in the middle, the others on an outward spiral, each
 * at the first place where it overlaps nothing. A word's size follows its count alone (the square
 * root of its share of the top count), so equal counts draw equal sizes. When the words do not
 * all fit, they all shrink together, never below minFont; past that the cloud keeps the most given
 * words and says how many more there are ("+ 12 more words"): no word leaves silently.
 * minFont and maxFont are pixels, or functions giving them (the projector's follow the screen).
 * `memo` names the cloud (a poll): its refreshes in the same box first try the last fit found,
 * and search afresh only when that fails or every REFIT_MS (a search lays out ~15 times: some
 * 100 ms for a projector's cloud of 100 words, several times that on a slow laptop, at every
 * refresh of the results while people answer).
 * @param {HTMLElement} box
 * @param {Array<{word: string, count: number}>} words
 * @returns {{shown: number, more: number}}
 */
export function drawCloud(box, words, { minFont = 14, maxFont = 56, memo = "" } = {}) {
  box.replaceChildren();
  delete box.dataset.shown;
  delete box.dataset.more;
  const width = box.clientWidth;
  const height = box.clientHeight;
  if (!words.length || !width || !height) return { shown: 0, more: 0 };
  const low = typeof minFont === "function" ? minFont() : minFont;
  const high = Math.max(low, typeof maxFont === "function" ? maxFont() : maxFont);
  const list = [...words].sort((a, b) => b.count - a.count); // stable: the server's order for ties
  const top = Math.max(1, list[0].count);
  const base = list.map((w) => low + (high - low) * Math.sqrt(Math.max(0, w.count) / top));

  // Measure every word once at REF px; a size s is then REF-scaled (plus a safety margin).
  const spans = list.map((word, index) => el("span", {
    class: `cloud-word ${CLOUD_COLOURS[index % CLOUD_COLOURS.length]}`,
    dataset: { count: String(word.count) } }, word.word));
  for (const span of spans) span.style.fontSize = `${REF}px`;
  box.append(...spans);
  const natural = spans.map((span) => span.getBoundingClientRect());
  // Styled here: the cloud's stylesheet rules are shared with other pages' owners.
  const note = el("span", { class: "cloud-more" });
  Object.assign(note.style, { position: "absolute", right: "0", bottom: "0", fontSize: `${low}px`,
    lineHeight: "1.2", fontWeight: "600", whiteSpace: "nowrap", opacity: "0.85" });
  box.append(note);
  const wrapStyle = (span, on) => Object.assign(span.style, on
    ? { whiteSpace: "normal", overflowWrap: "break-word", maxWidth: `${width}px` }
    : { whiteSpace: "", overflowWrap: "", maxWidth: "" });

  /** The box a word takes at `size` px, and the size it is drawn at: on one line, or (a phrase)
   * wrapped between its words to the cloud's width. */
  const wrapped = new Map();
  const extent = (i, size) => {
    const w = (natural[i].width * size) / REF;
    const h = (natural[i].height * size) / REF;
    if (w + 4 <= width) return { w: Math.min(width, w * 1.02 + 4), h: h * 1.1, wrap: false, size };
    if (!/\s/.test(list[i].word)) {
      // One word wider than the cloud even at the smallest legible scale (a crowded cloud on a
      // phone) shrinks alone to the width: cut in two, it would read as two words.
      const fit = (size * (width - 8)) / (w * 1.02);
      return { w: (w * fit * 1.02) / size + 4, h: (h * fit * 1.1) / size, wrap: false, size: fit };
    }
    // A phrase longer than the cloud is wide (on a phone): it wraps between its words.
    const key = `${i}:${size}`;
    if (!wrapped.has(key)) {
      const span = spans[i];
      wrapStyle(span, true);
      span.style.fontSize = `${size}px`;
      const r = span.getBoundingClientRect();
      wrapped.set(key, { w: Math.min(width, r.width + 2), h: r.height * 1.05, wrap: true, size });
      wrapStyle(span, false);
      span.style.fontSize = `${REF}px`;
    }
    return wrapped.get(key);
  };

  // An Archimedean spiral, stretched to the box's shape (screens are wider than tall), walked in
  // steps of a few pixels; it stops past the box's corners.
  const aspect = width / height;
  const reach = Math.hypot(width / aspect, height) / 2 + 2;
  const spot = (w, h, placed) => {
    // Steps of a few pixels, a fifth of a large word's height: as snug, far fewer to test.
    const stride = Math.max(6, Math.min(w, h) / 5);
    // The rectangle that stopped the last candidate stops the next ones most often: first.
    let last = null;
    const hits = (r, p) => r.x < p.x + p.w && r.x + r.w > p.x && r.y < p.y + p.h && r.y + r.h > p.y;
    const free = (r) => {
      if (last && hits(r, last)) return false;
      for (const p of placed) if (hits(r, p)) { last = p; return false; }
      return true;
    };
    for (let angle = 0, radius = 0; radius <= reach;) {
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const rect = { x: width / 2 + radius * cos * aspect - w / 2, y: height / 2 + radius * sin - h / 2, w, h };
      if (rect.x >= 0 && rect.y >= 0 && rect.x + w <= width && rect.y + h <= height && free(rect)) return rect;
      const speed = Math.max(1, radius * Math.hypot(aspect * sin, cos));
      angle += Math.min(0.5, stride / speed);
      radius = 2 * angle;
    }
    return null;
  };

  /** Place the first n words at scale k (and the note when some are left out), or null. */
  const layout = (n, k) => {
    const placed = [];
    if (n < list.length) {
      note.textContent = moreWords(list.length - n);
      const r = note.getBoundingClientRect();
      placed.push({ x: width - r.width - 4, y: height - r.height - 2, w: r.width + 4, h: r.height + 2 });
    }
    const rects = [];
    for (let i = 0; i < n; i += 1) {
      const { w, h, wrap, size } = extent(i, base[i] * k);
      const rect = h <= height ? spot(w, h, placed) : null;
      if (!rect) return null;
      placed.push(rect);
      rects.push({ ...rect, size, wrap });
    }
    return rects;
  };
  const floor = (n) => Math.min(1, low / base[n - 1]); // the n-th word at minFont
  // The largest scale at which every single word fits the cloud's width: the cloud starts there,
  // so a long word shrinks with the others (equal counts, equal sizes) rather than alone.
  const widest = Math.min(1, ...list.map((word, i) => (/\s/.test(word.word) ? 1
    : (width - 8) / ((natural[i].width * base[i] * 1.02) / REF))));

  let n = list.length;
  let k = widest;
  let rects = null;
  const fitKey = memo && `${memo}|${width}x${height}|${low}|${high}`;
  const known = fitKey ? FITS.get(fitKey) : undefined;
  let reused = false;
  if (known && performance.now() - known.searched < REFIT_MS) {
    // A refresh of the same cloud in the same box: the last fit, new words included, most
    // often holds (one layout instead of a search of fifteen); counts move every size a little
    // and the spiral places anew, so a little smaller, then the smallest legible, is tried too.
    const last = Math.min(known.n, list.length);
    const grown = Math.min(list.length, known.n + Math.max(0, list.length - known.total));
    const tries = [[grown, known.k], [last, known.k], [last, Math.max(floor(last), known.k * 0.9)],
      [last, floor(last)]];
    for (const [count, scale] of tries) {
      if (count < 1 || scale < floor(count) - 1e-9) continue;
      rects = layout(count, scale);
      if (rects) { n = count; k = scale; reused = true; break; }
    }
  }
  if (!rects) rects = layout(n, k);
  if (!rects) {
    // The most words that fit at the smallest legible size…
    let lo = 0;
    let hi = list.length;
    let best = null;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const found = layout(mid, floor(mid));
      if (found) { lo = mid; best = found; } else hi = mid - 1;
    }
    n = Math.max(1, lo);
    k = floor(n);
    rects = best || layout(n, k);
    // …then as large as they fit.
    let small = k;
    let large = Math.max(small, widest);
    for (let step = 0; step < 7 && rects; step += 1) {
      const mid = (small + large) / 2;
      const found = layout(n, mid);
      if (found) { small = mid; rects = found; k = mid; } else large = mid;
    }
  }
  if (rects && fitKey) {
    if (FITS.size > 50) FITS.clear();
    const searched = reused && known ? known.searched : performance.now();
    FITS.set(fitKey, { n: rects.length, k, total: list.length, searched });
  }
  if (!rects) {
    // Not even one word fits (a box a few pixels tall): the first word, in the corner.
    const { w, h, wrap, size } = extent(0, base[0] * floor(1));
    rects = [{ x: 0, y: 0, w, h, size, wrap }];
    n = 1;
  }
  n = rects.length;
  if (n < list.length) note.textContent = moreWords(list.length - n);
  else note.remove();
  // The spiral fills the box unevenly: centre the words as a whole, unless that would cover the note.
  const left = Math.min(...rects.map((r) => r.x));
  const right = Math.max(...rects.map((r) => r.x + r.w));
  const upper = Math.min(...rects.map((r) => r.y));
  const lower = Math.max(...rects.map((r) => r.y + r.h));
  const dx = (width - left - right) / 2;
  const dy = (height - upper - lower) / 2;
  const noted = rects.length < list.length ? note.getBoundingClientRect() : null;
  const clear = !noted || rects.every((r) => r.x + dx + r.w <= width - noted.width - 4
    || r.y + dy + r.h <= height - noted.height - 2);
  if (clear) for (const r of rects) { r.x += dx; r.y += dy; }
  spans.forEach((span, i) => {
    if (i >= rects.length) { span.remove(); return; }
    const r = rects[i];
    span.style.fontSize = `${r.size.toFixed(2)}px`;
    span.style.left = `${r.x.toFixed(1)}px`;
    span.style.top = `${r.y.toFixed(1)}px`;
    if (r.wrap) wrapStyle(span, true);
  });
  box.dataset.shown = String(n);
  box.dataset.more = String(list.length - n);
  return { shown: n, more: list.length - n };
}

/** The cloud, plus the same words as a list for screen readers. */
export function cloud(poll, options = {}) {
  const words = Array.isArray(poll.results) ? poll.results : [];
  const box = el("div", { class: "poll-cloud", "aria-hidden": "true" });
  const list = el("ul", { class: "visually-hidden" },
    words.map((w) => el("li", {}, `${w.word}: ${fmt(w.count)}`)));
  const wrap = el("div", { class: "poll-cloud-wrap", role: "group",
    "aria-label": t("poll_cloud_label", { n: fmt(words.length) }) }, box, list);
  if (!words.length) wrap.append(el("p", { class: "hint" }, t("poll_no_words")));
  // Lay out once the box is in the document and has a size, and again whenever that size
  // changes (a phone turned, a projector's window resized, the panel around it refitted).
  let laidFor = "";
  const watch = new ResizeObserver(() => {
    if (!box.isConnected) { watch.disconnect(); return; }
    const size = `${box.clientWidth}x${box.clientHeight}`;
    if (size === laidFor) return;
    laidFor = size;
    drawCloud(box, words, { ...options, memo: `poll-${poll.id}` });
  });
  watch.observe(box);
  return wrap;
}

/** The results of any kind, or null when this page may not see them. */
export function resultsView(poll, { big = false } = {}) {
  if (poll.results === undefined || poll.results === null) return null;
  const text = new Map(poll.options.map((o) => [o.id, o.text]));
  const correct = poll.correct_option_id;
  const kind = kindOf(poll.kind);
  switch (kind.results) {
    case "counts":
      // Shares of the ballots: with several choices each, they may add up past 100 %.
      return bars(poll.results.map((r) => ({
        label: text.get(r.option_id) || "?", value: r.count,
        highlight: kind.scored && poll.state === "closed" && r.option_id === correct,
      })), { total: poll.total || null });
    case "points":
      return bars([...poll.results].sort((a, b) => b.score - a.score).map((r) => ({
        label: text.get(r.option_id) || "?", value: r.score,
      })), { unit: "poll_points" });
    case "histogram":
      return histogram(poll);
    case "words":
      // On the projector, sized on the screen's height: the smallest word stays readable.
      return cloud(poll, big ? { minFont: () => Math.max(20, 0.03 * innerHeight),
        maxFont: () => 0.13 * innerHeight } : {});
    case "texts": {
      const answers = poll.results.answers || [];
      return el("div", { class: "poll-open-results" },
        el("h4", { class: "poll-subtitle" }, t("poll_shown_answers")),
        answers.length
          ? el("ul", { class: "poll-open-answers" }, answers.map((a) => el("li", {},
            el("q", {}, a.text), a.author ? el("span", { class: "poll-author" }, ` — ${a.author}`) : null)))
          : el("p", { class: "hint" }, t("poll_no_shown_answers")));
    }
    default:
      return null;
  }
}
