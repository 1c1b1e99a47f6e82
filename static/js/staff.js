// @ts-check
// Staff pages (console, projector): the stored login, or a trip to the login page.
import { store } from "./api.js";

/**
 * The stored staff login ({token, role, name}), or null on the way to the login page.
 * @param {HTMLElement} root  carries data-login-url
 * @returns {{token: string, role: string, name?: string} | null}
 */
export function staffToken(root) {
  const staff = store.get("staff");
  if (!staff || !staff.token) {
    location.assign(/** @type {string} */ (root.dataset.loginUrl));
    return null;
  }
  return staff;
}

/**
 * Remember the role the server now gives this login (a facilitator may change it after the login).
 * @param {{token: string, role: string, name?: string}} staff  the stored login
 * @param {string} role
 */
export function rememberRole(staff, role) {
  store.set("staff", { ...staff, role });
}

/** Forget the login (refused or expired) and go to log in again. */
export function forgetStaff(/** @type {HTMLElement} */ root) {
  store.remove("staff");
  location.assign(/** @type {string} */ (root.dataset.loginUrl));
}
