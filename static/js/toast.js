// @ts-check
// A visible status line for staff pages: every announced change shows here for a few seconds
// (role="status": screen readers hear it once), optionally with an action such as "Undo".
import { el } from "./api.js";

const SHOW_MS = 6000;
const UNDO_MS = 10000;
/** @type {HTMLElement | null} */
let box = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;

/**
 * Show `message`; with `action: {label, run}`, a button that runs it (and closes the toast).
 * @param {string} message
 * @param {{action?: {label: string, run: () => void} | null, kind?: "ok" | "error"}} [options]
 */
export function toast(message, { action = null, kind = "ok" } = {}) {
  if (!box) return;
  clearTimeout(timer);
  const children = [el("span", { class: "toast-text" }, message)];
  if (action) {
    children.push(el("button", {
      type: "button", class: "button small toast-action", dataset: { toastAction: "" },
      onclick: () => { hide(); action.run(); },
    }, action.label));
  }
  box.replaceChildren(...children);
  box.dataset.kind = kind;
  timer = setTimeout(hide, action ? UNDO_MS : SHOW_MS);
}

function hide() {
  clearTimeout(timer);
  // Emptied, not hidden: a live region must stay in the page to be heard next time.
  if (box) box.replaceChildren();
}

/** Bind the page's [data-toast] element and take over announce() on this page. */
export function bindToast(/** @type {HTMLElement} */ node) {
  box = node;
  document.addEventListener("companion:announce", (event) => {
    event.preventDefault();
    toast(/** @type {CustomEvent<{message: string}>} */ (event).detail.message);
  });
}
