// @ts-check
// The projector's Q&A: the pinned question, large, and the next three most upvoted. Nothing
// pinned, no question is shown large: the room sees only what a moderator put on screen.
import { el } from "./api.js";
import { t } from "./i18n.js";
import { Questions, bindStore, metaLine, voteLabel } from "./questions-common.js";

/**
 * @param {import("./live.js").LiveClient} client
 * @param {import("./live.js").PanelContext} ctx
 * @param {HTMLElement} section
 */
export function startProjector(client, ctx, section) {
  const store = new Questions();
  bindStore(client, store);
  const text = section.querySelector("[data-qa-big-text]");
  const meta = section.querySelector("[data-qa-big-meta]");
  const next = section.querySelector("[data-qa-next]");
  const render = () => {
    // The projector logs in as staff: show only what the room may see.
    const live = store.sorted(store.values().filter((q) => q.state === "approved"), "popular");
    const big = live.find((q) => q.pinned) || null;
    section.classList.toggle("is-empty", !big);
    section.classList.toggle("is-pinned", Boolean(big));
    text.textContent = big ? big.text : t("q_no_question");
    meta.textContent = big ? `${metaLine(store, big)} · ${voteLabel(big.upvotes)}` : "";
    // Each next question with its upvotes: the sign the attendees vote with, the count read out.
    next.replaceChildren(...(big ? live.filter((q) => q !== big).slice(0, 3) : []).map((q) =>
      el("li", {}, el("span", { class: "qa-n", "aria-hidden": "true", text: `▲ ${q.upvotes}` }),
        el("span", { class: "visually-hidden", text: voteLabel(q.upvotes) }), " ", q.text)));
  };
  store.subscribe(render);
  render();
}
