// @ts-check
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

/**
 * Shrink what a panel holds until it fits its box: a long pinned question, a poll of many
 * options or a long agenda stays whole on the shared screen instead of being cut off.
 */
function fitPanels() {
  for (const card of root.querySelectorAll(".projector-panel > .card, .projector-panel.card")) {
    const parts = [...card.children];
    for (const part of parts) part.style.zoom = "";
    if (!card.offsetParent) continue; // not on screen
    let zoom = 1;
    while (card.scrollHeight > card.clientHeight + 1 && zoom > 0.4) {
      zoom -= 0.05;
      for (const part of parts) part.style.zoom = String(zoom);
    }
    card.dataset.fit = zoom.toFixed(2);
  }
}

function watchFit() {
  let queued = false;
  const refit = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fitPanels(); });
  };
  // The timers tick four times a second and never change a panel's size: skip them.
  const ticking = (node) => (node.nodeType === 1 ? node : node.parentElement)?.closest("[role=timer]");
  new MutationObserver((records) => {
    if (records.some((r) => !ticking(r.target))) refit();
  }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["hidden", "data-mode", "data-ended", "class"] });
  // A panel's box changes with the layout (mode, header, the other panels): fit again.
  const boxes = new ResizeObserver(refit);
  for (const card of root.querySelectorAll(".projector-panel > .card, .projector-panel.card")) boxes.observe(card);
  window.addEventListener("resize", refit);
  refit();
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
  watchFit();
  client.connect();
}

main();
