// @ts-check
// The attendee's session page: join with the personal link, then go live.
import { api, store } from "./api.js";
import { errorMessage, isError } from "./errors.js";
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
    // Drop the personal link from the address bar (it is kept below once it proved good).
    params.delete("t");
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
  }
  const known = store.get(tokenKey);
  if (known && !linkToken) return known;
  const registration = linkToken || store.get(`registration:${slug}`);
  if (!registration) return null;
  let joined;
  try {
    joined = await api(`/sessions/${sessionId}/join`, {
      method: "POST", body: { registration_token: registration },
    });
  } catch (error) {
    // Registered for other sessions of the event, not this one: the link may add it.
    if (isError(error, "forbidden") && error.details && error.details.may_add) {
      throw Object.assign(error, { registration, fromLink: Boolean(linkToken) });
    }
    throw error;
  }
  // Keep the personal link for the event's other sessions: a cut-short one never replaces a good one.
  if (linkToken) store.set(`registration:${slug}`, linkToken);
  store.set(tokenKey, joined.token);
  return joined.token;
}

/**
 * Whether ``error`` says the personal link itself is at fault: cut short, mistyped, or replaced
 * since (a validator's "at least 10 characters", a bad signature, a revoked registration).
 * @param {import("./errors.js").ApiError | string | undefined} error
 */
function brokenLink(error) {
  return isError(error, "invalid") || isError(error, "unauthorized");
}

/**
 * Show the join invitation instead of the live panels, with why when known. A broken personal
 * link is told in plain words, with where to get a new one; other refusals (not registered for
 * this session, removed by a moderator, the server out of reach) keep the server's own message.
 * @param {import("./errors.js").ApiError | string} [why]
 */
function needJoin(why) {
  document.getElementById("live-panels").hidden = true;
  document.querySelector("[data-tabs]").hidden = true;
  const box = document.getElementById("needs-join");
  box.hidden = false;
  const message = box.querySelector("[data-join-message]");
  const broken = box.querySelector("[data-join-broken]");
  const isBroken = brokenLink(why);
  broken.hidden = !isBroken;
  message.hidden = isBroken;
  if (why && !isBroken) message.textContent = errorMessage(why);
  // Registered for the event but not for this session: one button adds it and joins.
  const addable = why && typeof why === "object" && why.registration;
  box.querySelector("[data-join-add]").hidden = !addable;
  if (addable) message.hidden = true;  // the box says it kindly: "register first" is not the way
  box.querySelector("[data-join-register]").hidden = Boolean(addable);
  if (addable) {
    const button = /** @type {HTMLButtonElement} */ (box.querySelector("[data-join-add-button]"));
    button.onclick = async () => {
      button.disabled = true;
      try {
        const joined = await api(`/sessions/${sessionId}/join`, {
          method: "POST", body: { registration_token: why.registration, add_session: true },
        });
        if (why.fromLink) store.set(`registration:${slug}`, why.registration);
        store.set(tokenKey, joined.token);
        location.reload();
      } catch (error) {
        button.disabled = false;
        message.hidden = false;
        message.textContent = errorMessage(error);
      }
    };
  }
  for (const node of document.querySelectorAll("[data-conn-status]")) node.textContent = "";
}

async function main() {
  let token;
  try {
    token = await participantToken();
  } catch (error) {
    needJoin(error);
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
    needJoin(error && error.code ? error : t("refused"));
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
