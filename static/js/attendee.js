// @ts-check
// The attendee's session page: join with the personal link, then go live.
import { api, store } from "./api.js";
import { t } from "./i18n.js";
import { bindAttendeeTabs } from "./attendee-tabs.js";
import { LiveClient, bindStatus, startPanels } from "./live.js";
import { bindSessionShell } from "./shell.js";

const root = document.getElementById("attendee");
const sessionId = Number(root.dataset.sessionId);
const slug = root.dataset.eventSlug;
const tokenKey = `participant:${sessionId}`;

async function participantToken() {
  const params = new URLSearchParams(location.search);
  const linkToken = params.get("t");
  if (linkToken) {
    // Keep the personal link for the event's other sessions, then drop it from the address bar.
    store.set(`registration:${slug}`, linkToken);
    params.delete("t");
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
  }
  const known = store.get(tokenKey);
  if (known && !linkToken) return known;
  const registration = linkToken || store.get(`registration:${slug}`);
  if (!registration) return null;
  const joined = await api(`/sessions/${sessionId}/join`, {
    method: "POST", body: { registration_token: registration },
  });
  store.set(tokenKey, joined.token);
  return joined.token;
}

/** Show the join invitation instead of the live panels, with why when known. */
function needJoin(/** @type {string | undefined} */ message) {
  document.getElementById("live-panels").hidden = true;
  document.querySelector("[data-tabs]").hidden = true;
  const box = document.getElementById("needs-join");
  box.hidden = false;
  if (message) box.querySelector("[data-join-message]").textContent = message;
  for (const node of document.querySelectorAll("[data-conn-status]")) node.textContent = "";
}

async function main() {
  let token;
  try {
    token = await participantToken();
  } catch (error) {
    needJoin(error.message);
    return;
  }
  if (!token) {
    needJoin();
    return;
  }
  document.getElementById("live-panels").hidden = false;
  const client = new LiveClient({ token, sessionId });
  bindStatus(client);
  bindSessionShell(client, root);
  bindAttendeeTabs(client, root);
  client.on("refused", (error) => {
    store.remove(tokenKey);
    needJoin(error && error.message ? error.message : t("refused"));
  });
  client.on("session.removed", () => {
    store.remove(tokenKey);
    client.socket.disconnect();
    needJoin(t("removed"));
  });
  startPanels(client, { role: "attendee", sessionId, root });
  client.connect();
}

main();
