// @ts-check
// What every workspace page shares: the facilitator's token, API calls with it, messages,
// field errors shown at their field, and downloads of files the API serves.
import { api, el, store } from "./api.js";
import { errorMessage } from "./errors.js";
import { announce, t } from "./i18n.js";
import { staffHome } from "./staff-home.js";

/** The stored staff login, or a trip to the login page (coming back here afterwards). */
/**
 * @param {HTMLElement} root  carries data-login-url
 * @returns {{token: string, role: string, name?: string} | null}
 */
export function requireFacilitator(root) {
  const staff = store.get("staff");
  if (!staff || !staff.token) {
    location.assign(root.dataset.loginUrl);
    return null;
  }
  return staff;
}

/** Call the API with the stored token; an expired or revoked login goes back to log in. */
/**
 * @param {HTMLElement} root
 * @param {{token: string}} staff
 * @returns {(path: string, options?: {method?: string, body?: any}) => Promise<any>}
 */
export function makeCaller(root, staff) {
  return async (path, options = {}) => {
    try {
      return await api(path, { ...options, token: staff.token });
    } catch (error) {
      if (error.status === 401) {
        store.remove("staff");
        location.assign(root.dataset.loginUrl);
      }
      throw error;
    }
  };
}

/**
 * Show `message` in a status line (polite) or as an error (alert).
 * @param {HTMLElement | null} node
 * @param {string | null | undefined} message
 * @param {{error?: boolean}} [options]
 */
export function say(node, message, { error = false } = {}) {
  if (!node) return;
  node.hidden = !message;
  node.textContent = message || "";
  node.classList.toggle("form-error", error);
  node.classList.toggle("form-ok", !error && Boolean(message));
  if (message && !error) announce(message);
}

/**
 * Mark the fields an API error names, and say the error next to the form.
 * @param {HTMLFormElement} form
 * @param {import("./errors.js").ApiError} error
 * @param {HTMLElement | null} statusNode
 */
export function showFormError(form, error, statusNode) {
  clearFieldErrors(form);
  const details = Array.isArray(error && error.details) ? error.details : [];
  let first = null;
  let unplaced = false;
  for (const detail of details) {
    const name = String(detail.field || "").split(".")[0];
    const input = form.elements.namedItem(name);
    if (!input || !input.setAttribute) { unplaced = true; continue; }
    input.setAttribute("aria-invalid", "true");
    const note = el("p", { class: "field-error", id: `${input.id}-error`, text: detail.problem });
    input.setAttribute("aria-describedby", note.id);
    input.insertAdjacentElement("afterend", note);
    first = first || input;
  }
  // Each problem shown at its field: the status line only says so, once.
  say(statusNode, first && !unplaced ? t("fix_fields") : errorMessage(error), { error: true });
  if (first) first.focus();
}

/** Take away every field's error mark. */
export function clearFieldErrors(/** @type {HTMLFormElement} */ form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
}

/** Download a file the API serves to facilitators (the token cannot ride on a plain link). */
/**
 * @param {{token: string}} staff
 * @param {string} path  under /api/v1
 * @param {string} filename
 */
export async function download(staff, path, filename) {
  const response = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${staff.token}` } });
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error.message; } catch (err) { /* not JSON */ }
    throw { message, status: response.status };
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Copy text to the clipboard, falling back to selecting it for the person to copy. */
/**
 * @param {string} text
 * @param {HTMLInputElement} [input]  selected for the person when the clipboard refuses
 */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    if (input) { input.focus(); input.select(); }
    return false;
  }
}

/** A labelled form field: input, select or textarea, with an id tied to its label. */
/**
 * @param {string} id
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [hint]
 */
export function field(id, label, control, hint) {
  control.id = id;
  const parts = [el("label", { for: id, text: label })];
  if (hint) {
    const hintNode = el("p", { class: "hint", id: `${id}-hint`, text: hint });
    control.setAttribute("aria-describedby", hintNode.id);
    parts.push(hintNode);
  }
  return el("div", { class: "field" }, ...parts, control);
}

/** A checkbox with its label beside it. */
/**
 * @param {string} id
 * @param {any} label  a text or a node
 * @param {string} name
 * @param {boolean} checked
 */
export function check(id, label, name, checked) {
  return el("label", { class: "check", for: id },
    el("input", { type: "checkbox", id, name, checked: Boolean(checked) }), label);
}

/** Read a form into an object: checkboxes as booleans, the rest as trimmed strings. */
export function formValues(/** @type {HTMLFormElement} */ form) {
  /** @type {Record<string, any>} */
  const values = {};
  for (const input of form.elements) {
    if (!input.name || input.disabled) continue;
    if (input.type === "checkbox") values[input.name] = input.checked;
    else values[input.name] = input.value.trim();
  }
  return values;
}

/** The "Log out" button: revoke the token on the server, forget it here. */
/**
 * @param {HTMLElement} root
 * @param {(path: string, options?: {method?: string}) => Promise<any>} call
 */
export function bindLogout(root, call) {
  const button = root.querySelector("[data-logout]");
  if (!button) return;
  button.addEventListener("click", async () => {
    try { await call("/auth/logout", { method: "POST" }); } catch (err) { /* already invalid */ }
    store.remove("staff");
    location.assign("/login");
  });
}

/** Refuse the page to a staff member who is not a facilitator, saying why. */
/**
 * @param {{role: string}} staff
 * @param {HTMLElement | null} errorNode
 */
export function refuseNonFacilitator(staff, errorNode) {
  if (staff.role === "facilitator") return false;
  say(errorNode, t("forbidden_page"), { error: true });
  // Nothing below would work for them: hide it, and show the way to their own console.
  const root = errorNode.closest("[data-login-url]");
  for (const part of root ? root.children : []) {
    if (part !== errorNode && !part.classList.contains("manage-head")) part.hidden = true;
  }
  staffHome(staff.role).then((href) => {
    errorNode.append(" ", el("a", { href, text: t("go_console"), "data-own-home": "" }));
  });
  return true;
}
