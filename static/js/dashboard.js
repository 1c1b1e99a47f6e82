// @ts-check
// The facilitator's dashboard: each session's status and figures, a preview of its summary,
// and the downloads (fetched with the staff token, saved through an object URL).
import { api, el } from "./api.js";
import { showError as showErrorIn } from "./errors.js";
import { announce, formattingLocale, lang, t, tn } from "./i18n.js";
import { forgetStaff, rememberRole, staffToken } from "./staff.js";
import { bindActions, loadRetention } from "./dashboard-actions.js";
import { bindLogout, makeCaller } from "./manage-common.js";
import { kindOf } from "./poll-kinds.js";

const root = document.getElementById("dashboard");
const slug = root.dataset.eventSlug;
const docLang = root.dataset.lang || lang;
const numberLang = formattingLocale(docLang);
const number = new Intl.NumberFormat(numberLang, { maximumFractionDigits: 2 });
/** A number as the page's language writes it ("2,67" in French). */
const fmt = (/** @type {number} */ value) => number.format(value);
const errorBox = root.querySelector("[data-dash-error]");
const FIGURES = ["registered", "joined", "peak_online", "contributors", "questions", "answered",
  "unanswered", "carried_forward", "moderated_out", "polls", "ballots", "floor_turns", "agenda_overruns"];
const REFRESH_MS = 60000;
let token = null;
let refreshTimer = null;

/** @param {import("./errors.js").ApiError | {message: string} | null} error */
function showError(error) {
  showErrorIn(errorBox, /** @type {import("./errors.js").ApiError | null} */ (error));
}

/**
 * Show what `role` may use: everything to a facilitator; to anyone else, why the summaries are
 * not theirs and what is left to them (each session's console).
 * @param {string | null | undefined} role
 */
function showRole(role) {
  const facilitator = role === "facilitator";
  for (const node of root.querySelectorAll("[data-facilitator-only]")) node.hidden = !facilitator;
  root.querySelector("[data-dash-not-facilitator]").hidden = facilitator;
  if (!facilitator) showError({ message: t("forbidden") });
  return facilitator;
}

/**
 * Show `error` where it is seen: the page's error box, brought into view. A refusal (the role
 * changed since the login) takes the facilitator's controls away with their reason.
 * @param {import("./errors.js").ApiError} error
 */
function handleError(error) {
  if (error.status === 401) { forgetStaff(root); return; }
  if (error.status === 403) showRole(null);
  else showError(error);
  errorBox.scrollIntoView({ block: "nearest" });
  errorBox.focus({ preventScroll: true });
}

/** A date in the page's language, "3 décembre 2026". */
export function formatDate(/** @type {string | null | undefined} */ iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(numberLang, { dateStyle: "long" }).format(new Date(iso));
}

// ---------------------------------------------------------------- downloads

/**
 * @param {Response} response
 * @param {string} fallback
 */
function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = header.match(/filename="([^"]+)"/);
  return match ? match[1] : fallback;
}

/**
 * @param {string} path
 * @param {string} fallback  the file name when the server gives none
 * @param {HTMLButtonElement} button
 */
