// @ts-check
// The moderator's polls: ready-made templates, the composer, and each poll's controls and live
// results (moderators always see results; the room sees them as each poll's mode says).
import { api, el } from "./api.js";
import { showError } from "./errors.js";
import { announce, t } from "./i18n.js";
import { kindOf, needs } from "./poll-kinds.js";
import { answersLabel, fmt, kindLabel, resultsView, stateLabel } from "./polls-common.js";
import { onSession } from "./shell.js";

/** @typedef {import("./polls-common.js").Poll} Poll */

/**
 * @param {import("./live.js").LiveClient} client
 * @param {import("./live.js").PanelContext} ctx
 * @param {import("./polls-common.js").PollBook} book
 */
export function startConsole(client, ctx, book) {
  const panel = ctx.root.querySelector("[data-polls]");
  if (!panel) return;
  const list = panel.querySelector("[data-poll-list]");
  const empty = panel.querySelector("[data-polls-empty]");
  const form = panel.querySelector("[data-poll-composer]");
  const composerBox = panel.querySelector("[data-poll-composer-box]");
  const composerSummary = panel.querySelector("[data-composer-summary]");
  const composerError = panel.querySelector("[data-composer-error]");
  const submitButton = form.querySelector("[data-composer-submit]");
  const cancelButton = form.querySelector("[data-composer-cancel]");
  const board = panel.querySelector("[data-poll-leaderboard]");
  const endedNote = panel.querySelector("[data-polls-ended]");
  const cards = new Map(); // poll id -> {node, results, count, answers}
  let agenda = [];
  let editing = null;
  // An ended session opens no poll (the server refuses): drafts wait for a reopen.
  let ended = false;

  const run = (name, payload) => ctx.run(name, payload);

  // ---------------------------------------------------------------- templates

  api("/polls/templates").then(({ templates }) => {
    const holder = panel.querySelector("[data-poll-template-buttons]");
    holder.replaceChildren(...templates.map((template) => el("button", {
      type: "button", class: "poll-template", dataset: { template: template.key },
      onclick: async () => {
        for (const spec of template.polls) {
          const done = await run("poll.create", { session_id: ctx.sessionId, ...spec });
          if (!done) return;
          announce(t("poll_created_msg", { question: done.poll.question }));
        }
      },
    }, template.title)));
  }).catch(() => { panel.querySelector("[data-poll-templates]").hidden = true; });

  // ---------------------------------------------------------------- composer

  const field = (name) => form.elements.namedItem(name);
  const optionLines = () => field("options").value.split("\n").map((l) => l.trim()).filter(Boolean);

  function syncKind() {
    const kind = field("kind").value;
    for (const node of form.querySelectorAll("[data-needs]")) {
      node.hidden = !needs(kind, node.dataset.needs);
    }
    syncCorrect();
  }

  function syncCorrect(selected) {
    const select = field("correct_option");
    const keep = selected ?? select.value;
    select.replaceChildren(...optionLines().map((text, i) => el("option", { value: i }, `${i + 1}. ${text}`)));
    if (keep !== "" && keep !== undefined && Number(keep) < select.options.length) select.value = String(keep);
  }

  function resetComposer() {
    editing = null;
    form.reset();
    composerSummary.textContent = t("poll_new");
    submitButton.textContent = t("poll_create");
    cancelButton.hidden = true;
    showError(composerError, null);
    field("kind").disabled = false;
    syncKind();
  }

  function fillComposer(poll) {
    editing = poll.id;
    const s = poll.settings || {};
    field("kind").value = poll.kind;
    field("question").value = poll.question;
    field("options").value = poll.options.map((o) => o.text).join("\n");
    field("max_choices").value = s.max_choices || "";
    field("max_words").value = String(s.max_words || 3);
    field("results").value = s.results || "live";
    field("anonymous").checked = s.anonymous !== false;
    field("agenda_item_id").value = poll.agenda_item_id ? String(poll.agenda_item_id) : "";
    const scale = s.scale || { min: 1, max: 5, labels: {} };
    field("scale_min").value = scale.min;
    field("scale_max").value = scale.max;
    field("scale_low").value = (scale.labels || {})[String(scale.min)] || "";
    field("scale_high").value = (scale.labels || {})[String(scale.max)] || "";
    syncKind();
    syncCorrect(s.correct_option ?? "");
    composerSummary.textContent = t("poll_editing");
    submitButton.textContent = t("poll_save");
    cancelButton.hidden = false;
    composerBox.open = true;
    field("question").focus();
  }

  function composed() {
    const kind = field("kind").value;
    const question = field("question").value.trim();
    if (!question) return t("poll_need_question");
    const settings = { results: field("results").value, anonymous: field("anonymous").checked };
    const agendaItem = field("agenda_item_id").value;
    settings.agenda_item_id = agendaItem ? Number(agendaItem) : null;
    const payload = { kind, question, options: [], settings };
    if (needs(kind, "options")) {
      payload.options = optionLines();
      if (payload.options.length < 2) return t("poll_need_options");
    }
    if (needs(kind, "max_choices") && field("max_choices").value) settings.max_choices = Number(field("max_choices").value);
    if (needs(kind, "max_words")) settings.max_words = Number(field("max_words").value);
    if (needs(kind, "correct_option")) settings.correct_option = Number(field("correct_option").value || 0);
    if (needs(kind, "scale")) {
      const min = Number(field("scale_min").value || 1);
      const max = Number(field("scale_max").value || 5);
      const labels = {};
      if (field("scale_low").value.trim()) labels[min] = field("scale_low").value.trim();
      if (field("scale_high").value.trim()) labels[max] = field("scale_high").value.trim();
      settings.scale = { min, max, labels };
    }
    return payload;
  }

  field("kind").addEventListener("change", syncKind);
  field("options").addEventListener("input", () => syncCorrect());
  cancelButton.addEventListener("click", resetComposer);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const payload = composed();
    showError(composerError, typeof payload === "string" ? payload : null);
    if (typeof payload === "string") return;
    let done;
    try {
      done = editing
        ? await client.send("poll.update", { poll_id: editing, ...payload })
        : await client.send("poll.create", { session_id: ctx.sessionId, ...payload });
    } catch (error) {
      showError(composerError, error);
      return;
    }
    announce(t("poll_created_msg", { question: done.poll.question }));
    resetComposer();
    composerBox.open = false;
  });
  resetComposer();

  // ---------------------------------------------------------------- the polls

  /** @param {Poll} poll */
  function visibilityNote(poll) {
    if (poll.state === "draft") return "";
    if (poll.results_public) return t("poll_shown_to_room");
    const mode = poll.settings.results === "on_close" && poll.state === "open" ? "on_close" : "on_reveal";
    return t("poll_hidden_from_room", { when: t(`poll_when_${mode}`) });
  }

  /** @param {Poll} poll */
  function controls(poll) {
    const button = (label, action, extra = {}) => el("button", { type: "button", dataset: { action }, ...extra,
      onclick: async () => {
        if (action === "poll.delete" && !confirm(t("poll_confirm_delete"))) return;
        const done = await run(action, { poll_id: poll.id });
        if (!done) return;
        if (action === "poll.open") announce(t("poll_opened_msg", { question: poll.question }));
        if (action === "poll.close") {
          announce(t("poll_closed_msg", { question: poll.question }));
          if (kindOf(poll.kind).scored) refreshLeaderboard();
        }
      } }, label);
    const buttons = [];
    const opening = { disabled: ended, "aria-describedby": ended ? endedNote.id : null };
    if (poll.state === "draft") {
      buttons.push(button(t("poll_open"), "poll.open", { class: "primary", ...opening }));
      buttons.push(el("button", { type: "button", dataset: { action: "edit" }, onclick: () => fillComposer(poll) }, t("poll_edit")));
    } else if (poll.state === "open") {
      buttons.push(button(t("poll_close"), "poll.close", { class: "primary" }));
    } else {
      buttons.push(button(t("poll_reopen"), "poll.open", opening));
    }
    if (poll.state !== "draft" && !poll.results_public) buttons.push(button(t("poll_reveal"), "poll.reveal"));
    buttons.push(button(t("poll_delete"), "poll.delete", { class: "danger" }));
    return el("p", { class: "actions poll-controls" }, buttons);
  }

  /** @param {Poll} poll */
  function buildCard(poll) {
    const qid = `poll-c-${poll.id}`;
    const item = agenda.find((i) => i.id === poll.agenda_item_id);
    const results = el("div", { class: "poll-results" });
    const count = el("p", { class: "poll-count" });
    const node = el("article", { class: `poll-card state-${poll.state}`, "aria-labelledby": qid,
      dataset: { pollId: poll.id, state: poll.state } },
      el("p", { class: "poll-meta" },
        el("span", { class: `status status-${poll.state === "open" ? "live" : poll.state === "closed" ? "ended" : "draft"}` },
          stateLabel(poll.state)),
        ` ${kindLabel(poll.kind)}`,
        poll.anonymous ? "" : ` · ${t("poll_named_short")}`,
        item ? ` · ${t("poll_item", { title: item.title })}` : ""),
      el("h3", { class: "poll-question", id: qid }, poll.question),
      el("p", { class: "hint poll-visibility" }, visibilityNote(poll)),
      count, results, controls(poll));
    const card = { node, results, count, answers: null, loading: false, again: false };
    if (kindOf(poll.kind).moderated && poll.state !== "draft") {
      card.answers = el("ul", { class: "poll-moderation" });
      node.append(el("details", { class: "poll-answers", open: true },
        el("summary", {}, t("poll_answers")), card.answers));
      loadAnswers(poll, card);
    }
    return card;
  }

  /**
   * @param {Poll} poll
   * @param {any} card
   */
  async function loadAnswers(poll, card) {
    // One request at a time; results that arrive meanwhile ask for one more afterwards.
    if (card.loading) { card.again = true; return; }
    card.loading = true;
    try {
      const data = await client.send("poll.answers", { poll_id: poll.id });
      card.answers.replaceChildren(...(data.answers.length ? data.answers.map((a) => el("li",
        { class: `poll-answer ${a.approved ? "is-approved" : ""}` },
        el("span", { class: "poll-answer-text" }, a.text, a.author ? ` — ${a.author}` : ""),
        el("span", { class: "poll-answer-state" }, a.approved ? t("poll_approved") : t("poll_waiting")),
        el("button", { type: "button", dataset: { answerAction: a.approved ? "hide" : "approve" },
          onclick: async () => {
            const done = await run("poll.moderate_answer", { poll_id: poll.id, answer_id: a.id,
              action: a.approved ? "hide" : "approve" });
            if (done) loadAnswers(poll, card);
          } }, a.approved ? t("poll_hide") : t("poll_approve"))))
        : [el("li", { class: "hint" }, t("poll_no_answers"))]));
    } catch (error) {
      ctx.showError(error);
    } finally {
      card.loading = false;
      if (card.again) { card.again = false; loadAnswers(poll, card); }
    }
  }

  /** @param {Poll} poll */
  function showResults(poll) {
    const card = cards.get(poll.id);
    if (!card) return;
    card.count.textContent = poll.state === "draft" ? "" : answersLabel(poll.total || 0);
    const view = poll.state === "draft" ? null : resultsView(poll);
    card.results.replaceChildren(...(view ? [view] : []));
  }

  // What is live first: open polls, then drafts ready to open, then closed ones.
  const STATE_RANK = { open: 0, draft: 1, closed: 2 };
  const ordered = () => book.sorted().sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state]);

  function render() {
    const polls = ordered();
    empty.hidden = polls.length > 0;
    endedNote.hidden = !(ended && polls.some((p) => p.state !== "open"));
    const keep = new Set(polls.map((p) => p.id));
    for (const [id, card] of cards) {
      if (!keep.has(id)) { card.node.remove(); cards.delete(id); }
    }
    for (const poll of polls) {
      const fresh = buildCard(poll);
      const old = cards.get(poll.id);
      if (old) old.node.replaceWith(fresh.node);
      cards.set(poll.id, fresh);
      list.append(fresh.node);
      showResults(poll);
    }
  }

  /**
   * @param {Poll} poll
   * @param {Poll | null} previous
   */
  function renderOne(poll, previous) {
    const old = cards.get(poll.id);
    if (!old || !previous || previous.position !== poll.position || previous.state !== poll.state) {
      render();
      return;
    }
    const fresh = buildCard(poll);
    old.node.replaceWith(fresh.node);
    cards.set(poll.id, fresh);
    showResults(poll);
  }

  // ---------------------------------------------------------------- quiz leaderboard

  /** @param {Record<string, any> | null | undefined} data */
  function showLeaderboard(data) {
    board.hidden = !data || !data.quizzes;
    if (board.hidden) return;
    board.querySelector("[data-leaderboard-summary]").textContent =
      t("poll_leaderboard_summary", { players: fmt(data.players), quizzes: fmt(data.quizzes) });
    board.querySelector("[data-leaderboard-list]").replaceChildren(...data.top.map((row) => el("li", {},
      t("poll_leaderboard_row", { rank: row.rank, score: fmt(row.score) }), row.name ? ` — ${row.name}` : "")));
  }

  async function refreshLeaderboard() {
    try {
      showLeaderboard(await client.send("poll.leaderboard", { session_id: ctx.sessionId }));
    } catch (error) {
      ctx.showError(error);
    }
  }

  client.on("snapshot", (snap) => {
    agenda = snap.agenda || [];
    book.reset(snap.polls);
    render();
    showLeaderboard(snap.quiz);
  });
  onSession(client, (session) => {
    const now = session.status === "ended";
    if (now === ended) return;
    ended = now;
    render();
  });
  client.on("poll.updated", (data) => {
    const { poll, previous } = book.update(data.poll);
    if (!poll) {
      const card = cards.get(data.poll.id);
      if (card) { card.node.remove(); cards.delete(data.poll.id); }
      if (editing === data.poll.id) resetComposer();
      empty.hidden = book.size > 0;
      return;
    }
    renderOne(poll, previous);
    if (kindOf(poll.kind).scored && previous && previous.state !== poll.state) refreshLeaderboard();
  });
  client.on("poll.results", (data) => {
    const poll = book.results(data);
    if (!poll) return;
    showResults(poll);
    const card = cards.get(poll.id);
    if (card && card.answers) loadAnswers(poll, card);
  });
}
