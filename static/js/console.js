// @ts-check
// The moderator console: start and end the session, advance the agenda (with undo), choose
// what the projector shows, and confirm every change visibly (the toast).
import { el } from "./api.js";
import { errorMessage, isError, showError as showErrorIn } from "./errors.js";
import { announce, t } from "./i18n.js";
import { LiveClient, bindStatus, startPanels } from "./live.js";
import { bindSessionShell, onSession } from "./shell.js";
import { forgetStaff, staffToken } from "./staff.js";
import { Store } from "./store.js";
import { bindToast, toast } from "./toast.js";

const root = /** @type {HTMLElement} */ (document.getElementById("console"));
const sessionId = Number(root.dataset.sessionId);
const errorBox = /** @type {HTMLElement} */ (root.querySelector("[data-console-error]"));

/** The console's error box, which every panel of the console shares. */
export function showError(/** @type {import("./errors.js").ApiError | null} */ error) {
  showErrorIn(errorBox, error);
}

/** Tabs with arrow keys, Home and End (WAI-ARIA tabs pattern). */
function bindTabs(/** @type {HTMLElement} */ list) {
  const tabs = [...list.querySelectorAll("[role=tab]")];
  const select = (tab, focus = true) => {
    for (const other of tabs) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const i = tabs.indexOf(tab);
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length]);
    });
  }
}

function main() {
  const staff = staffToken(root);
  if (!staff) return;
  bindToast(root.querySelector("[data-toast]"));
  bindTabs(root.querySelector("[data-console-tabs]"));
  const client = new LiveClient({ token: staff.token, sessionId });
  bindStatus(client);
  bindSessionShell(client, root);
  client.on("refused", () => forgetStaff(root));

  // Summaries are for facilitators only: a moderator is not sent to a page that refuses them.
  const dashboardLink = root.querySelector("[data-dashboard-link]");
  const showDashboardLink = (role) => { dashboardLink.hidden = role !== "facilitator"; };
  showDashboardLink(staff.role);
  client.on("snapshot", (snap) => { if (snap.you) showDashboardLink(snap.you.role); });

  // Every change shows it was made: the panels announce theirs; these say it here.
  const CONFIRM = {
    "floor.pause": "done_floor_pause", "floor.resume": "done_floor_resume",
    "floor.end": "done_floor_end", "floor.close_list": "done_floor_close_list",
    "floor.open_list": "done_floor_open_list", "floor.settings": "done_floor_settings",
    "floor.withdraw": "done_floor_withdraw", "poll.reveal": "done_poll_reveal",
    "poll.delete": "done_poll_delete",
  };
  /** @type {(name: string, payload: Record<string, any>) => Promise<any>} */
  const run = async (name, payload) => {
    try {
      showError(null);
      const data = await client.send(name, payload);
      if (CONFIRM[name]) toast(t(CONFIRM[name]));
      return data;
    } catch (error) {
      showError(error);
      toast(errorMessage(error), { kind: "error" });
      return null;
    }
  };
  const startButton = root.querySelector('[data-action="session.start"]');
  const endButton = root.querySelector('[data-action="session.end"]');
  startButton.addEventListener("click", async () => {
    if (await run("session.start", { session_id: sessionId })) announce(t("session_started"));
  });
  endButton.addEventListener("click", async () => {
    if (!confirm(t("confirm_end"))) return;
    if (await run("session.end", { session_id: sessionId })) announce(t("session_ended"));
  });

  // ------------------------------------------------------------ agenda, with undo
  let agenda = [];
  let currentId = null;
  let ended = false;
  const agendaEnded = root.querySelector("[data-agenda-ended]");
  const titleOf = (id) => (agenda.find((i) => i.id === id) || {}).title || t("between_items");
  const advance = async (itemId) => {
    const before = currentId;
    if (itemId === before) return;
    const done = await run("agenda.advance", { session_id: sessionId, agenda_item_id: itemId });
    if (!done) return;
    currentId = itemId;
    toast(t("advanced", { title: titleOf(itemId) }), {
      action: {
        label: t("undo"),
        run: async () => {
          const back = await run("agenda.advance", { session_id: sessionId, agenda_item_id: before });
          if (back) { currentId = before; toast(t("advance_undone", { title: titleOf(before) })); }
        },
      },
    });
  };
  // Delegated: the agenda is redrawn when the organisers edit it during the session.
  root.querySelector("[data-agenda]").addEventListener("click", (event) => {
    const button = event.target.closest("[data-advance]");
    if (button) advance(Number(button.dataset.advance));
  });
  const nextButton = root.querySelector("[data-agenda-next]");
  nextButton.addEventListener("click", () => {
    const index = agenda.findIndex((i) => i.id === currentId);
    const next = agenda[index + 1];
    if (next) advance(next.id);
    else toast(t("last_item"));
  });

  // An ended session is reopened (session.reopen); a server without that event resumes it
  // with session.start, as before.
  const reopenButton = root.querySelector('[data-action="session.reopen"]');
  reopenButton.addEventListener("click", async () => {
    let done = null;
    try {
      done = await client.send("session.reopen", { session_id: sessionId });
    } catch (error) {
      if (!isError(error, "not_found")) { showError(error); toast(errorMessage(error), { kind: "error" }); return; }
      done = await run("session.start", { session_id: sessionId });
    }
    if (done) announce(t("session_reopened"));
  });

  // An ended session's agenda no longer moves (the server refuses): its controls say so.
  const syncAgenda = () => {
    const index = agenda.findIndex((i) => i.id === currentId);
    nextButton.disabled = ended || index >= agenda.length - 1;
    for (const button of root.querySelectorAll("[data-advance]")) {
      button.disabled = ended;
      if (ended) button.setAttribute("aria-describedby", agendaEnded.id);
      else button.removeAttribute("aria-describedby");
    }
    agendaEnded.hidden = !ended;
  };
  client.on("snapshot", (snap) => { agenda = snap.agenda || []; });
  onSession(client, (session) => {
    ended = session.status === "ended";
    startButton.disabled = session.status === "live";
    startButton.hidden = ended;
    reopenButton.hidden = !ended;
    endButton.disabled = session.status !== "live";
    currentId = session.current_agenda_item_id;
    syncAgenda();
  });
  client.on("agenda.updated", (data) => {
    if (data.agenda) agenda = data.agenda;
    currentId = data.agenda_item_id;
    syncAgenda();
  });

  bindProjectorControl(client, run);
  startPanels(client, { role: "moderator", sessionId, root, run, showError });
  client.connect();
}

