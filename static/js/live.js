// @ts-check
// The live connection of a page: joins a session, keeps its seq, replays what it missed,
// and resends unacknowledged contributions with the same client_id after a reconnect.
import { newClientId, store } from "./api.js";
import { t } from "./i18n.js";

// Broadcasts that only refresh figures: always applied, never replayed (see the contract).
const FIGURE_EVENTS = new Set(["poll.results", "presence.updated", "question.votes"]);
// Private notices carry the seq of their moment without raising it, and are never replayed.
const NOTICE_EVENTS = new Set(["floor.next_up", "question.banned", "session.removed"]);
const ACK_TIMEOUT_MS = 10000;
// A contribution the server answered `unavailable` (a database hiccup) while the connection
// stayed up is sent again after these pauses, with the same client_id; then the page gives up
// and shows the server's message, the text still in its form.
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 10000, 10000];

/**
 * What a page hands its panels (startPanels): the role decides which view each panel shows.
 * @typedef {object} PanelContext
 * @property {"attendee" | "moderator" | "projector"} role
 * @property {number} sessionId
 * @property {HTMLElement} root  the page's main element
 * @property {(name: string, payload: Record<string, any>) => Promise<any>} [run]  the console's
 *   sender: shows a refusal in its error box and the toast, resolves with null then
 * @property {(error: import("./errors.js").ApiError | null) => void} [showError]  the console's error box
 * @property {() => ({mode: string, poll_id?: number | null} | null)} [display]  what the projector shows
 *
 * @typedef {(data: any, meta: {replayed?: boolean, seq?: number}) => void} Handler
 */

export class LiveClient {
  /** @param {{token: string, sessionId: number}} options */
  constructor({ token, sessionId }) {
    this.token = token;
    this.sessionId = sessionId;
    /** @type {number | null} */
    this.seq = null;
    /** @type {Record<string, any> | null} */
    this.snapshot = null;
    this.status = "connecting";
    /** @type {Map<string, Handler[]>} */
    this.handlers = new Map();
    /** @type {any} the Socket.IO socket */
    this.socket = null;
    this.outboxKey = `outbox:${sessionId}:${token.slice(-16)}`;
    // Contributions waiting for their ack survive a reload of the page.
    /** @typedef {{name: string, payload: Record<string, any>, inFlight?: boolean,
     *   failures?: number, retry?: ReturnType<typeof setTimeout>}} OutboxEntry */
    /** @type {Map<string, OutboxEntry>} */
    this.outbox = new Map(Object.entries(store.get(this.outboxKey) || {}));
    /** @type {Map<string, {resolve: (data: any) => void, reject: (error: any) => void}>} */
    this.waiters = new Map();
  }

  /**
   * Call `handler(data, {replayed})` for each server event `name` (also on replay), and for the
   * page's own events: snapshot, status, refused, resent.
   * @param {string} name
   * @param {Handler} handler
   */
  on(name, handler) {
    if (!this.handlers.has(name)) this.handlers.set(name, []);
    this.handlers.get(name).push(handler);
    return this;
  }

  /**
   * @param {string} name
   * @param {any} data
   * @param {{replayed?: boolean, seq?: number}} [meta]
   */
  _fire(name, data, meta = {}) {
    for (const handler of this.handlers.get(name) || []) {
      try { handler(data, meta); } catch (err) { console.error(`handler for ${name} failed`, err); }
    }
  }

  connect() {
    // WebSocket first; long-polling stays as a fallback for networks that block WebSocket.
    // The page's language goes with the connection: the server answers errors in it.
    // The Socket.IO client: the page loads it as a classic script (from node_modules, no CDN).
    const io = /** @type {any} */ (globalThis).io;
    this.socket = io({ auth: { token: this.token }, transports: ["websocket", "polling"],
                       query: { lang: document.documentElement.lang || "fr" },
                       reconnectionDelayMax: 5000 });
    this.socket.on("connect", () => this._join());
    this.socket.on("disconnect", (reason) => {
      this._setStatus(reason === "io client disconnect" ? "offline" : "reconnecting");
      // The server closed it (a revoked token, on any process): connect again, and a refusal
      // says why; Socket.IO would not retry by itself after a server-side disconnect.
      if (reason === "io server disconnect") this.socket.connect();
    });
    this.socket.on("connect_error", (err) => {
      // Refused for good (a removed registration, a replaced link), not a server in trouble.
      const code = err && err.data && err.data.code;
      const refused = code && code !== "unavailable";
      if (refused) {
        this._setStatus("refused");
        this._fire("refused", err.data);
        this.socket.disconnect();
      } else {
        this._setStatus("reconnecting");
      }
    });
    this.socket.onAny((name, data) => this._receive(name, data));
    return this;
  }

  /**
   * @param {string} name
   * @param {any} data
   * @param {{replayed?: boolean}} [meta]
   */
  _receive(name, data, meta = {}) {
    const ordered = !FIGURE_EVENTS.has(name) && !NOTICE_EVENTS.has(name);
    if (data && typeof data.seq === "number" && ordered) {
      if (this.seq !== null && data.seq <= this.seq) return; // already applied
      this.seq = data.seq;
    }
    this._fire(name, data, meta);
  }

