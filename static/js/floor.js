// The floor on every page: the moderator's console, the attendee's raised hand, the projector.
// The timer lives on the server; this page only shows it. Each floor state carries began_at,
// the pauses and server_time: the offset between server_time and our clock at receipt lets a
// page with a wrong clock, a late join or a reconnect show the right remaining time.
import { el } from "./api.js";
import { announce, t } from "./i18n.js";
import { onLive } from "./live.js";

const panel = document.querySelector("[data-floor]");
const TICK_MS = 250;

/** "mm:ss" (or "h:mm:ss") of a number of seconds, rounded down. */
export function clockText(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${String(m).padStart(2, "0")}:${s}`;
}

/** Seconds spoken by `current` at server instant `nowMs`, pauses excluded. */
export function elapsedAt(current, nowMs) {
  let pausedMs = current.paused_total_s * 1000;
  if (current.paused && current.paused_at) pausedMs += nowMs - Date.parse(current.paused_at);
  return Math.max(0, (nowMs - Date.parse(current.began_at) - pausedMs) / 1000);
}

/** What the big timer shows: the time left, or "+mm:ss" once over time. */
export function timerView(current, nowMs) {
  const remaining = current.allotted_s - elapsedAt(current, nowMs);
  if (remaining < 0) return { text: `+${clockText(-remaining)}`, state: "overrun", remaining };
  // Round up while counting down: "00:01" until the last second is gone.
  const text = clockText(Math.ceil(remaining));
  const state = remaining <= current.warning_s ? "warning" : "running";
  return { text, state, remaining };
}

function kindLabel(kind) {
  return t(`fl_${kind}`);
}

function byData(root, name) {
  return root.querySelector(`[data-floor-${name}]`);
}

if (panel) onLive((client, ctx) => new FloorPanel(client, ctx).start());

class FloorPanel {
  constructor(client, ctx) {
    this.client = client;
    this.ctx = ctx;
    this.role = ctx.role;
    this.floor = null;
    this.offset = 0; // server clock minus ours, in ms
    this.me = null;
    this.lastSpeaker = undefined;
    this.audio = null;
  }

  start() {
    this.client.on("snapshot", (snap) => {
      this.me = snap.you;
      this.apply(snap.floor, { fresh: true, quiet: true });
    });
    // A replayed state is old: its server_time says nothing of the clock offset now.
    this.client.on("floor.updated", (data, meta = {}) =>
      this.apply(data.floor, { fresh: !meta.replayed, quiet: meta.replayed }));
    this.client.on("floor.next_up", (data) => this.onNextUp(data));
    if (this.role === "moderator") this.bindConsole();
    if (this.role === "attendee") this.bindAttendee();
    setInterval(() => this.tick(), TICK_MS);
  }

  serverNow() {
    return Date.now() + this.offset;
  }

  apply(floor, { fresh, quiet }) {
    if (!floor) return;
    if (fresh && floor.server_time) this.offset = Date.parse(floor.server_time) - Date.now();
    this.floor = floor;
    const speakerId = floor.current ? floor.current.request_id : null;
    if (!quiet && this.lastSpeaker !== undefined && speakerId !== this.lastSpeaker) {
      announce(floor.current ? t("fl_has_floor", { name: floor.current.name }) : t("fl_nobody"));
    }
    this.lastSpeaker = speakerId;
    this.render();
    this.tick();
  }

  // ------------------------------------------------------------------ every role

  render() {
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
    if (this.role === "moderator") this.renderConsole();
    if (this.role === "attendee") this.renderAttendee();
  }

  tick() {
    if (!this.floor) return;
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
      const allotted = byData(panel, "allotted");
      if (allotted) {
        allotted.textContent = t("fl_allotted", {
          time: clockText(current.allotted_s),
          elapsed: clockText(elapsedAt(current, this.serverNow())),
        });
      }
    }
    if (this.role === "moderator") this.tickClock();
  }

  // ------------------------------------------------------------------ moderator

  bindConsole() {
    const { sessionId } = this.ctx;
    const run = this.ctx.run || ((name, payload) => this.client.send(name, payload));
    this.run = run;
    for (const button of panel.querySelectorAll("[data-floor-action]")) {
      button.addEventListener("click", () => run(button.dataset.floorAction, { session_id: sessionId }));
    }
    byData(panel, "fairness").addEventListener("change", (event) =>
      run("floor.settings", { session_id: sessionId, fairness: event.target.checked }));
    const queue = byData(panel, "queue");
    queue.addEventListener("keydown", (event) => {
      const item = event.target.closest("[data-request-id]");
      if (!item || event.target !== item || !event.altKey) return;
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        this.move(Number(item.dataset.requestId), event.key === "ArrowUp" ? -1 : 1);
      }
    });
    queue.addEventListener("dragstart", (event) => {
      const item = event.target.closest("[data-request-id]");
      if (!item) return;
      this.dragging = Number(item.dataset.requestId);
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.requestId);
      item.classList.add("is-dragging");
    });
    queue.addEventListener("dragend", (event) => {
      const item = event.target.closest("[data-request-id]");
      if (item) item.classList.remove("is-dragging");
      this.dragging = null;
    });
    queue.addEventListener("dragover", (event) => {
      if (this.dragging) event.preventDefault();
    });
    queue.addEventListener("drop", (event) => {
      event.preventDefault();
      const target = event.target.closest("[data-request-id]");
      if (!this.dragging || !target) return;
      const ids = this.floor.queue.map((e) => e.request_id);
      const from = ids.indexOf(this.dragging);
      const to = ids.indexOf(Number(target.dataset.requestId));
      if (from < 0 || to < 0 || from === to) return;
      ids.splice(to, 0, ids.splice(from, 1)[0]);
      this.sort(ids, this.dragging);
    });
  }

  move(requestId, delta) {
    const ids = this.floor.queue.map((e) => e.request_id);
    const from = ids.indexOf(requestId);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= ids.length) return;
    ids.splice(to, 0, ids.splice(from, 1)[0]);
    this.sort(ids, requestId);
  }

  async sort(ids, movedId) {
    this.focusId = movedId;
    // Show the new order at once; the broadcast that follows confirms it.
    const byId = new Map(this.floor.queue.map((e) => [e.request_id, e]));
    this.floor = { ...this.floor, queue: ids.map((id, i) => ({ ...byId.get(id), position: i + 1 })) };
    this.render();
    const done = await this.run("floor.sort", { session_id: this.ctx.sessionId, request_ids: ids });
    const entry = byId.get(movedId);
    if (done && entry) announce(t("fl_moved", { name: entry.name, n: ids.indexOf(movedId) + 1 }));
  }

  renderConsole() {
    const { current, queue, planned, list_open: listOpen, fairness } = this.floor;
    const { sessionId } = this.ctx;
    const action = (name) => panel.querySelector(`[data-floor-action="${name}"]`);
    action("floor.pause").hidden = Boolean(current && current.paused);
    action("floor.resume").hidden = !(current && current.paused);
    action("floor.pause").disabled = !current;
    action("floor.end").disabled = !current;
    action("floor.next").disabled = !queue.length && !planned.length;
    action("floor.close_list").hidden = !listOpen;
    action("floor.open_list").hidden = listOpen;
    byData(panel, "fairness").checked = Boolean(fairness);
    byData(panel, "count").textContent = queue.length ? `(${queue.length})` : "";

    const list = byData(panel, "queue");
    const focused = document.activeElement && list.contains(document.activeElement)
      ? Number(document.activeElement.closest("[data-request-id]")?.dataset.requestId) : null;
    const focusId = this.focusId ?? focused;
    this.focusId = null;
    list.replaceChildren(...queue.map((entry, index) => {
      const label = `${entry.position}. ${entry.name}`;
      return el("li", {
        class: `floor-entry kind-${entry.kind}`, draggable: "true", tabindex: "0",
        dataset: { requestId: String(entry.request_id) },
        "aria-label": `${label}, ${kindLabel(entry.kind)}${entry.has_spoken ? `, ${t("fl_spoke")}` : ""}`,
      },
      el("span", { class: "floor-entry-name" }, label),
      el("span", { class: "floor-badge" }, kindLabel(entry.kind)),
      entry.has_spoken ? el("span", { class: "floor-badge floor-spoke" }, t("fl_spoke")) : null,
      el("span", { class: "floor-entry-actions" },
        el("button", {
          type: "button", class: "button small", text: t("fl_give"),
          "aria-label": t("fl_move_label", { action: t("fl_give"), name: entry.name }),
          onclick: () => this.run("floor.give", { session_id: sessionId, request_id: entry.request_id }),
        }),
        el("button", {
          type: "button", class: "button small icon", text: "↑", disabled: index === 0,
          "aria-label": t("fl_move_label", { action: t("fl_up"), name: entry.name }),
          onclick: () => this.move(entry.request_id, -1),
        }),
        el("button", {
          type: "button", class: "button small icon", text: "↓", disabled: index === queue.length - 1,
          "aria-label": t("fl_move_label", { action: t("fl_down"), name: entry.name }),
          onclick: () => this.move(entry.request_id, 1),
        }),
        el("button", {
          type: "button", class: "button small danger", text: t("fl_remove"),
          "aria-label": t("fl_move_label", { action: t("fl_remove"), name: entry.name }),
          onclick: () => {
            if (confirm(t("fl_confirm_remove", { name: entry.name }))) {
              this.run("floor.withdraw", { request_id: entry.request_id });
            }
          },
        })));
    }));
    byData(panel, "queue-empty").hidden = queue.length > 0;
    if (focusId) {
      const again = list.querySelector(`[data-request-id="${focusId}"]`);
      if (again) again.focus();
    }

    const plannedList = byData(panel, "planned");
    plannedList.replaceChildren(...planned.map((speaker) => el("li", { class: "floor-planned-entry" },
      el("span", { class: "floor-entry-name" }, speaker.name),
      speaker.organisation ? el("span", { class: "floor-org" }, speaker.organisation) : null,
      el("span", { class: "hint" }, clockText(speaker.allotted_s)),
      el("button", {
        type: "button", class: "button small", text: t("fl_give"),
        "aria-label": t("fl_move_label", { action: t("fl_give"), name: speaker.name }),
        onclick: () => this.run("floor.give", { session_id: sessionId, speaker_id: speaker.speaker_id }),
      }))));
    byData(panel, "planned-empty").hidden = planned.length > 0;
  }

  tickClock() {
    const { clock } = this.floor;
    const left = byData(panel, "slot-left");
    const itemLeft = byData(panel, "item-left");
    const behind = byData(panel, "behind");
    const now = this.serverNow();
    if (!clock || !clock.slot_ends_at) {
      left.textContent = t("fl_not_started");
      itemLeft.textContent = "—";
      behind.textContent = "—";
      return;
    }
    // The agenda item's own slot: its planned length from when it actually began.
    if (clock.item_started_at && clock.item_planned_s) {
      const itemS = (Date.parse(clock.item_started_at) + clock.item_planned_s * 1000 - now) / 1000;
      itemLeft.textContent = itemS >= 0 ? clockText(itemS) : t("fl_item_over", { time: clockText(-itemS) });
      itemLeft.dataset.state = itemS < 0 ? "overrun" : itemS < 120 ? "warning" : "running";
    } else {
      itemLeft.textContent = "—";
      itemLeft.dataset.state = "idle";
    }
    const leftS = (Date.parse(clock.slot_ends_at) - now) / 1000;
    left.textContent = leftS >= 0 ? clockText(leftS) : t("fl_slot_over", { time: clockText(-leftS) });
    left.dataset.state = leftS < 0 ? "overrun" : leftS < 600 ? "warning" : "running";
    if (!clock.item_started_at) {
      behind.textContent = "—";
      behind.dataset.state = "idle";
      return;
    }
    const plannedMs = clock.item_planned_s * 1000;
    const expectedEnd = Math.max(Date.parse(clock.item_started_at) + plannedMs, now);
    const deltaS = (expectedEnd - (Date.parse(clock.item_planned_start) + plannedMs)) / 1000;
    if (Math.abs(deltaS) < 60) {
      behind.textContent = t("fl_on_time");
      behind.dataset.state = "running";
    } else if (deltaS > 0) {
      behind.textContent = t("fl_behind", { time: clockText(deltaS) });
      behind.dataset.state = "overrun";
    } else {
      behind.textContent = t("fl_ahead", { time: clockText(-deltaS) });
      behind.dataset.state = "ahead";
    }
  }

  // ------------------------------------------------------------------ attendee

  bindAttendee() {
    const form = byData(panel, "form");
    const status = byData(panel, "status");
    const error = byData(panel, "error");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      this.unlockAudio();
      error.hidden = true;
      status.textContent = t("sending");
      const kind = byData(panel, "kind-select").value;
      try {
        await this.client.contribute("floor.request", { session_id: this.ctx.sessionId, kind });
        status.textContent = "";
        announce(t("fl_raised"));
        // The next request starts afresh, and the focus goes where the person can act next:
        // "Lower my hand" (the form that held the focus is now hidden).
        byData(panel, "kind-select").value = "contribution";
        const withdraw = byData(panel, "withdraw");
        if (!withdraw.hidden) withdraw.focus();
      } catch (failure) {
        status.textContent = "";
        error.hidden = false;
        error.textContent = failure.message || t("error");
      }
    });
    byData(panel, "withdraw").addEventListener("click", async () => {
      const mine = this.myRequest();
      if (!mine) return;
      error.hidden = true;
      try {
        await this.client.send("floor.withdraw", { request_id: mine.request_id });
        announce(t("fl_lowered"));
        const raise = panel.querySelector("[data-floor-raise]");
        if (!byData(panel, "form").hidden && raise) raise.focus();
      } catch (failure) {
        error.hidden = false;
        error.textContent = failure.message || t("error");
      }
    });
  }

  myId() {
    return this.me && this.me.kind === "participant" ? this.me.id : null;
  }

  myRequest() {
    const id = this.myId();
    return this.floor ? this.floor.queue.find((e) => e.participant_id === id) : null;
  }

  renderAttendee() {
    const { current, list_open: listOpen } = this.floor;
    const mine = this.myRequest();
    const speaking = current && current.participant_id !== null && current.participant_id === this.myId();
    byData(panel, "form").hidden = Boolean(mine) || speaking;
    byData(panel, "mine").hidden = !mine && !speaking;
    byData(panel, "withdraw").hidden = !mine;
    byData(panel, "place").textContent = speaking
      ? t("fl_you_speak") : mine ? t("fl_place", { n: mine.position }) : "";
    byData(panel, "nextup").hidden = !(mine && mine.position === 1);
    panel.classList.toggle("is-next", Boolean(mine && mine.position === 1));
    panel.classList.toggle("is-speaking", Boolean(speaking));
    byData(panel, "closed").hidden = listOpen;
    const select = byData(panel, "kind-select");
    // A closed list still takes points of order (as in OpenSlides).
    for (const option of select.options) option.disabled = !listOpen && option.value !== "point_of_order";
    if (!listOpen) select.value = "point_of_order";
  }

  onNextUp(data) {
    if (this.role !== "attendee") return;
    const mine = this.myRequest();
    if (mine && mine.request_id !== data.request_id) return;
    announce(t("fl_you_next"));
    this.beep();
    const box = byData(panel, "nextup");
    box.hidden = false;
    box.classList.remove("flash");
    void box.offsetWidth; // restart the highlight animation
    box.classList.add("flash");
  }

  unlockAudio() {
    // Browsers allow sound only after a gesture: the click that raises the hand.
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!this.audio) this.audio = new Context();
    if (this.audio.state === "suspended") this.audio.resume();
  }

  beep() {
    if (!this.audio) return;
    const start = this.audio.currentTime;
    for (const [offset, frequency] of [[0, 660], [0.2, 880]]) {
      const osc = this.audio.createOscillator();
      const gain = this.audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
      osc.connect(gain).connect(this.audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.2);
    }
  }
}
