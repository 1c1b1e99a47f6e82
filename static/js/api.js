// @ts-check
// Small helpers for the JSON HTTP API and for DOM building without innerHTML.
import { t } from "./i18n.js";

/**
 * Call the API; resolve with the JSON body, reject with the contract's error object and the
 * HTTP status ({code, message, details?, status}).
 * @param {string} path  under /api/v1
 * @param {{method?: string, body?: any, token?: string | null}} [options]
 * @returns {Promise<any>}
 */
export async function api(path, { method = "GET", body, token } = {}) {
  // Errors come back in the page's language (the server reads Accept-Language).
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang || "fr" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw { code: "unavailable", status: 0, message: t("unreachable") };
  }
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  if (!response.ok) {
    const error = (data && data.error) || { code: "unavailable", message: response.statusText };
    throw { ...error, status: response.status };
  }
  return data;
}

/**
 * Create an element; text goes through textContent so nothing typed is ever run as HTML.
 * `attrs`: class, text, dataset, on<event> listeners, other attributes (false/null: absent).
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...any} children  nodes, texts, arrays of them; null and false are skipped
 * @returns {any} the element (typed loosely: callers use the fields of their tag)
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A random id for a contribution, kept across resends so the server counts it once. */
export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The browser's saved values (tokens, outbox), under "companion:"; private mode saves nothing. */
export const store = {
  /** @param {string} key */
  get(key) {
    try { return JSON.parse(localStorage.getItem(`companion:${key}`)); } catch (err) { return null; }
  },
  /**
   * @param {string} key
   * @param {any} value
   */
  set(key, value) {
    try { localStorage.setItem(`companion:${key}`, JSON.stringify(value)); } catch (err) { /* private mode */ }
  },
  /** @param {string} key */
  remove(key) {
    try { localStorage.removeItem(`companion:${key}`); } catch (err) { /* private mode */ }
  },
};
