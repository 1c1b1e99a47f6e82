// @ts-check
// The projector view, for screen-sharing into the webconference. A moderator chooses from the
// console what it shows (projector.updated); it always fits the screen.
import { el } from "./api.js";
import { t } from "./i18n.js";
import { LiveClient, bindStatus, startPanels } from "./live.js";
import { bindSessionShell } from "./shell.js";
import { forgetStaff, staffToken } from "./staff.js";

const root = document.getElementById("projector");
const sessionId = Number(root.dataset.sessionId);
const q = (name) => root.querySelector(`[data-${name}]`);

/** Show the QR code of the join address: our own SVG, fetched with the staff token. */
async function loadQr(token, url) {
  const img = q("join-qr");
  if (img.dataset.for === url) return;
  try {
    const response = await fetch(`/api/v1/sessions/${sessionId}/qr.svg`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) return;
    // The route serves an inline-style SVG; an <img> needs the SVG namespace declared.
    let svg = await response.text();
    if (!/^<svg[^>]*xmlns=/.test(svg)) svg = svg.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
    const blob = new Blob([svg], { type: "image/svg+xml" });
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(blob);
    img.alt = t("qr_alt", { url });
    img.dataset.for = url;
    img.hidden = false;
  } catch (err) {
    img.hidden = true;
  }
}

/*
 * Fitting a panel to its box. A projector is read from the back of a room: text never shrinks
 * under the floors set in projector.css (body text 2.6vh: 18.7 px at 720p; titles 3.4vh). A panel
 * with more than its box holds shows less instead: fewer next questions, the agenda items around
 * the current one with "+ N more", the options with most votes with "+ N more options". Each step
 * below takes one thing away (or shrinks a title a notch toward its floor) and answers false when
 * it has nothing left to take; the steps run in order until the panel fits.
 */

/** What fitting hides carries this attribute (projector.css hides it), so a refit can undo it. */
const HIDDEN = "data-fit-hidden";
const hide = (node, on = true) => {
  if (on) node.setAttribute(HIDDEN, "");
  else node.removeAttribute(HIDDEN);
};

/** Does the card (or its results box, which clips on its own) hold more than it shows? */
function over(card) {
  const boxes = [card, ...card.querySelectorAll(".poll-stage-results")];
  return boxes.some((box) => box.scrollHeight > box.clientHeight + 1);
}

const FIT_CLASSES = ["fit-brief", "fit-tight", "fit-inline", "fit-clamp", "fit-line", "fit-compact"];

/** Undo what the last fit did: everything shown again, titles at their full size. */
function unfit(card) {
  card.style.removeProperty("--shrink");
  for (const node of card.querySelectorAll(`[${HIDDEN}]`)) hide(node, false);
  for (const node of card.querySelectorAll(".fit-more")) node.remove();
  for (const node of [card, ...card.querySelectorAll(FIT_CLASSES.map((c) => `.${c}`).join(","))]) {
    node.classList.remove(...FIT_CLASSES);
    node.style.removeProperty("--lines");
  }
}

/** "+ 3 more options": the note standing for what a list no longer shows. */
function note(tag, className, text) {
  return el(tag, { class: `fit-more ${className}`, "aria-hidden": "true" }, text);
}
const plural = (key, n) => (n === 1 ? t(`${key}_1`) : t(`${key}_n`, { n }));

/** A step: shrink the card's titles (var(--shrink), see projector.css) a notch, down to `limit`. */
function shrinkTitle(card, title, limit) {
  return () => {
    if (!title) return false;
    const now = Number(card.style.getPropertyValue("--shrink") || 1);
    if (now <= limit + 0.001) return false;
    const before = getComputedStyle(title).fontSize;
    card.style.setProperty("--shrink", (Math.max(limit, now - 0.05)).toFixed(2));
    // At its floor already: the notch changed nothing, nothing left to do here.
    return getComputedStyle(title).fontSize !== before;
  };
}

/** A step: add a class once (a more compact layout). */
function once(node, className) {
  return () => {
    if (!node || node.classList.contains(className)) return false;
    node.classList.add(className);
    return true;
  };
}

/** A step: hide the last shown node of a list. */
function dropLast(nodes) {
  return () => {
    const shown = nodes.filter((n) => !n.hasAttribute(HIDDEN));
    if (!shown.length) return false;
    hide(shown[shown.length - 1]);
    return true;
  };
}

