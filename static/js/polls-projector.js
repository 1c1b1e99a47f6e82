// @ts-check
// The projector: the poll under way (or the one a moderator chose), big, for screen-sharing. It shows
// results only when the room may see them, though the page itself is opened by staff.
import { el } from "./api.js";
import { t } from "./i18n.js";
import { answersLabel, kindLabel, resultsView, stateLabel } from "./polls-common.js";

/**
 * @param {import("./live.js").LiveClient} client
 * @param {import("./live.js").PanelContext} ctx
 * @param {import("./polls-common.js").PollBook} book
 */
export function startProjector(client, ctx, book) {
  const stage = ctx.root.querySelector("[data-polls]");
  if (!stage) return;
  const meta = stage.querySelector("[data-poll-meta]");
  const question = stage.querySelector("[data-poll-question]");
  const results = stage.querySelector("[data-poll-results]");
  const count = stage.querySelector("[data-poll-count]");
  let shownKey = null;

  /** The poll the moderator chose to show; else the open poll opened last, or closed last. */
  function current() {
    const display = ctx.display ? ctx.display() : null;
    if (display && display.mode === "poll") {
      const chosen = book.get(display.poll_id);
      if (chosen && chosen.state !== "draft") return chosen;
    }
    const polls = book.sorted().filter((p) => p.state !== "draft");
    const latest = (list, field) => list.sort((a, b) => (b.changed || 0) - (a.changed || 0)
      || String(b[field] || "").localeCompare(String(a[field] || "")) || b.id - a.id)[0];
    return latest(polls.filter((p) => p.state === "open"), "opened_at")
      || latest(polls.filter((p) => p.state === "closed"), "closed_at") || null;
  }

  function render() {
    const poll = current();
    stage.hidden = !poll;
    if (!poll) { shownKey = null; return; }
    stage.dataset.pollId = poll.id;
    stage.dataset.state = poll.state;
    meta.textContent = `${stateLabel(poll.state)} · ${kindLabel(poll.kind)}`;
    question.textContent = poll.question;
    count.textContent = answersLabel(poll.total || 0);
    const key = JSON.stringify([poll.id, poll.state, poll.results_public, poll.results]);
    if (key === shownKey) return; // nothing new: do not lay the word cloud out again
    shownKey = key;
    const view = poll.results_public ? resultsView(poll, { big: true }) : null;
    results.replaceChildren(view || el("p", { class: "poll-stage-later" }, t("poll_results_later")));
  }

  ctx.root.addEventListener("projector:display", () => render());
  // Every change of the book redraws the stage (render() lays the cloud out only when new).
  book.subscribe(render);
  client.on("snapshot", (snap) => book.reset(snap.polls));
  client.on("poll.updated", (data) => book.update(data.poll));
  client.on("poll.results", (data) => book.results(data));
}
