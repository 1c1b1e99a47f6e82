// @ts-check
// What every poll view shares: the polls as this page knows them, and the results drawings
// (bars, a rating histogram, a laid-out word cloud). No innerHTML: text goes through el().
import { el } from "./api.js";
import { lang, t } from "./i18n.js";
import { kindOf } from "./poll-kinds.js";
import { Store } from "./store.js";

const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
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

/**
 * Lay words out as a cloud: the biggest in the middle, the others on an outward spiral,
 * each at the first place where it overlaps nothing. Sizes grow with the square root of counts.
 */
export function drawCloud(box, words, { minFont = 14, maxFont = 56 } = {}) {
  box.replaceChildren();
  const list = words.slice(0, 60);
  const width = box.clientWidth || 320;
  const height = box.clientHeight || 220;
  if (!list.length) return;
  const top = list[0].count;
  const bottom = list[list.length - 1].count;
  const placed = [];
  const overlaps = (r) => placed.some((p) => r.x < p.x + p.w && r.x + r.w > p.x
    && r.y < p.y + p.h && r.y + r.h > p.y);
  const tryPlace = (w, h) => {
    for (let step = 0; step < 1500; step += 1) {
      const angle = step * 0.3;
      const radius = 2.2 * angle;
      // An ellipse as wide as the box is: screens are wider than tall.
      const x = width / 2 + radius * Math.cos(angle) * (width / height) - w / 2;
      const y = height / 2 + radius * Math.sin(angle) - h / 2;
      const rect = { x, y, w, h };
      if (x < 0 || y < 0 || x + w > width || y + h > height || overlaps(rect)) continue;
      return rect;
    }
    return null;
  };
  list.forEach((word, index) => {
    const share = top === bottom ? 1 : (word.count - bottom) / (top - bottom);
    let size = minFont + (maxFont - minFont) * Math.sqrt(share);
    const span = el("span", { class: `cloud-word ${CLOUD_COLOURS[index % CLOUD_COLOURS.length]}` },
      word.word);
    box.append(span);
    // Shrink a word that does not fit (a long word on a phone), a few times at most.
    for (let attempt = 0; attempt < 4; attempt += 1) {
      span.style.fontSize = `${Math.round(size)}px`;
      const w = span.offsetWidth + 4;
      const h = span.offsetHeight;
      if (w > width) { size = Math.max(10, (size * width) / w - 1); continue; }
      const rect = tryPlace(w, h);
      if (rect) {
        placed.push(rect);
        span.style.left = `${Math.round(rect.x)}px`;
        span.style.top = `${Math.round(rect.y)}px`;
        return;
      }
      size = Math.max(10, size * 0.75);
    }
    span.remove(); // no room left: the long tail stays in the list for screen readers
  });
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
  // Lay out once the box is in the document and has a size.
  requestAnimationFrame(() => drawCloud(box, words, options));
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
      return cloud(poll, big ? { minFont: 22, maxFont: 96 } : {});
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
