// @ts-check
// The attendee page on a phone: four tabs a thumb reaches (Now · Polls · Questions · Floor)
// with unread badges, an alert when a poll opens, and the ended state. On a wide screen every
// part shows at once and the tab bar is hidden (see .attendee-tabs in attendee.css).
import { el } from "./api.js";
import { t } from "./i18n.js";

const TABS = ["now", "polls", "questions", "floor"];
const PHONE = window.matchMedia("(max-width: 47.99rem)");

/**
 * @param {import("./live.js").LiveClient} client
 * @param {HTMLElement} root
 */
export function bindAttendeeTabs(client, root) {
  const nav = root.querySelector("[data-tabs]");
  const panels = root.querySelector("#live-panels");
  const buttons = new Map([...nav.querySelectorAll("[data-tab]")].map((b) => [b.dataset.tab, b]));
  const unread = new Map(TABS.map((key) => [key, 0]));
  const alertBox = root.querySelector("[data-poll-alert-box]");
  const alertQuestion = root.querySelector("[data-poll-alert-question]");
  const endedCard = root.querySelector("[data-ended]");
  const nowLive = root.querySelector("[data-now-live]");
  const nowEnded = root.querySelector("[data-now-ended]");
  let active = "now";
  let chosen = false; // the person picked a tab: the page no longer picks one for them
  let alertPollId = null;
  const openPolls = new Map(); // id -> poll, the open ones this page knows
  const seenQuestions = new Set();
  let lastSpeaker = null;
  const isEnded = () => root.classList.contains("is-ended");

  const showBadge = (key) => {
    const badge = buttons.get(key).querySelector("[data-tab-badge]");
    const n = unread.get(key);
    badge.hidden = n === 0;
    // The count is read with the tab's name ("Polls, 1 new"); the figure alone is for the eyes.
    badge.replaceChildren(...(n === 0 ? [] : [
      el("span", { "aria-hidden": "true" }, String(n)),
      el("span", { class: "visually-hidden" }, `, ${n === 1 ? t("tab_new_1") : t("tab_new_n", { n })}`),
    ]));
  };

  /** Count something new in ``key``, unless the person is looking at it or the session is over
   * (its end clears the floor and closes polls: that is not news to go and read). */
  const bump = (key) => {
    if (!PHONE.matches || key === active || isEnded()) return;
    unread.set(key, unread.get(key) + 1);
    showBadge(key);
  };

  /** Show tab ``key``; ``focus`` moves the keyboard focus to its tab button. */
  const select = (key, { focus = false, byPerson = false } = {}) => {
    if (!buttons.has(key)) return;
    active = key;
    if (byPerson) chosen = true;
    panels.dataset.tab = key;
    for (const [name, button] of buttons) {
      const on = name === key;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.tabIndex = on ? 0 : -1;
      if (on && focus) button.focus();
    }
    for (const panel of panels.querySelectorAll("[data-panel]")) {
      panel.classList.toggle("is-active", panel.dataset.panel === key);
    }
    unread.set(key, 0);
    showBadge(key);
    // On a phone the Polls tab lists the open polls first: there, the alert above them would
    // only repeat what shows. Those polls count as seen; a poll opened later alerts again.
    if (key === "polls" && PHONE.matches) {
      for (const poll of openPolls.values()) dismissed.add(poll.id);
      showAlert();
    }
  };

  for (const [key, button] of buttons) {
    button.addEventListener("click", () => {
      select(key, { byPerson: true });
      if (PHONE.matches) window.scrollTo({ top: 0 });
    });
  }
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Home and End jump to the ends.
  nav.addEventListener("keydown", (event) => {
    const index = TABS.indexOf(active);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(TABS[(moves[event.key] + TABS.length) % TABS.length], { focus: true, byPerson: true });
  });
  nav.hidden = false;

  // ---- the alert when a poll opens: it comes first, above the tabs, and says where to go
  const dismissed = new Set(); // polls whose alert the person followed
  const unanswered = () => [...openPolls.values()].filter((p) => !p.my_answer);
  const showAlert = () => {
    const waiting = unanswered().filter((p) => !dismissed.has(p.id));
    const poll = waiting.find((p) => p.id === alertPollId) || waiting[waiting.length - 1];
    if (!poll || isEnded()) {
      alertBox.hidden = true;
      alertPollId = null;
      return;
    }
    alertPollId = poll.id;
    const text = waiting.length > 1
      ? `${t("poll_alert_n", { n: waiting.length })} — ${poll.question}` : poll.question;
    if (alertQuestion.textContent !== text) alertQuestion.textContent = text;
    alertBox.hidden = false;
  };
  root.querySelector("[data-poll-alert-go]").addEventListener("click", () => {
    const pollId = alertPollId;
    dismissed.add(pollId);
    select("polls", { byPerson: true });
    showAlert();
    const card = pollId && root.querySelector(`[data-poll-id="${pollId}"]`);
    if (card) {
      card.scrollIntoView({ block: "start" });
      const control = card.querySelector("button:not([disabled]), input, textarea");
      (control || card).focus();
    }
  });

  const trackPoll = (poll) => {
    if (poll && poll.state === "open" && !poll.deleted) openPolls.set(poll.id, poll);
    else if (poll) openPolls.delete(poll.id);
  };

  // ---- the ended state: contributions stop, the page says so, and nothing is "now" any more
  /** The agenda keeps its items, none of them marked as under way (shell.js marks one). */
  const unmarkCurrent = () => {
    if (!isEnded()) return;
    for (const li of root.querySelectorAll("[data-agenda-item].is-current")) {
      li.classList.remove("is-current");
      li.removeAttribute("aria-current");
    }
  };
  const showSession = (session) => {
    const ended = session.status === "ended";
    root.classList.toggle("is-ended", ended);
    endedCard.hidden = !ended;
    nowLive.hidden = ended;
    nowEnded.hidden = !ended;
    if (ended) {
      alertBox.hidden = true;
      for (const key of TABS) {
        unread.set(key, 0);
        showBadge(key);
      }
    }
    unmarkCurrent();
  };

  client.on("snapshot", (snap) => {
    showSession(snap.session);
    openPolls.clear();
    for (const poll of snap.polls || []) trackPoll(poll);
    for (const q of snap.questions || []) seenQuestions.add(q.id);
    lastSpeaker = snap.floor && snap.floor.current ? snap.floor.current.request_id : null;
    // An open poll waiting for this person's answer comes first.
    if (!chosen && unanswered().length) select("polls");
    alertPollId = null;
    showAlert();
  });
  client.on("session.updated", (data) => showSession(data.session));
  client.on("agenda.updated", () => {
    unmarkCurrent();
    if (!isEnded()) bump("now");
  });
  client.on("poll.updated", (data) => {
    const poll = data.poll;
    const wasOpen = openPolls.has(poll.id);
    trackPoll(poll);
    if (poll.state === "open" && !wasOpen) {
      dismissed.delete(poll.id); // opened again: news again
      bump("polls");
      alertPollId = poll.id; // the newest opening is the one the alert names
    } else if (poll.state === "closed" && wasOpen) {
      bump("polls");
    }
    showAlert();
  });
  client.on("question.updated", (data) => {
    const q = data.question;
    const isNew = !seenQuestions.has(q.id);
    seenQuestions.add(q.id);
    if ((isNew && q.state === "approved" && !q.mine) || q.state === "answered") bump("questions");
  });
  client.on("floor.updated", (data) => {
    const current = data.floor && data.floor.current ? data.floor.current.request_id : null;
    if (current !== lastSpeaker) bump("floor");
    lastSpeaker = current;
  });
  client.on("floor.next_up", () => bump("floor"));

  // A vote recorded here: the alert for that poll goes.
  document.addEventListener("companion:voted", (event) => {
    const poll = openPolls.get(event.detail.pollId);
    if (poll) poll.my_answer = event.detail.answer;
    showAlert();
  });
  PHONE.addEventListener("change", () => select(active));
  select(active);
}
