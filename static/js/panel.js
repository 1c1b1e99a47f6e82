// @ts-check
// What every live panel does the same way: start with the page's role, fill a list with an
// empty state, and keep the keyboard focus where it was when the list is drawn again.
import { onLive } from "./live.js";

/**
 * @typedef {import("./live.js").LiveClient} LiveClient
 * @typedef {import("./live.js").PanelContext} PanelContext
 * @typedef {(client: LiveClient, ctx: PanelContext, section: HTMLElement) => void} PanelStarter
 */

/**
 * Start the panel `selector` finds (in the page's root, else anywhere in the document) with
 * the starter for the page's role; a page without the panel, or a role without a starter,
 * starts nothing.
 * @param {string} selector
 * @param {Partial<Record<PanelContext["role"], PanelStarter>>} starters
 */
export function startPanel(selector, starters) {
  onLive((client, ctx) => {
    const section = /** @type {HTMLElement | null} */ (
      ctx.root.querySelector(selector) || document.querySelector(selector));
    const start = starters[ctx.role];
    if (section && start) start(client, ctx, section);
  });
}

/**
 * Draw one row per item in `list`; show `empty` (when given) only when there is none.
 * @template T
 * @param {Element} list
 * @param {T[]} items
 * @param {(item: T, index: number) => Node} row
 * @param {{empty?: HTMLElement | null}} [options]
 */
export function fillList(list, items, row, { empty = null } = {}) {
  list.replaceChildren(...items.map(row));
  if (empty) empty.hidden = items.length > 0;
}

/**
 * Re-draw `list` with `render()`, keeping the keyboard focus on the same control of the same
 * row: rows carry `data-${key}` (their id), controls `data-focus-key`. True when the focused row
 * is gone (the caller chooses where the focus goes then).
 * @param {Element} list
 * @param {() => void} render
 * @param {string} key  the camelCase dataset name of the rows' id, e.g. "questionId"
 */
export function keepingFocus(list, render, key) {
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const inList = Boolean(active && list.contains(active));
  const attribute = `data-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const row = inList && active ? /** @type {HTMLElement | null} */ (active.closest(`[${attribute}]`)) : null;
  const control = inList && active ? active.dataset.focusKey || "item" : null;
  render();
  if (!row) return false;
  const again = /** @type {HTMLElement | null} */ (list.querySelector(`[${attribute}="${row.dataset[key]}"]`));
  if (!again) return true;
  const target = control === "item" ? again
    : /** @type {HTMLElement | null} */ (again.querySelector(`[data-focus-key="${control}"]`)) || again;
  target.focus();
  return false;
}
