// @ts-check
// The one way a page shows an error and tells errors apart: by the contract's `code` (and a
// `details.reason` where one code covers several cases), never by the words of the message,
// which are translated.
import { t } from "./i18n.js";

/**
 * The contract's error object, as api() and LiveClient.send() reject with.
 * @typedef {object} ApiError
 * @property {string} code  one of the contract's codes (invalid, forbidden, closed…)
 * @property {string} [message]  readable, in the page's language
 * @property {any} [details]  field problems (a list) or facts about the refusal (an object)
 * @property {number} [status]  the HTTP status, for errors of the HTTP API
 */

/** The readable text of `error` (an error object or a text); "" for none. */
export function errorMessage(/** @type {ApiError | string | null | undefined} */ error) {
  if (!error) return "";
  if (typeof error === "string") return error;
  // A refused form: its fields' problems in words, not the API's summary ("title: …; …").
  const details = Array.isArray(error.details) ? error.details : [];
  if (error.code === "invalid" && details.length && details.every((d) => d && d.problem)) {
    return [...new Set(details.map((d) => String(d.problem)))].join(" ");
  }
  return error.message || t("error");
}

/**
 * Show `error` in `box` (an element with role="alert" in the page); null or "" hides it.
 * @param {HTMLElement | null} box
 * @param {ApiError | string | null | undefined} error
 */
export function showError(box, error) {
  if (!box) return;
  const message = errorMessage(error);
  box.hidden = !message;
  box.textContent = message;
}

/**
 * Whether `error` is the contract's `code`, and, when `reason` is given, says that reason in
 * its details.
 * @param {unknown} error
 * @param {string} code
 * @param {string} [reason]
 */
export function isError(error, code, reason) {
  if (!error || typeof error !== "object") return false;
  const { code: got, details } = /** @type {ApiError} */ (error);
  if (got !== code) return false;
  if (reason === undefined) return true;
  return Boolean(details && typeof details === "object" && !Array.isArray(details) && details.reason === reason);
}
