// @ts-check
// The attendee's Q&A: ask (tagged with an agenda item or a speaker), upvote, follow one's own
// questions. A moderator's ban locks the form: the refusal's reason says so, not its words.
import { el } from "./api.js";
import { isError, showError } from "./errors.js";
import { announce, t } from "./i18n.js";
import { fillList, keepingFocus } from "./panel.js";
import { Questions, bindStore, details, metaLine, replyBlock, voteLabel } from "./questions-common.js";

/** @typedef {import("./questions-common.js").Question} Question */

/**
 * @param {import("./live.js").LiveClient} client
 * @param {import("./live.js").PanelContext} ctx
 * @param {HTMLElement} section
 */
export function startAttendee(client, ctx, section) {
  const store = new Questions();
  bindStore(client, store);
  // Once the session has ended nothing takes an upvote and nothing is on screen. The page's
  // root says so: served that way, then kept by attendee-tabs.js, whose handlers run first.
  const ended = () => ctx.root.classList.contains("is-ended");
  const form = section.querySelector("[data-qa-form]");
  const textarea = form.querySelector("textarea");
  const count = form.querySelector("[data-qa-count]");
  const status = form.querySelector("[data-qa-status]");
  const errorBox = form.querySelector("[data-qa-error]");
  const itemSelect = form.querySelector("[data-qa-item]");
  const speakerSelect = form.querySelector("[data-qa-speaker]");
  const list = section.querySelector("[data-qa-list]");
  const empty = section.querySelector("[data-qa-empty]");
  const sort = section.querySelector("[data-qa-sort]");
  let show = "all";
  let banned = false;

  const maxLength = () => Number(store.settings.question_max_length) || 500;
  const updateCount = () => {
    textarea.maxLength = maxLength();
    count.textContent = t("q_chars", { n: textarea.value.trim().length, max: maxLength() });
  };
  const fillSelects = () => {
    const chosenItem = itemSelect.value;
    const chosenSpeaker = speakerSelect.value;
    itemSelect.replaceChildren(itemSelect.options[0]);
    for (const item of store.agenda) itemSelect.append(el("option", { value: item.id, text: item.title }));
    speakerSelect.replaceChildren(speakerSelect.options[0]);
    for (const s of store.speakers()) {
      speakerSelect.append(el("option", { value: s.id, text: s.organisation ? `${s.name} (${s.organisation})` : s.name }));
    }
    itemSelect.value = chosenItem;
    speakerSelect.value = chosenSpeaker;
  };
  const setBanned = (value) => {
    banned = value;
    for (const control of form.querySelectorAll("textarea, select, input, button")) control.disabled = value;
    showError(errorBox, value ? t("q_banned") : null);
  };

  const vote = async (q) => {
    const wanted = !q.voted;
    try {
      const data = await client.send(wanted ? "question.upvote" : "question.unvote", { question_id: q.id });
      store.upsert({ id: q.id, upvotes: data.upvotes, votes_version: data.votes_version, voted: data.voted });
      announce(`${data.voted ? t("q_upvoted") : t("q_unvoted")} — ${voteLabel(data.upvotes)}`);
    } catch (error) {
      announce(error.message || t("error"));
    }
  };

  const row = (/** @type {Question} */ asked) => {
    // After the end the projector's pin means nothing to the room any more.
    const q = ended() && asked.pinned ? { ...asked, pinned: false } : asked;
    const canVote = q.state === "approved" && !ended();
    const voteButton = canVote
      ? el("button", {
          type: "button", class: "qa-vote", "aria-pressed": q.voted ? "true" : "false",
          // The name begins with the visible count (WCAG 2.5.3); aria-pressed says whether I voted.
          "aria-label": `${voteLabel(q.upvotes)} — ${t("q_upvote")}`,
          dataset: { focusKey: "vote" }, onclick: () => vote(q),
        }, el("span", { class: "qa-arrow", "aria-hidden": "true", text: "▲" }), el("span", { class: "qa-n", text: String(q.upvotes) }))
      : el("span", { class: "qa-vote is-static", "aria-label": voteLabel(q.upvotes) },
          el("span", { class: "qa-n", text: String(q.upvotes) }));
    return el("li", {
      class: `qa-item state-${q.state}${q.pinned ? " is-pinned" : ""}${q.mine ? " is-mine" : ""}`,
      dataset: { questionId: q.id },
    },
      voteButton,
      el("div", { class: "qa-body" },
        el("p", { class: "qa-text", text: q.text }),
        el("p", { class: "qa-meta" }, q.mine ? el("span", { class: "qa-badge is-mine", text: t("q_mine") }) : null,
          metaLine(store, q)),
        el("p", { class: "qa-badges" }, details(q)),
        replyBlock(q)));
  };

  const render = () => {
    updateCount();
    section.querySelector("[data-qa-moderated]").hidden = !store.settings.premoderation;
    const visible = store.values().filter((q) =>
      q.mine || (q.state === "approved" || q.state === "answered"));
    const shown = visible.filter((q) => show === "all" || q.mine);
    const pinned = ended() ? [] : shown.filter((q) => q.pinned && q.state === "approved");
    const rest = store.sorted(shown.filter((q) => !pinned.includes(q)), sort.value);
    keepingFocus(list, () => fillList(list, [...pinned, ...rest], row, { empty }), "questionId");
    empty.textContent = show === "mine" ? t("q_none_here") : empty.dataset.text;
  };
  empty.dataset.text = empty.textContent;

  store.subscribe(render);
  client.on("snapshot", fillSelects);
  client.on("question.banned", (data) => setBanned(Boolean(data.banned)));
  client.on("session.updated", render);
  sort.addEventListener("change", render);
  for (const chip of section.querySelectorAll("[data-qa-show]")) {
    chip.addEventListener("click", () => {
      show = chip.dataset.qaShow;
      for (const other of section.querySelectorAll("[data-qa-show]")) {
        other.setAttribute("aria-pressed", other === chip ? "true" : "false");
      }
      render();
    });
  }
  // The button waits for this script: a submit before it would reload the page.
  form.querySelector("[data-qa-submit]").disabled = false;
  textarea.addEventListener("input", updateCount);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (banned) return;
    const typed = textarea.value;
    const text = typed.trim();
    if (!text) { showError(errorBox, t("q_empty")); textarea.focus(); return; }
    if (text.length > maxLength()) { showError(errorBox, t("q_too_long")); textarea.focus(); return; }
    showError(errorBox, null);
    const payload = { session_id: ctx.sessionId, text, anonymous: form.elements.anonymous.checked };
    if (itemSelect.value) payload.agenda_item_id = Number(itemSelect.value);
    if (speakerSelect.value) payload.speaker_id = Number(speakerSelect.value);
    const submit = form.querySelector("[data-qa-submit]");
    submit.disabled = true;
    status.textContent = t("sending");
    try {
      const data = await client.contribute("question.submit", payload);
      store.upsert(data.question);
      // A fresh form for the next question, so nothing carries over to mis-tag it — unless
      // the next one is already being typed (the question can show before its ack arrives).
      const drafting = textarea.value !== typed;
      if (!drafting) {
        form.reset();
        itemSelect.value = "";
        speakerSelect.value = "";
      }
      const message = data.question.state === "pending" ? t("q_sent_pending") : t("q_sent");
      status.textContent = message;
      announce(message);
      // The button was disabled under the focus: keep the focus in the form, on the outcome
      // (but never take it from someone typing).
      const typing = drafting && form.contains(document.activeElement) && document.activeElement !== submit;
      if (!typing) {
        status.tabIndex = -1;
        status.focus();
      }
    } catch (error) {
      status.textContent = "";
      showError(errorBox, error);
      if (isError(error, "forbidden", "banned")) setBanned(true);
    } finally {
      if (!banned) submit.disabled = false;
      updateCount();
    }
  });
  render();
}
