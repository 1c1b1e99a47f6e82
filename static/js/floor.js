// @ts-check
// The floor on every page: the moderator's console, the attendee's raised hand, the projector.
// The timer lives on the server; this page only shows it. Each floor state carries began_at,
// the pauses and server_time: the offset between server_time and our clock at receipt lets a
// page with a wrong clock, a late join or a reconnect show the right remaining time.
import { announce, t } from "./i18n.js";
import { FloorAttendee } from "./floor-attendee.js";
import { byData, kindLabel, timerView } from "./floor-common.js";
import { FloorConsole } from "./floor-console.js";
import { startPanel } from "./panel.js";
import { Value } from "./store.js";

/**
 * A floor state, as `floor.updated` and the snapshot carry it.
 * @typedef {object} Floor
 * @property {import("./floor-common.js").FloorCurrent | null} current
 * @property {QueueEntry[]} queue
 * @property {Array<{speaker_id: number, name: string, organisation?: string, allotted_s: number}>} planned
 * @property {boolean} list_open
 * @property {boolean} [fairness]
 * @property {Record<string, any> | null} [clock]  the agenda's clock (console only)
 * @property {string} [server_time]
 *
 * @typedef {{request_id: number, participant_id: number | null, name: string, kind: string,
 *   position: number, has_spoken?: boolean}} QueueEntry
 *
 * A role's part of the panel: drawn after the shared part, on each change.
 * @typedef {{bind(): void, render(): void, tick?(): void, onNextUp?(data: {request_id: number}): void}} FloorView
 */

const TICK_MS = 250;

export class FloorPanel {
  /**
   * @param {import("./live.js").LiveClient} client
   * @param {import("./live.js").PanelContext} ctx
   * @param {HTMLElement} section
   */
  constructor(client, ctx, section) {
    this.client = client;
    this.ctx = ctx;
    this.role = ctx.role;
    this.section = section;
    /** @type {Value<Floor | null>} */
    this.state = new Value(/** @type {Floor | null} */ (null));
    this.offset = 0; // server clock minus ours, in ms
    /** @type {{kind: string, id: number} | null} */
    this.me = null;
    /** @type {number | null | undefined} */
    this.lastSpeaker = undefined;
    /** @type {FloorView | null} */
    this.view = this.role === "moderator" ? new FloorConsole(this)
      : this.role === "attendee" ? new FloorAttendee(this) : null;
  }

  /** The floor as last received (never null once a snapshot arrived: views draw after it). */
  get floor() {
    return /** @type {Floor} */ (this.state.value);
  }

  start() {
    this.client.on("snapshot", (snap) => {
      this.me = snap.you;
      this.apply(snap.floor, { fresh: true, quiet: true });
    });
    // A replayed state is old: its server_time says nothing of the clock offset now.
    this.client.on("floor.updated", (data, meta = {}) =>
      this.apply(data.floor, { fresh: !meta.replayed, quiet: meta.replayed }));
    this.client.on("floor.next_up", (data) => this.view?.onNextUp?.(data));
    this.view?.bind();
    this.state.subscribe(() => { this.render(); this.tick(); });
    setInterval(() => this.tick(), TICK_MS);
  }

  serverNow() {
    return Date.now() + this.offset;
  }

  /**
   * @param {Floor | null | undefined} floor
   * @param {{fresh: boolean, quiet: boolean}} how
   */
  apply(floor, { fresh, quiet }) {
    if (!floor) return;
    if (fresh && floor.server_time) this.offset = Date.parse(floor.server_time) - Date.now();
    const speakerId = floor.current ? floor.current.request_id : null;
    if (!quiet && this.lastSpeaker !== undefined && speakerId !== this.lastSpeaker) {
      announce(floor.current ? t("fl_has_floor", { name: floor.current.name }) : t("fl_nobody"));
    }
    this.lastSpeaker = speakerId;
    this.state.set(floor);
  }

  /** What every role shows: who speaks, their kind of request, who is next. */
  render() {
    const panel = this.section;
    const { current } = this.floor;
    byData(panel, "name").textContent = current ? current.name : t("fl_nobody");
    byData(panel, "org").textContent = current && current.organisation ? current.organisation : "";
    const kind = byData(panel, "kind");
    if (kind) kind.textContent = current ? kindLabel(current.kind) : "";
    panel.classList.toggle("has-speaker", Boolean(current));
    const upnext = byData(panel, "upnext");
    if (upnext) {
      const next = this.floor.queue[0] || this.floor.planned[0];
      upnext.textContent = next ? t("fl_next", { name: next.name }) : t("fl_next_nobody");
    }
    this.view?.render();
  }

  tick() {
    if (!this.state.value) return;
    const panel = this.section;
    const timer = byData(panel, "timer");
    const state = byData(panel, "timer-state");
    const { current } = this.floor;
    if (!current) {
      timer.textContent = this.role === "attendee" ? "" : "--:--";
      timer.dataset.state = "idle";
      state.textContent = "";
    } else {
      const view = timerView(current, this.serverNow());
      timer.textContent = view.text;
      timer.dataset.state = current.paused ? "paused" : view.state;
      timer.dataset.remaining = String(Math.round(view.remaining));
      state.textContent = current.paused
        ? t("fl_paused")
        : view.state === "overrun" ? t("fl_overrun") : view.state === "warning" ? t("fl_warning") : "";
    }
    this.view?.tick?.();
  }
}

/** @type {import("./panel.js").PanelStarter} */
const start = (client, ctx, section) => new FloorPanel(client, ctx, section).start();
startPanel("[data-floor]", { attendee: start, moderator: start, projector: start });
