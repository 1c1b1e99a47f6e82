// @ts-check
// The attendee's voting panel: one tap for choices and ratings, large targets, keyboard and
// screen-reader friendly. "Your answer is recorded" shows only once the server acknowledged it.
import { el } from "./api.js";
import { errorMessage, isError, showError } from "./errors.js";
import { announce, t } from "./i18n.js";
import { kindOf } from "./poll-kinds.js";
import { answersLabel, fmt, kindLabel, resultsView, shapeKey, stateLabel } from "./polls-common.js";

/** @typedef {import("./polls-common.js").Poll} Poll */

/**
 * @param {import("./live.js").LiveClient} client
 * @param {import("./live.js").PanelContext} ctx
 * @param {import("./polls-common.js").PollBook} book
 */
export function startAttendee(client, ctx, book) {
  const panel = ctx.root.querySelector("[data-polls]");
  if (!panel) return;
  const list = panel.querySelector("[data-poll-list]");
  const empty = panel.querySelector("[data-polls-empty]");
  const scoreLine = panel.querySelector("[data-poll-score]");
  const cards = new Map(); // poll id -> {node, key, status, results, count}

  const visible = () => book.sorted().filter((p) => p.state !== "draft")
    // Open polls first (newest opened on top), then closed ones, most recently closed first.
    .sort((a, b) => (a.state === b.state ? 0 : a.state === "open" ? -1 : 1)
      || String(b.opened_at || "").localeCompare(String(a.opened_at || "")));

  function render() {
    const polls = visible();
    empty.hidden = polls.length > 0;
    const keep = new Set(polls.map((p) => p.id));
    for (const [id, card] of cards) {
      if (!keep.has(id)) { card.node.remove(); cards.delete(id); }
    }
    polls.forEach((poll) => {
      let card = cards.get(poll.id);
      if (!card || card.key !== shapeKey(poll)) {
        const fresh = buildCard(poll);
        if (card) card.node.replaceWith(fresh.node);
        card = fresh;
        cards.set(poll.id, card);
      }
      list.append(card.node); // keeps the order of `polls`
      showResults(poll);
    });
    showScore();
  }

  function showScore() {
    // Closed quizzes carry their correct option, and the book keeps my own answers: the score
    // follows from them (the snapshot's "quiz" part says the same on every join).
    const closedQuizzes = book.sorted().filter((p) => kindOf(p.kind).scored && p.state === "closed");
    scoreLine.hidden = !closedQuizzes.length;
    const score = closedQuizzes.filter((p) => p.my_answer
      && p.my_answer.option_id === p.correct_option_id).length;
    scoreLine.textContent = t("poll_score", { score: fmt(score), out_of: fmt(closedQuizzes.length) });
  }

  /** @param {Poll} poll */
  function showResults(poll) {
    const card = cards.get(poll.id);
    if (!card) return;
    // No peeking: while a poll is open, its results show once one has answered (unless the
    // moderator revealed them to everyone), so that nobody just follows the crowd.
    const waiting = poll.state === "open" && !poll.my_answer && !poll.revealed;
    const view = (!waiting && resultsView(poll))
      || el("p", { class: "hint" }, t(waiting && poll.results !== undefined ? "poll_results_after_vote" : "poll_results_later"));
    card.results.replaceChildren(view);
    card.count.textContent = poll.total === undefined ? "" : answersLabel(poll.total);
  }

  /** @param {Poll} poll */
  function buildCard(poll) {
    const qid = `poll-q-${poll.id}`;
    const status = el("p", { class: "poll-status", role: "status" });
    const results = el("div", { class: "poll-results" });
    const count = el("p", { class: "poll-count" });
    const node = el("article", { class: `poll-card state-${poll.state}`, "aria-labelledby": qid,
      dataset: { pollId: poll.id } },
      el("p", { class: "poll-meta" },
        el("span", { class: `status status-${poll.state === "open" ? "live" : "ended"}` }, stateLabel(poll.state)),
        ` ${kindLabel(poll.kind)} · `,
        poll.anonymous ? t("poll_anonymous") : el("strong", {}, t("poll_named"))),
      el("h3", { class: "poll-question", id: qid }, poll.question));
    // sendButton: the submit button of a form ballot (words, text, checkboxes, ranking).
    const card = { node, key: shapeKey(poll), status, results, count, sendButton: null };
    if (poll.state === "open") {
      node.append(ballotForm(poll, qid, card), status);
      if (poll.my_answer) setStatus(card, "recorded");
    } else {
      if (poll.my_answer) node.append(el("p", { class: "poll-mine" }, t("poll_your_answer", { answer: describe(poll, poll.my_answer) })));
      if (kindOf(poll.kind).scored && poll.my_answer && poll.correct_option_id) {
        const right = poll.my_answer.option_id === poll.correct_option_id;
        node.append(el("p", { class: `poll-verdict ${right ? "ok" : "ko"}` }, t(right ? "poll_you_right" : "poll_you_wrong")));
      }
    }
    node.append(count, results);
    return card;
  }

  function describe(poll, answer) {
    const text = new Map(poll.options.map((o) => [o.id, o.text]));
    if (answer.option_id) return text.get(answer.option_id) || "";
    if (answer.option_ids) return answer.option_ids.map((id) => text.get(id)).join(", ");
    if (answer.words) return answer.words.join(", ");
    if (answer.value !== undefined) return String(answer.value);
    return answer.text || "";
  }

  /**
   * @param {{status: HTMLElement}} card
   * @param {string} state  sending, recorded or error
   * @param {string} [message]
   */
  function setStatus(card, state, message) {
    card.status.dataset.state = state;
    if (state === "recorded") {
      card.status.replaceChildren(el("strong", {}, `✓ ${t("poll_recorded")}.`), " ",
        el("span", { class: "poll-status-hint" }, t("poll_can_change")));
    } else {
      card.status.textContent = state === "sending" ? t("poll_sending") : message || "";
    }
  }

  /**
   * @param {Poll} poll
   * @param {Record<string, any>} answer
   * @param {any} card
   * @param {{pressed?: () => void}} [options]
   */
  async function send(poll, answer, card, { pressed } = {}) {
    setStatus(card, "sending");
    card.node.classList.add("is-sending");
    try {
      await client.contribute("poll.vote", { poll_id: poll.id, answer });
      const current = book.get(poll.id);
      if (current) current.my_answer = answer;
      poll.my_answer = answer;
      if (pressed) pressed();
      // A form's button now offers to change the answer just sent.
      if (card.sendButton) card.sendButton.textContent = t("poll_change");
      // The card's status is a live region (role=status): screen readers hear the outcome.
      setStatus(card, "recorded");
      showResults(current || poll);
      document.dispatchEvent(new CustomEvent("companion:voted", { detail: { pollId: poll.id, answer } }));
    } catch (error) {
      setStatus(card, "error", isError(error, "closed") ? t("poll_closed_now") : errorMessage(error));
    } finally {
      card.node.classList.remove("is-sending");
    }
  }

  function choiceButtons(poll, card, items, answerOf, isMine) {
    const buttons = items.map((item) => el("button", {
      type: "button", class: "poll-choice", "aria-pressed": isMine(item) ? "true" : "false",
      onclick: (ev) => {
        const target = ev.currentTarget;
        send(poll, answerOf(item), card, { pressed: () => {
          for (const b of buttons) b.setAttribute("aria-pressed", b === target ? "true" : "false");
        } });
      },
    }, item.label, item.hint ? el("span", { class: "poll-choice-hint" }, item.hint) : null));
    return buttons;
  }

  function ballotForm(poll, qid, card) {
    const mine = poll.my_answer || {};
    const group = (children, extra = {}) => el("div", { class: "poll-choices", role: "group", "aria-labelledby": qid, ...extra }, children);
    switch (kindOf(poll.kind).ballot) {
      case "choice":
        return group(choiceButtons(poll, card, poll.options.map((o) => ({ id: o.id, label: o.text })),
          (o) => ({ option_id: o.id }), (o) => mine.option_id === o.id));
      case "scale": {
        const scale = poll.settings.scale;
        const items = [];
        for (let v = scale.min; v <= scale.max; v += 1) {
          items.push({ value: v, label: String(v), hint: (scale.labels || {})[String(v)] || "" });
        }
        return el("div", {},
          group(choiceButtons(poll, card, items, (i) => ({ value: i.value }), (i) => mine.value === i.value),
            { class: "poll-choices poll-scale-buttons" }),
          el("p", { class: "hint" }, t("poll_rate_hint")));
      }
      case "checkboxes":
        return multipleForm(poll, qid, card, mine);
      case "words":
        return wordsForm(poll, qid, card, mine);
      case "text":
        return openForm(poll, qid, card, mine);
      case "order":
        return rankingForm(poll, qid, card, mine);
      default:
        return el("p", {}, "");
    }
  }

  /**
   * A ballot form: `collect()` answers the ballot, or a text saying what is missing.
   * @param {Poll} poll
   * @param {string} qid
   * @param {any} card
   * @param {Node} fields
   * @param {() => Record<string, any> | string} collect
   */
  function formShell(poll, qid, card, fields, collect) {
    const error = el("p", { class: "form-error", role: "alert", hidden: true });
    card.sendButton = el("button", { type: "submit", class: "primary poll-send" },
      t(poll.my_answer ? "poll_change" : "poll_send"));
    const form = el("form", { class: "poll-form", "aria-labelledby": qid, novalidate: true },
      fields, error, card.sendButton);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const answer = collect();
      showError(error, typeof answer === "string" ? answer : null);
      if (typeof answer !== "string") send(poll, answer, card);
    });
    return form;
  }

  function multipleForm(poll, qid, card, mine) {
    const max = poll.settings.max_choices || poll.options.length;
    const chosen = new Set(mine.option_ids || []);
    const boxes = poll.options.map((o) => el("input", { type: "checkbox", value: o.id, checked: chosen.has(o.id) }));
    const fields = el("fieldset", { class: "poll-fieldset" },
      el("legend", { class: "visually-hidden" }, poll.question),
      el("p", { class: "hint" }, t("poll_up_to", { n: max })),
      poll.options.map((o, i) => el("label", { class: "check poll-check" }, boxes[i], o.text)));
    return formShell(poll, qid, card, fields, () => {
      const ids = boxes.filter((b) => b.checked).map((b) => Number(b.value));
      if (!ids.length) return t("poll_pick_one");
      if (ids.length > max) return t("poll_too_many", { n: max });
      return { option_ids: ids };
    });
  }

  function wordsForm(poll, qid, card, mine) {
    const count = poll.settings.max_words || 3;
    const inputs = [];
    const fields = el("div", { class: "poll-words" },
      el("p", { class: "hint" }, t("poll_words_hint", { n: count })),
      Array.from({ length: count }, (_, i) => {
        const id = `poll-${poll.id}-word-${i}`;
        const input = el("input", { id, type: "text", maxlength: 40, autocomplete: "off",
          value: (mine.words || [])[i] || "", enterkeyhint: i === count - 1 ? "send" : "next" });
        inputs.push(input);
        return el("div", { class: "field" }, el("label", { for: id }, t("poll_word_n", { n: i + 1 })), input);
      }));
    return formShell(poll, qid, card, fields, () => {
      const words = inputs.map((i) => i.value.trim()).filter(Boolean);
      return words.length ? { words } : t("poll_need_word");
    });
  }

  function openForm(poll, qid, card, mine) {
    const id = `poll-${poll.id}-text`;
    const area = el("textarea", { id, maxlength: 500, rows: 3 });
    area.value = mine.text || "";
    const fields = el("div", { class: "field" }, el("label", { for: id }, t("poll_your_text")), area);
    return formShell(poll, qid, card, fields, () => (area.value.trim() ? { text: area.value.trim() } : t("poll_need_text")));
  }

  function rankingForm(poll, qid, card, mine) {
    const byId = new Map(poll.options.map((o) => [o.id, o]));
    let order = (mine.option_ids && mine.option_ids.length === poll.options.length)
      ? mine.option_ids.map((id) => byId.get(id)) : [...poll.options];
    const listNode = el("ol", { class: "poll-ranking" });
    const draw = (focusId, direction) => {
      listNode.replaceChildren(...order.map((o, i) => el("li", { class: "poll-rank-item" },
        el("span", { class: "poll-rank-n", "aria-hidden": "true" }, String(i + 1)),
        el("span", { class: "poll-rank-text" }, o.text),
        el("span", { class: "poll-rank-moves" },
          el("button", { type: "button", class: "poll-move", disabled: i === 0,
            "aria-label": t("poll_move_up", { text: o.text }), dataset: { id: o.id, dir: "up" },
            onclick: () => move(i, -1) }, "↑"),
          el("button", { type: "button", class: "poll-move", disabled: i === order.length - 1,
            "aria-label": t("poll_move_down", { text: o.text }), dataset: { id: o.id, dir: "down" },
            onclick: () => move(i, 1) }, "↓")))));
      if (focusId !== undefined) {
        const wanted = listNode.querySelector(`button[data-id="${focusId}"][data-dir="${direction}"]:not([disabled])`)
          || listNode.querySelector(`button[data-id="${focusId}"]:not([disabled])`);
        if (wanted) wanted.focus();
      }
    };
    const move = (index, delta) => {
      const target = index + delta;
      if (target < 0 || target >= order.length) return;
      const item = order[index];
      order = [...order];
      order.splice(index, 1);
      order.splice(target, 0, item);
      draw(item.id, delta < 0 ? "up" : "down");
      announce(t("poll_now_at", { text: item.text, n: target + 1 }));
    };
    draw();
    const fields = el("div", {}, el("p", { class: "hint" }, t("poll_rank_hint")), listNode);
    return formShell(poll, qid, card, fields, () => ({ option_ids: order.map((o) => o.id) }));
  }

  client.on("snapshot", (snap) => {
    book.reset(snap.polls);
    render();
  });
  client.on("poll.updated", (data) => {
    // The page's poll alert (role=alert, attendee-tabs.js) tells of a poll that opens.
    book.update(data.poll);
    render();
  });
  client.on("poll.results", (data) => {
    const poll = book.results(data);
    if (poll) showResults(poll);
  });
}