async function download(path, fallback, button) {
  showError(null);
  button.disabled = true;
  announce(t("downloading", { name: fallback }));
  try {
    let response;
    try {
      response = await fetch(`/api/v1${path}?lang=${encodeURIComponent(docLang)}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
    } catch (err) {
      throw { code: "unavailable", message: t("error"), status: 0 };
    }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (err) { body = null; }
      throw { ...((body && body.error) || { message: response.statusText }), status: response.status };
    }
    const name = filenameOf(response, fallback);
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: name, class: "visually-hidden" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    announce(t("downloaded", { name }));
  } catch (error) {
    handleError(error);
  } finally {
    button.disabled = false;
  }
}

function bindDownloads() {
  for (const button of root.querySelectorAll("[data-download]")) {
    const fmt = button.dataset.format;
    button.addEventListener("click", () => {
      if (button.dataset.download === "event") {
        download(`/events/${encodeURIComponent(slug)}/synthesis.${fmt}`, `${slug}-synthesis.${fmt}`, button);
      } else {
        const id = button.closest("[data-session-id]").dataset.sessionId;
        download(`/sessions/${id}/summary.${fmt}`, `session-${id}-summary.${fmt}`, button);
      }
    });
  }
}

// ---------------------------------------------------------------- figures

/** @param {Record<string, number>} figures */
function figureList(figures) {
  const items = [];
  for (const key of FIGURES) {
    if (figures[key] === undefined) continue;
    items.push(el("div", { class: "dash-figure" }, el("dt", { text: t(key) }), el("dd", { text: String(figures[key]) })));
  }
  return items;
}

/** @param {Record<string, any>} doc  the synthesis document */
function showSynthesis(doc) {
  const ended = doc.sessions.filter((s) => s.final).length;
  root.querySelector("[data-event-status]").textContent = doc.final
    ? t("final") : tn("provisional_n", ended, { ended, total: doc.sessions.length });
  for (const session of doc.sessions) {
    const card = root.querySelector(`[data-session-id="${session.id}"]`);
    if (!card) continue;
    const status = card.querySelector("[data-status]");
    status.textContent = t(session.status);
    status.className = `status status-${session.status}`;
    const figures = { ...session.figures };
    const list = card.querySelector("[data-figures]");
    list.replaceChildren(...figureList(figures));
    if (session.evaluation && session.evaluation.mean !== null) {
      list.append(el("div", { class: "dash-figure" }, el("dt", { text: t("evaluation") }),
        el("dd", { text: fmt(session.evaluation.mean) })));
    }
  }
  clearTimeout(refreshTimer);
  if (doc.sessions.some((s) => s.status === "live")) {
    // Live figures: refresh while a session runs.
    refreshTimer = setTimeout(loadSynthesis, REFRESH_MS);
  }
}

async function loadSynthesis() {
  try {
    showSynthesis(await api(`/events/${encodeURIComponent(slug)}/synthesis.json`, { token }));
  } catch (error) {
    root.querySelector("[data-event-status]").textContent = "";
    handleError(error);
  }
}

// ---------------------------------------------------------------- preview

/**
 * @param {string} title
 * @param {...any} children
 */
function section(title, ...children) {
  return el("section", { class: "dash-preview-part" }, el("h3", { text: title }), ...children);
}

/** @param {Record<string, any>} poll  a poll of the summary document */
function pollPreview(poll) {
  const rows = [];
  let entries = [];
  const shape = kindOf(poll.kind).results;
  if (shape === "counts") entries = poll.results.map((r) => [r.text, r.count]);
  else if (shape === "points") entries = poll.results.map((r) => [r.text, r.score]);
  else if (shape === "histogram") entries = Object.entries(poll.results.histogram);
  else if (shape === "words") entries = poll.results.slice(0, 10).map((r) => [r.word, r.count]);
  // Shares of the whole (ballots; all points for a ranking): never scaled to the leader.
  const whole = shape === "points" || shape === "words"
    ? Math.max(1, entries.reduce((sum, [, v]) => sum + v, 0)) : Math.max(1, poll.total);
  for (const [label, value] of entries) {
    const fill = el("span", { class: "dash-bar-fill" });
    const share = Math.min(100, Math.round((100 * value) / whole));
    fill.style.width = `${share}%`;
    rows.push(el("li", { class: "dash-bar" },
      el("span", { class: "dash-bar-label", text: `${label} · ${fmt(value)} (${share} %)` }),
      el("span", { class: "dash-bar-track" }, fill)));
  }
  const meta = [tn("answers_count", poll.total)];
  if (shape === "histogram" && poll.results.mean !== null) meta.push(t("mean", { mean: fmt(poll.results.mean) }));
  return el("li", { class: "dash-poll" },
    el("p", { class: "dash-poll-question", text: poll.question }),
    el("p", { class: "hint", text: meta.join(" · ") }),
    rows.length ? el("ul", { class: "dash-bars" }, rows) : null);
}

/**
 * @param {HTMLElement} box
 * @param {Record<string, any>} doc  the session summary document
 */
function renderPreview(box, doc) {
  const names = (list) => list.map((p) => p.name).join(", ");
  const agenda = doc.agenda;
  const parts = [
    el("dl", { class: "dash-people" },
      el("dt", { text: t("moderators") }), el("dd", { text: names(doc.moderators) || t("not_recorded") }),
      el("dt", { text: t("speakers") }), el("dd", { text: names(doc.speakers) || "—" }),
      doc.absent_speakers.length ? el("dt", { text: t("planned_absent") }) : null,
      doc.absent_speakers.length ? el("dd", { class: "hint", text: names(doc.absent_speakers) }) : null),
    section(t("agenda"), el("p", {
      text: t("agenda_line", { run: agenda.items_run, items: agenda.items.length, over: agenda.overruns }),
    })),
    section(t("polls_title"), doc.polls.length
      ? el("ul", { class: "dash-polls" }, doc.polls.map(pollPreview))
      : el("p", { class: "hint", text: t("none") })),
    section(t("most_upvoted"), doc.questions.most_upvoted.length
      ? el("ol", {}, doc.questions.most_upvoted.slice(0, 5).map((q) =>
        el("li", { text: `${q.text} (${q.upvotes})` })))
      : el("p", { class: "hint", text: t("none") })),
    section(t("themes"), doc.themes.keyphrases.length
      ? el("ul", { class: "dash-themes" }, doc.themes.keyphrases.map((k) => el("li", { text: `${k.phrase} · ${k.count}`, lang: k.lang })))
      : el("p", { class: "hint", text: t("none") })),
  ];
  box.replaceChildren(...parts);
}

function bindPreviews() {
  for (const button of root.querySelectorAll("[data-preview]")) {
    const card = button.closest("[data-session-id]");
    const box = card.querySelector("[data-preview-box]");
    button.addEventListener("click", async () => {
      const open = button.getAttribute("aria-expanded") === "true";
      if (open) {
        box.hidden = true;
        button.setAttribute("aria-expanded", "false");
        button.textContent = t("preview");
        return;
      }
      box.hidden = false;
      box.replaceChildren(el("p", { class: "hint", text: t("loading") }));
      button.setAttribute("aria-expanded", "true");
      button.textContent = t("hide_preview");
      try {
        renderPreview(box, await api(`/sessions/${card.dataset.sessionId}/summary.json`, { token }));
      } catch (error) {
        box.hidden = true;
        button.setAttribute("aria-expanded", "false");
        button.textContent = t("preview");
        handleError(error);
      }
    });
  }
}

async function main() {
  const staff = staffToken(root);
  if (!staff) return;
  token = staff.token;
  bindDownloads();
  bindPreviews();
  bindActions({ root, slug, token, lang: docLang, onError: handleError, showError });
  bindLogout(root, makeCaller(root, staff));
  // The role of the login first, then the server's word on it (it may have changed since).
  const load = () => { loadSynthesis(); loadRetention(); };
  let role = staff.role;
  if (showRole(role)) load();
  try {
    const me = await api("/auth/me", { token });
    if (me.role === role) return;
    role = me.role;
    rememberRole(staff, role);
    showError(null);
    if (showRole(role)) load();
  } catch (error) {
    handleError(error);
  }
}

main();
