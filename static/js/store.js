// @ts-check
// The state a live panel shows, in one shape for every panel: a map of items by id (questions,
// polls) or a single value (the floor), each telling its subscribers when it changes. Items are
// merged by rules each panel declares, not by hand in each panel.

/**
 * @typedef {{id: number | string}} Item
 *
 * @typedef {object} MergeRules
 * @property {boolean} [patch]  incoming items may be partial: fields they lack keep their known
 *   value (questions: broadcasts lack the per-person `voted`, `mine`). Default: replace.
 * @property {string[]} [keep]  with replace, the fields an incoming item lacks that the known
 *   one keeps (polls: broadcasts never carry a participant's own `my_answer`).
 * @property {Record<string, string[]>} [versions]  a version field and the fields it guards:
 *   an incoming item with an older version leaves them as they are (several server processes
 *   may deliver counts out of order).
 */

/** What subscribing gives: call `fn` after each change; the returned function unsubscribes. */
class Subscribable {
  constructor() {
    /** @type {Array<() => void>} */
    this.listeners = [];
    this.holding = 0;
    this.pending = false;
  }

  /** @param {() => void} fn */
  subscribe(fn) {
    this.listeners.push(fn);
    return () => { this.listeners = this.listeners.filter((other) => other !== fn); };
  }

  /** Tell the subscribers (once at the end of a batch()). */
  changed() {
    if (this.holding) { this.pending = true; return; }
    for (const fn of [...this.listeners]) fn();
  }

  /** Run `fn`, telling the subscribers once afterwards however many changes it made. */
  batch(/** @type {() => void} */ fn) {
    this.holding += 1;
    try { fn(); } finally { this.holding -= 1; }
    if (!this.holding && this.pending) { this.pending = false; this.changed(); }
  }
}

/**
 * A map of items by id.
 * @template {Item} T
 */
export class Store extends Subscribable {
  /** @param {MergeRules} [rules] */
  constructor(rules = {}) {
    super();
    this.rules = rules;
    /** @type {Map<T["id"], T>} */
    this.items = new Map();
  }

  /** Replace every item (a snapshot), in the order given. */
  reset(/** @type {T[] | null | undefined} */ list) {
    this.items = new Map((list || []).map((item) => [item.id, item]));
    this.changed();
  }

  /** @param {T["id"]} id */
  get(id) { return this.items.get(id) || null; }

  /** @param {T["id"]} id */
  has(id) { return this.items.has(id); }

  get size() { return this.items.size; }

  /** @returns {T[]} */
  values() { return [...this.items.values()]; }

  /**
   * Merge `item` into what is known of it, by the store's rules; return the merged item.
   * (With `patch`, an item may be partial: an ack's new count, a ban mark.)
   * @param {T | (Partial<T> & Pick<T, "id">)} item
   * @returns {T}
   */
  upsert(item) {
    const merged = this.merged(this.items.get(item.id), /** @type {T} */ (item));
    this.items.set(item.id, merged);
    this.changed();
    return merged;
  }

  /**
   * Change some fields of a known item (an unknown id is left alone); true when it changed.
   * @param {T["id"]} id
   * @param {Partial<T>} fields
   */
  update(id, fields) {
    const known = this.items.get(id);
    if (!known) return false;
    this.items.set(id, this.merged(known, /** @type {T} */ ({ ...known, ...fields, id })));
    this.changed();
    return true;
  }

  /** @param {T["id"]} id */
  remove(id) {
    const known = this.items.delete(id);
    this.changed();
    return known;
  }

  /**
   * @param {T | undefined} known
   * @param {T} incoming
   * @returns {T}
   */
  merged(known, incoming) {
    if (!known) return incoming;
    const { patch = false, keep = [], versions = {} } = this.rules;
    /** @type {Record<string, any>} */
    const out = patch ? { ...known, ...incoming } : { ...incoming };
    const old = /** @type {Record<string, any>} */ (known);
    for (const field of keep) {
      if (out[field] === undefined && old[field] !== undefined) out[field] = old[field];
    }
    for (const [version, guarded] of Object.entries(versions)) {
      const mine = old[version];
      const theirs = /** @type {Record<string, any>} */ (incoming)[version];
      if (mine === undefined || theirs === undefined || !(mine > theirs)) continue;
      // An older figure than the one shown: keep ours.
      for (const field of [version, ...guarded]) out[field] = old[field];
    }
    return /** @type {T} */ (out);
  }
}

/**
 * One value that changes as a whole (the floor of a session).
 * @template T
 */
export class Value extends Subscribable {
  /** @param {T} initial */
  constructor(initial) {
    super();
    this.value = initial;
  }

  /** @param {T} value */
  set(value) {
    this.value = value;
    this.changed();
  }
}
