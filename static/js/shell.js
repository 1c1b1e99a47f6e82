// @ts-check
// What every live page shows: session status, presence, and the agenda item under way.
import { renderAgendaLists, showWebconference } from "./agenda-view.js";
import { announce, t } from "./i18n.js";

/**
 * Call `handler(session)` with the session as the snapshot has it, then on each session.updated
 * (a start, an end, a reopen), also when replayed after a reconnect.
 * @param {import("./live.js").LiveClient} client
 * @param {(session: {status: string, current_agenda_item_id?: number | null, [key: string]: any}) => void} handler
 */
export function onSession(client, handler) {
  client.on("snapshot", (snap) => handler(snap.session));
  client.on("session.updated", (data) => handler(data.session));
}

/**
 * Keep the page's session status, presence count and current agenda item up to date.
 * @param {import("./live.js").LiveClient} client
 * @param {HTMLElement} root
 */
export function bindSessionShell(client, root) {
  const statusNodes = root.querySelectorAll("[data-session-status]");
  const presenceNodes = root.querySelectorAll("[data-presence]");
  const currentNodes = document.querySelectorAll("[data-current-item]");
  /** @type {Array<{id: number, title: string}>} */
  let agenda = [];

  const showStatus = (session) => {
    for (const node of statusNodes) {
      node.textContent = t(session.status);
      node.className = `status status-${session.status}`;
    }
  };
  const showCurrent = (itemId, { quiet = false } = {}) => {
    const item = agenda.find((i) => i.id === itemId);
    for (const node of currentNodes) node.textContent = item ? item.title : "—";
    for (const li of root.querySelectorAll("[data-agenda-item]")) {
      const isCurrent = Number(li.dataset.agendaItem) === itemId;
      li.classList.toggle("is-current", isCurrent);
      if (isCurrent) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    }
    if (item && !quiet) announce(`${t("agenda_now")}: ${item.title}`);
  };
  const showPresence = (counts) => {
    for (const node of presenceNodes) node.textContent = `${counts.online} ${t("online")}`;
  };

  client.on("snapshot", (snap) => {
    agenda = snap.agenda;
    renderAgendaLists(root, agenda);
    showPresence(snap.presence);
  });
  onSession(client, (session) => {
    showWebconference(root, session);
    showStatus(session);
    // An ended session has no item under way, whatever item it ended on.
    showCurrent(session.status === "ended" ? null : session.current_agenda_item_id, { quiet: true });
  });
  client.on("agenda.updated", (data) => {
    if (!data.agenda) return showCurrent(data.agenda_item_id);
    // The organisers edited the agenda: redraw it, the item under way stays marked.
    agenda = data.agenda;
    renderAgendaLists(root, agenda);
    return showCurrent(data.agenda_item_id, { quiet: true });
  });
  client.on("presence.updated", showPresence);
}
