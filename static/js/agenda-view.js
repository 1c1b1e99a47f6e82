// @ts-check
// The agenda as live pages show it, redrawn when the organisers edit it during the session,
// and the webconference link of the session for those allowed into it.
import { el } from "./api.js";
import { t } from "./i18n.js";

/**
 * @typedef {{id: number, title: string, kind: string, planned_minutes: number,
 *   speakers: Array<{name: string, organisation?: string}>}} AgendaItem
 */

function kindLabel(/** @type {string} */ kind) {
  const kinds = t("agenda_kinds");
  return (kinds && kinds[kind]) || kind;
}

/**
 * @param {AgendaItem} item
 * @param {boolean} withOrganisation
 */
function meta(item, withOrganisation) {
  const names = item.speakers.map((s) => (withOrganisation && s.organisation ? `${s.name} (${s.organisation})` : s.name));
  return [t("minutes_short", { n: item.planned_minutes }), names.join(", ")].filter(Boolean).join(" · ");
}

/**
 * Redraw every `[data-agenda]` list of `root` from `agenda`: the console's as buttons, a
 * `data-agenda="brief"` one (the projector's) with titles, times and names only.
 */
export function renderAgendaLists(/** @type {ParentNode} */ root, /** @type {AgendaItem[]} */ agenda) {
  for (const list of root.querySelectorAll("[data-agenda]")) {
    const asButtons = list.classList.contains("agenda-console");
    const brief = /** @type {HTMLElement} */ (list).dataset.agenda === "brief";
    list.replaceChildren(...agenda.map((item) => {
      const title = el("span", { class: "agenda-title", text: item.title });
      const line = el("span", { class: "agenda-meta", text: meta(item, !asButtons && !brief) });
      const body = asButtons
        ? [el("button", { type: "button", class: "agenda-advance", dataset: { advance: item.id } }, title, line)]
        : brief
          ? [title, line]
          : [el("span", { class: "agenda-kind", text: kindLabel(item.kind) }), title, line];
      return el("li", { class: `agenda-item kind-${item.kind}`, dataset: { agendaItem: item.id } }, ...body);
    }));
  }
}

/** Show the "join the webconference" link when the session has one (only its people get it). */
export function showWebconference(/** @type {ParentNode} */ root, /** @type {{webconference_url?: string} | null} */ session) {
  for (const box of root.querySelectorAll("[data-webconference]")) {
    const link = /** @type {HTMLAnchorElement} */ (box.querySelector("[data-webconference-link]"));
    const url = session && session.webconference_url;
    const safe = typeof url === "string" && /^https?:\/\//i.test(url);
    /** @type {HTMLElement} */ (box).hidden = !safe;
    if (safe) link.href = url;
    else link.removeAttribute("href");
  }
}