/**
 * The projector tab: choose what every projector shows (projector.show).
 * @param {LiveClient} client
 * @param {(name: string, payload: Record<string, any>) => Promise<any>} run
 */
function bindProjectorControl(client, run) {
  const box = root.querySelector("[data-projector-control]");
  const radios = [...box.querySelectorAll('input[name="projector-mode"]')];
  const pollSelect = box.querySelector("[data-projector-poll]");
  const noPoll = box.querySelector("[data-projector-no-poll]");
  /** @type {Store<import("./polls-common.js").Poll>} */
  const polls = new Store({ patch: true });
  let display = { mode: "auto", poll_id: null };

  const showDisplay = () => {
    for (const radio of radios) radio.checked = radio.value === display.mode;
    if (display.poll_id) pollSelect.value = String(display.poll_id);
  };
  const fillPolls = () => {
    const shown = polls.values().filter((p) => p.state !== "draft")
      .sort((a, b) => (a.state === "open" ? 0 : 1) - (b.state === "open" ? 0 : 1) || b.id - a.id);
    const keep = pollSelect.value;
    pollSelect.replaceChildren(...shown.map((p) => el("option", { value: String(p.id) },
      `${p.question} (${t(`poll_state_${p.state}`)})`)));
    if (keep && shown.some((p) => String(p.id) === keep)) pollSelect.value = keep;
    else if (display.poll_id) pollSelect.value = String(display.poll_id);
    pollSelect.disabled = !shown.length;
    noPoll.hidden = shown.length > 0;
    const pollRadio = radios.find((r) => r.value === "poll");
    pollRadio.disabled = !shown.length;
  };
  const choose = async (mode) => {
    const payload = { session_id: sessionId, mode };
    if (mode === "poll") payload.poll_id = Number(pollSelect.value);
    const done = await run("projector.show", payload);
    if (done) {
      display = done.projector;
      toast(t("projector_shows", { what: t(`projector_${display.mode}`) }));
    }
    showDisplay();
  };
  for (const radio of radios) radio.addEventListener("change", () => { if (radio.checked) choose(radio.value); });
  pollSelect.addEventListener("change", () => choose("poll"));

  polls.subscribe(fillPolls);
  client.on("snapshot", (snap) => {
    if (snap.projector) display = snap.projector;
    polls.reset(snap.polls);
    showDisplay();
  });
  client.on("poll.updated", (data) => {
    if (data.poll.deleted) polls.remove(data.poll.id);
    else polls.upsert(data.poll);
  });
  client.on("projector.updated", (data) => { display = data.projector; showDisplay(); });
}

main();
