// The moderator console: start and end the session, advance the agenda, watch presence.
import { announce, t } from "./i18n.js";
import { LiveClient, bindStatus, startPanels } from "./live.js";
import { bindSessionShell } from "./shell.js";
import { forgetStaff, staffToken } from "./staff.js";

const root = document.getElementById("console");
const sessionId = Number(root.dataset.sessionId);
const errorBox = root.querySelector("[data-console-error]");

export function showError(error) {
  errorBox.hidden = !error;
  errorBox.textContent = error ? error.message || t("error") : "";
}

function main() {
  const staff = staffToken(root);
  if (!staff) return;
  const client = new LiveClient({ token: staff.token, sessionId });
  bindStatus(client);
  bindSessionShell(client, root);
  client.on("refused", () => forgetStaff(root));

  const run = async (name, payload) => {
    try {
      showError(null);
      return await client.send(name, payload);
    } catch (error) {
      showError(error);
      return null;
    }
  };
  root.querySelector('[data-action="session.start"]').addEventListener("click", () =>
    run("session.start", { session_id: sessionId }));
  root.querySelector('[data-action="session.end"]').addEventListener("click", () => {
    if (confirm(t("confirm_end"))) run("session.end", { session_id: sessionId });
  });
  // Delegated: the agenda is redrawn when the organisers edit it during the session.
  root.querySelector("[data-agenda]").addEventListener("click", async (event) => {
    const button = event.target.closest("[data-advance]");
    if (!button) return;
    const done = await run("agenda.advance", {
      session_id: sessionId, agenda_item_id: Number(button.dataset.advance),
    });
    if (done) announce(t("advanced", { title: button.querySelector(".agenda-title").textContent }));
  });
  const syncButtons = (session) => {
    root.querySelector('[data-action="session.start"]').disabled = session.status === "live";
    root.querySelector('[data-action="session.end"]').disabled = session.status !== "live";
  };
  client.on("snapshot", (snap) => syncButtons(snap.session));
  client.on("session.updated", (data) => syncButtons(data.session));
  startPanels(client, { role: "moderator", sessionId, root, run, showError });
  client.connect();
}

main();
