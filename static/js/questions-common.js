// @ts-check
// What the three Q&A views share: the questions this page knows (a Store kept in step with
// snapshots, broadcasts and acks) and how a question reads (votes, author, badges, reply).
// Every text typed by a person goes through el()/textContent: nothing is parsed as HTML.
import { el } from "./api.js";
import { t, tn } from "./i18n.js";
import { Store } from "./store.js";

/**
 * A question as the page holds it: the contract's fields, plus per-person ones (voted, mine)
 * and staff-only ones (similar, held_reason, author_banned).
 * @typedef {object} Question
 * @property {number} id
 * @property {string} text
 * @property {string} state  pending, approved, rejected, answered or archived
 * @property {boolean} [pinned]
 * @property {number} upvotes
 * @property {number} [votes_version]
 * @property {boolean} [voted]
 * @property {boolean} [mine]
 * @property {boolean} [anonymous]
 * @property {string | null} [author]
 * @property {number | null} [agenda_item_id]
 * @property {number | null} [speaker_id]
 * @property {string | null} [speaker_name]
 * @property {string | null} [reply]
 * @property {boolean} [answered_live]
 * @property {boolean} [edited]
 * @property {string | null} [held_reason]
 * @property {number[]} [similar]
 * @property {number | null} [merged_into_id]
 * @property {number | null} [carried_to_session_id]
 * @property {{session_title?: string, votes: number} | null} [carried_from]
 * @property {boolean} [author_banned]
 *
 * @typedef {{id: number, title: string, speakers?: Array<{id: number, name: string, organisation?: string}>}} AgendaItem
 */

export const OPEN_STATES = new Set(["pending", "approved", "answered"]);

/** @extends {Store<Question>} */
export class Questions extends Store {
  constructor() {
    // Broadcasts are shared by everyone, so they lack per-person fields (voted, mine) and
    // staff-only ones (similar, held_reason): keep what we already knew of those. Counts travel
    // apart from state changes: an older count than the one shown never replaces it.
    super({ patch: true, versions: { votes_version: ["upvotes"] } });
    /** @type {AgendaItem[]} */
    this.agenda = [];
    /** @type {Record<string, any>} */
    this.settings = {};
  }

  /** @param {Record<string, any>} snapshot */
  load(snapshot) {
    this.agenda = snapshot.agenda || [];
    this.settings = snapshot.question_settings || {};
    this.reset(snapshot.questions);
  }

  /** @param {number} id */
  remove(id) {
    const known = this.items.get(id);
    // The author keeps seeing their own question, with its new state.
    if (known && !known.mine) this.items.delete(id);
    this.changed();
    return Boolean(known && !known.mine);
  }

  /**
   * Several server processes may deliver counts out of order: the higher version wins.
   * @param {Record<string, number>} counts
   * @param {Record<string, number>} [versions]
   */
  votes(counts, versions = {}) {
    this.batch(() => {
      for (const [id, upvotes] of Object.entries(counts)) {
        const version = versions[id];
        this.update(Number(id), version === undefined ? { upvotes } : { upvotes, votes_version: version });
      }
      this.changed(); // even with no question known: the page redraws as it always did
    });
  }

  /** @param {number | null | undefined} id */
  agendaItem(id) { return this.agenda.find((item) => item.id === id) || null; }

  /** @param {number | null | undefined} id */
  agendaPosition(id) {
    const index = this.agenda.findIndex((item) => item.id === id);
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  }

  speakers() {
    const seen = new Map();
    for (const item of this.agenda) {
      for (const speaker of item.speakers || []) seen.set(speaker.id, speaker);
    }
    return [...seen.values()];
  }

  /**
   * @param {Question[]} list
   * @param {string} order  popular, recent or agenda
   */
  sorted(list, order) {
    /** @type {(a: Question, b: Question) => number} */
    const byPopular = (a, b) => b.upvotes - a.upvotes || a.id - b.id;
    /** @type {Record<string, (a: Question, b: Question) => number>} */
    const orders = {
      popular: byPopular,
      recent: (a, b) => b.id - a.id,
      agenda: (a, b) =>
        this.agendaPosition(a.agenda_item_id) - this.agendaPosition(b.agenda_item_id) || byPopular(a, b),
    };
    return [...list].sort(orders[order] || byPopular);
  }
}

/**
 * Keep `store` in step with the live connection.
 * @param {import("./live.js").LiveClient} client
 * @param {Questions} store
 */
export function bindStore(client, store) {
  client.on("snapshot", (snap) => store.load(snap));
  client.on("question.updated", (data) => store.upsert(data.question));
  client.on("question.removed", (data) => store.remove(data.question_id));
  client.on("question.votes", (data) => store.votes(data.votes || {}, data.versions || {}));
  client.on("question.settings", (data) => {
    store.settings = { ...store.settings, ...data.settings };
    store.changed();
  });
  client.on("resent", (data) => { if (data && data.question) store.upsert(data.question); });
}

/** @param {number} n */
export function voteLabel(n) { return tn("q_votes", n); }

/**
 * @param {Questions} store
 * @param {Question} q
 */
export function metaLine(store, q) {
  const parts = [q.anonymous || !q.author ? t("q_anonymous") : q.author];
  const item = store.agendaItem(q.agenda_item_id);
  if (item) parts.push(item.title);
  if (q.speaker_name) parts.push(t("q_for_speaker", { name: q.speaker_name }));
  return parts.join(" · ");
}

/** @param {Question} q */
function stateBadge(q) {
  if (q.merged_into_id) return t("q_merged");
  if (q.carried_to_session_id) return t("q_moved");
  if (q.state === "pending" && q.held_reason) return t("q_held");
  if (q.state === "answered" && q.answered_live && !q.reply) return t("q_answered_live");
  return t(`q_${q.state}`);
}

/**
 * The badges of a question: pinned, its state, edited, carried from an earlier session.
 * @param {Question} q
 */
export function details(q) {
  const nodes = [];
  if (q.pinned) nodes.push(el("span", { class: "qa-badge is-pinned", text: t("q_pinned") }));
  if (q.state !== "approved") nodes.push(el("span", { class: `qa-badge state-${q.state}`, text: stateBadge(q) }));
  if (q.edited) nodes.push(el("span", { class: "qa-badge", text: t("q_edited") }));
  if (q.carried_from) {
    nodes.push(el("span", {
      class: "qa-badge",
      text: t("q_carried", { title: q.carried_from.session_title || "", n: q.carried_from.votes }),
    }));
  }
  return nodes;
}

/** @param {Question} q */
export function replyBlock(q) {
  if (q.state !== "answered" || !q.reply) return null;
  return el("p", { class: "qa-reply" }, el("strong", { text: `${t("q_reply")} : ` }), q.reply);
}
