// The projector view, for screen-sharing into the webconference. A moderator chooses from the
// console what it shows (projector.updated); it always fits the screen.
import { t } from "./i18n.js";
import { LiveClient, bindStatus, startPanels } from "./live.js";
import { bindSessionShell } from "./shell.js";
import { forgetStaff, staffToken } from "./staff.js";

const root = document.getElementById("projector");
const sessionId = Number(root.dataset.sessionId);
const q = (name) => root.querySelector(`[data-${name}]`);

/** Show the QR code of the join address: our own SVG, fetched with the staff token. */
async function loadQr(token, url) {
  const img = q("join-qr");
  if (img.dataset.for === url) return;
  try {
    const response = await fetch(`/api/v1/sessions/${sessionId}/qr.svg`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) return;
    // The route serves an inline-style SVG; an <img> needs the SVG namespace declared.
    let svg = await response.text();
    if (!/^<svg[^>]*xmlns=/.test(svg)) svg = svg.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
    const blob = new Blob([svg], { type: "image/svg+xml" });
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(blob);
    img.alt = t("qr_alt", { url });
    img.dataset.for = url;
    img.hidden = false;
  } catch (err) {
    img.hidden = true;
  }
}

function main() {
  const staff = staffToken(root);
  if (!staff) return;
  const client = new LiveClient({ token: staff.token, sessionId });
  bindStatus(client);
  bindSessionShell(client, root);
  client.on("refused", () => forgetStaff(root));

  let status = "scheduled";
  let display = { mode: "auto", poll_id: null, join: { allowed: false } };
  const apply = () => {
    root.dataset.mode = display.mode;
    root.dataset.ended = String(status === "ended");
    const join = display.join || {};
    q("join-strip").hidden = !join.allowed;
    if (join.allowed) {
      q("join-strip-url").textContent = join.url.replace(/^https?:\/\//, "");
      q("join-strip-code").textContent = join.code;
      q("join-url").textContent = join.url.replace(/^https?:\/\//, "");
      q("join-code").textContent = join.code;
      if (display.mode === "join") loadQr(staff.token, join.url);
    }
    // The polls panel follows the chosen poll (or the latest one in automatic mode).
    root.dispatchEvent(new CustomEvent("projector:display", { detail: display }));
  };
  // Registered before the panels: the display is known when they draw their first snapshot.
  client.on("snapshot", (snap) => {
    status = snap.session.status;
    if (snap.projector) display = snap.projector;
    apply();
  });
  client.on("session.updated", (data) => { status = data.session.status; apply(); });
  client.on("projector.updated", (data) => { display = data.projector; apply(); });
  startPanels(client, { role: "projector", sessionId, root, display: () => display });
  client.connect();
}

main();