/** A step: cut a text to one line fewer, with an ellipsis, down to `least` lines. */
function fewerLines(node, least) {
  return () => {
    if (!node) return false;
    const lineHeight = parseFloat(getComputedStyle(node).lineHeight) || parseFloat(getComputedStyle(node).fontSize) * 1.2;
    const lines = node.classList.contains("fit-clamp") ? Number(node.style.getPropertyValue("--lines"))
      : Math.round(node.getBoundingClientRect().height / lineHeight);
    if (lines - 1 < least) return false;
    node.classList.add("fit-clamp");
    node.style.setProperty("--lines", String(lines - 1));
    return true;
  };
}

/**
 * A step: hide one more row of a list, the one that matters least (`rank`: higher stays longer),
 * and keep the note "+ N more" at the end of the list up to date.
 */
function dropRows(list, rows, rank, key) {
  let more = null;
  return () => {
    const shown = rows.filter((r) => !r.hasAttribute(HIDDEN));
    if (shown.length <= 1) return false;
    const least = shown.reduce((a, b) => (rank(b) < rank(a) || (rank(b) === rank(a) && rows.indexOf(b) > rows.indexOf(a)) ? b : a));
    hide(least);
    if (!more) {
      more = note("li", "poll-more", "");
      list.append(more);
    }
    more.textContent = plural(key, rows.length - shown.length + 1);
    return true;
  };
}

function fitQuestion(card) {
  const text = card.querySelector(".qa-big-text");
  const next = [...card.querySelectorAll(".qa-next > li")];
  // In automatic mode the speaker's panel sits above: a smaller timer leaves the question room.
  const floor = root.dataset.mode === "auto" ? root.querySelector(".floor-projector") : null;
  return [
    shrinkTitle(card, text, 0.7),
    dropLast(next),
    once(floor && floor.offsetParent ? floor : null, "fit-compact"),
    shrinkTitle(card, text, 0),
    once(card.querySelector(".qa-big-meta"), "fit-line"),
    fewerLines(text, 2),
  ];
}

function fitPoll(card) {
  const question = card.querySelector(".poll-stage-question");
  const bars = card.querySelector(".poll-bars");
  const rows = bars ? [...bars.querySelectorAll(":scope > .poll-bar")] : [];
  const answers = card.querySelector(".poll-open-answers");
  const texts = answers ? [...answers.querySelectorAll(":scope > li")] : [];
  return [
    shrinkTitle(card, question, 0.75),
    once(bars, "fit-tight"),
    once(bars, "fit-inline"),
    shrinkTitle(card, question, 0),
    fewerLines(question, 2),
    // The options with most votes stay (the right answer of a quiz too), in their order.
    bars ? dropRows(bars, rows, (r) => Number(r.dataset.share || 0) + (r.classList.contains("is-correct") ? 1000 : 0),
      "poll_more_options") : () => false,
    answers ? dropRows(answers, texts, (r) => -texts.indexOf(r), "poll_more_answers") : () => false,
  ];
}

/**
 * The agenda: every item with its details; else the details of the current item only, then the
 * items around the current one (the previous one, the current one, the next ones), with
 * "+ N earlier items" and "+ N more items"; their details come back when there is room.
 */
function fitAgenda(card) {
  const list = card.querySelector(".agenda");
  const items = list ? [...list.querySelectorAll(":scope > .agenda-item")] : [];
  if (!items.length || !over(card)) return;
  const current = items.findIndex((li) => li.classList.contains("is-current"));
  const before = note("li", "agenda-more", "");
  const after = note("li", "agenda-more", "");
  list.prepend(before);
  list.append(after);
  const show = (count, details) => {
    const from = Math.max(0, Math.min(current - 1, items.length - count));
    const to = from + count;
    items.forEach((li, i) => {
      hide(li, i < from || i >= to);
      li.classList.toggle("fit-brief", !details && i !== current);
    });
    hide(before, from === 0);
    before.textContent = plural("agenda_earlier", from);
    hide(after, to === items.length);
    after.textContent = plural("agenda_more", items.length - to);
  };
  for (let count = items.length; count >= 1; count -= 1) {
    show(count, false);
    if (!over(card)) {
      show(count, true);
      if (over(card)) show(count, false);
      return;
    }
  }
}