  async _join() {
    const payload = { session_id: this.sessionId };
    if (this.seq !== null) payload.since_seq = this.seq;
    const answer = await this._ask("session.join", payload);
    if (!answer) {
      this._setStatus("reconnecting");
      setTimeout(() => this.socket.connected && this._join(), 2000);
      return;
    }
    if (!answer.ok) {
      this._setStatus("refused");
      this._fire("refused", answer.error);
      return;
    }
    const { data } = answer;
    if (data.snapshot) {
      this.snapshot = data.snapshot;
      this.seq = data.seq;
      this._fire("snapshot", data.snapshot, { seq: data.seq });
    } else {
      for (const entry of data.events) this._receive(entry.event, entry.data, { replayed: true });
      this.seq = Math.max(this.seq ?? 0, data.seq);
    }
    this._setStatus("connected");
    this._flushOutbox();
  }

  /** @param {string} status */
  _setStatus(status) {
    this.status = status;
    this._fire("status", status);
  }

  /**
   * Send a client event and resolve with its data; reject with the contract's error object.
   * @param {string} name
   * @param {Record<string, any>} payload
   * @returns {Promise<any>}
   */
  async send(name, payload) {
    const answer = this.socket && this.socket.connected ? await this._ask(name, payload) : null;
    if (!answer) throw { code: "unavailable", message: t("reconnecting") };
    if (!answer.ok) throw answer.error;
    return answer.data;
  }

  /**
   * Emit and wait for the server's answer; null when none came within ACK_TIMEOUT_MS or the
   * connection dropped meanwhile.
   * @param {string} name
   * @param {Record<string, any>} payload
   */
  async _ask(name, payload) {
    try {
      return await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(name, payload);
    } catch (noAnswer) {
      return null;
    }
  }

  /**
   * Send a contribution with a client_id; keep it until acknowledged, resending it after a
   * reconnect, and resolve once the server has committed it.
   * @param {string} name
   * @param {Record<string, any>} payload
   * @returns {Promise<any>}
   */
  contribute(name, payload) {
    const clientId = newClientId();
    const entry = { name, payload: { ...payload, client_id: clientId } };
    this.outbox.set(clientId, entry);
    this._saveOutbox();
    const done = new Promise((resolve, reject) => this.waiters.set(clientId, { resolve, reject }));
    if (this._joined()) this._deliver(clientId);
    return done;
  }

  /** Connected and joined: what is sent now is answered in this session. */
  _joined() {
    return Boolean(this.socket && this.socket.connected && this.status === "connected");
  }

  /** @param {string} clientId */
  async _deliver(clientId) {
    const entry = this.outbox.get(clientId);
    if (!entry || entry.inFlight) return;
    clearTimeout(entry.retry);
    entry.inFlight = true;
    const answer = await this._ask(entry.name, entry.payload);
    entry.inFlight = false;
    if (answer && answer.ok) {
      this._settle(clientId, "resolve", answer.data);
    } else if (answer && answer.error.code !== "unavailable") {
      this._settle(clientId, "reject", answer.error);
    } else if (answer && (entry.failures = (entry.failures || 0) + 1) > RETRY_DELAYS_MS.length) {
      this._settle(clientId, "reject", answer.error);
    } else if (this.socket.connected) {
      // Not acknowledged while still connected: a reconnect would resend it, but none is
      // coming; send it again with the same client_id (never stored twice).
      // An ack that timed out (no answer) is tried again after the first pause, as often as needed.
      const pause = answer ? RETRY_DELAYS_MS[entry.failures - 1] : RETRY_DELAYS_MS[0];
      entry.retry = setTimeout(() => this._joined() && this._deliver(clientId),
                               pause * (0.8 + 0.4 * Math.random()));
    }
    // Otherwise disconnected (now or when the pause ends): kept, and resent by _flushOutbox
    // once joined again, not buffered by Socket.IO ahead of the join.
  }

  /**
   * @param {string} clientId
   * @param {"resolve" | "reject"} how
   * @param {any} value
   */
  _settle(clientId, how, value) {
    this.outbox.delete(clientId);
    this._saveOutbox();
    const waiter = this.waiters.get(clientId);
    this.waiters.delete(clientId);
    if (waiter) waiter[how](value);
    else if (how === "resolve") this._fire("resent", value);
  }

  _flushOutbox() {
    for (const [clientId, entry] of this.outbox) {
      entry.inFlight = false;
      entry.failures = 0;
      this._deliver(clientId);
    }
  }

  _saveOutbox() {
    /** @type {Record<string, {name: string, payload: Record<string, any>}>} */
    const plain = {};
    for (const [id, entry] of this.outbox) plain[id] = { name: entry.name, payload: entry.payload };
    store.set(this.outboxKey, plain);
  }
}

// Panels register here; the page's main module starts them once the client exists.
/** @typedef {(client: LiveClient, context: PanelContext) => void} Starter */
/** @type {Starter[]} */
const panelStarters = [];
/** @type {{client: LiveClient, context: PanelContext} | null} */
let started = null;

/** Register `start(client, context)` to run when the page's live client is ready. */
export function onLive(/** @type {Starter} */ start) {
  if (started) start(started.client, started.context);
  else panelStarters.push(start);
}

/**
 * Called once by the page module: hand the client to every panel.
 * @param {LiveClient} client
 * @param {PanelContext} context
 */
export function startPanels(client, context) {
  started = { client, context };
  for (const start of panelStarters.splice(0)) start(client, context);
}

/** Show the connection state in every [data-conn-status] element. */
export function bindStatus(/** @type {LiveClient} */ client) {
  const nodes = /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-conn-status]"));
  client.on("status", (status) => {
    for (const node of nodes) {
      node.textContent = t(status);
      node.dataset.state = status;
    }
  });
}
