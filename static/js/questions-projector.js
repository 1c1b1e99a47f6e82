// @ts-check
// The projector's Q&A: the pinned (else the most popular) live question, large, and the next three.
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
    const big = live.find((q) => q.pinned) || live[0] || null;
    section.classList.toggle("is-empty", !big);
    section.classList.toggle("is-pinned", Boolean(big && big.pinned));
    text.textContent = big ? big.text : t("q_no_question");
    meta.textContent = big ? `${metaLine(store, big)} · ${voteLabel(big.upvotes)}` : "";
    next.replaceChildren(...live.filter((q) => q !== big).slice(0, 3).map((q) =>
      el("li", {}, el("span", { class: "qa-n", text: String(q.upvotes) }), " ", q.text)));
  };
  store.subscribe(render);
  render();
}