function fitCard(card) {
  unfit(card);
  if (!card.offsetParent || !over(card)) {
    card.dataset.fit = "whole";
    return;
  }
  if (card.matches(".projector-agenda")) fitAgenda(card);
  const steps = card.matches(".qa-projector") ? fitQuestion(card)
    : card.matches(".poll-stage") ? fitPoll(card) : [];
  for (const step of steps) {
    while (over(card) && step()) { /* one notch more */ }
    if (!over(card)) break;
  }
  // "less": fits by showing less; "over": still more than the screen holds (it is cut off).
  card.dataset.fit = over(card) ? "over" : "less";
}

/** Fit every panel on screen to its box (see above). */
function fitPanels() {
  for (const card of root.querySelectorAll(".projector-panel > .card, .projector-panel.card")) fitCard(card);
}

function watchFit() {
  let queued = false;
  /** @type {MutationObserver} */
  let changes;
  const refit = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fitPanels();
      changes.takeRecords(); // what the fit itself changed is no reason to fit again
    });
  };
  // The timers tick four times a second and never change a panel's size, and the word cloud
  // lays itself out inside its box: skip them.
  const ignored = (node) => (node.nodeType === 1 ? node : node.parentElement)?.closest("[role=timer], .poll-cloud");
  changes = new MutationObserver((records) => {
    if (records.some((r) => !ignored(r.target))) refit();
  });
  changes.observe(root, { subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["hidden", "data-mode", "data-ended", "class"] });
  // A panel's box changes with the layout (mode, header, the other panels): fit again.
  const boxes = new ResizeObserver(refit);
  for (const card of root.querySelectorAll(".projector-panel > .card, .projector-panel.card")) boxes.observe(card);
  window.addEventListener("resize", refit);
  refit();
}

/**
 * The header breaks between words, never inside one (Chromium breaks "parle-t-on" at a hyphen):
 * each word in a span that does not wrap; a "?", "!", ":" or ";" stays with the word before it.
 */
function wholeWords(node) {
  const words = node.textContent.trim().replace(/\s+(?=[?!:;»])/g, "\u00a0").replace(/«\s+/g, "«\u00a0")
    .split(/[^\S\u00a0\u202f]+/);
  node.replaceChildren(...words.flatMap((word, i) => {
    const span = el("span", { class: "whole-word", text: word });
    return i ? [" ", span] : [span];
  }));
}

/**
 * The agenda item under way, as shell.js writes it: in whole words; none ("—") is no news for
 * the room, so the header shows nothing rather than a stray dash.
 */
function watchCurrentItem() {
  const node = q("current-item");
  const show = () => {
    if (node.querySelector(".whole-word")) return; // our own rewrite
    const text = node.textContent.trim();
    node.hidden = !text || text === "—";
    if (!node.hidden) wholeWords(node);
  };
  new MutationObserver(show).observe(node, { childList: true, characterData: true, subtree: true });
  show();
}

function main() {
  const staff = staffToken(root);
  if (!staff) return;
  const client = new LiveClient({ token: staff.token, sessionId });
  bindStatus(client);
  bindSessionShell(client, root);
  client.on("refused", () => forgetStaff(root));

  let status = "scheduled";
  let display = { mode: "auto", poll_id: null, join: { allowed: false } };
  const apply = () => {
    root.dataset.mode = display.mode;
    root.dataset.ended = String(status === "ended");
    const join = display.join || {};
    q("join-strip").hidden = !join.allowed;
    if (join.allowed) {
      q("join-strip-url").textContent = join.url.replace(/^https?:\/\//, "");
      q("join-strip-code").textContent = join.code;
      q("join-url").textContent = join.url.replace(/^https?:\/\//, "");
      q("join-code").textContent = join.code;
      if (display.mode === "join") loadQr(staff.token, join.url);
    }
    // The polls panel follows the chosen poll (or the latest one in automatic mode).
    root.dispatchEvent(new CustomEvent("projector:display", { detail: display }));
  };
  // Registered before the panels: the display is known when they draw their first snapshot.
  client.on("snapshot", (snap) => {
    status = snap.session.status;
    if (snap.projector) display = snap.projector;
    apply();
  });
  client.on("session.updated", (data) => { status = data.session.status; apply(); });
  client.on("projector.updated", (data) => { display = data.projector; apply(); });
  startPanels(client, { role: "projector", sessionId, root, display: () => display });
  wholeWords(root.querySelector(".projector-head h1"));
  watchCurrentItem();
  watchFit();
  client.connect();
}

main();
