// @ts-check
// The moderator's floor: hand the floor over, pause and resume, run the queue (buttons, Alt+arrows,
// drag and drop), give the floor to a programme speaker, and the agenda's clock.
import { el } from "./api.js";
import { announce, t } from "./i18n.js";
import { byData, clockText, elapsedAt, kindLabel, plannedText } from "./floor-common.js";
import { fillList } from "./panel.js";
import { onSession } from "./shell.js";

/** @implements {import("./floor.js").FloorView} */
export class FloorConsole {
  /** @param {import("./floor.js").FloorPanel} panel */
  constructor(panel) {
    this.panel = panel;
    this.section = panel.section;
    /** @type {(name: string, payload: Record<string, any>) => Promise<any>} */
    this.run = (name, payload) => panel.client.send(name, payload);
    /** @type {number | null} */
    this.dragging = null;
    /** @type {number | null} */
    this.focusId = null;
    // Once the session has ended, the floor is not given any more and its clocks stop.
    this.ended = false;
  }

  bind() {
    const { sessionId } = this.panel.ctx;
    const run = this.panel.ctx.run || ((name, payload) => this.panel.client.send(name, payload));
    this.run = run;
    onSession(this.panel.client, (session) => {
      this.ended = session.status === "ended";
      if (this.panel.state.value) { this.render(); this.tick(); }
    });
    for (const button of this.section.querySelectorAll("[data-floor-action]")) {
      button.addEventListener("click", () => run(button.dataset.floorAction, { session_id: sessionId }));
    }
    byData(this.section, "fairness").addEventListener("change", (event) =>
      run("floor.settings", { session_id: sessionId, fairness: event.target.checked }));
    const queue = byData(this.section, "queue");
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
      const ids = this.panel.floor.queue.map((e) => e.request_id);
      const from = ids.indexOf(this.dragging);
      const to = ids.indexOf(Number(target.dataset.requestId));
      if (from < 0 || to < 0 || from === to) return;
      ids.splice(to, 0, ids.splice(from, 1)[0]);
      this.sort(ids, this.dragging);
    });
  }

  /**
   * @param {number} requestId
   * @param {number} delta  -1 up, 1 down
   */
  move(requestId, delta) {
    const ids = this.panel.floor.queue.map((e) => e.request_id);
    const from = ids.indexOf(requestId);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= ids.length) return;
    ids.splice(to, 0, ids.splice(from, 1)[0]);
    this.sort(ids, requestId);
  }

  /**
   * Reorder the queue: shown at once, then sent.
   * @param {number[]} ids
   * @param {number} movedId
   */
  async sort(ids, movedId) {
    this.focusId = movedId;
    // Show the new order at once; the broadcast that follows confirms it.
    const byId = new Map(this.panel.floor.queue.map((e) => [e.request_id, e]));
    this.panel.state.set({ ...this.panel.floor, queue: ids.map((id, i) => ({ ...byId.get(id), position: i + 1 })) });
    const done = await this.run("floor.sort", { session_id: this.panel.ctx.sessionId, request_ids: ids });
    const entry = byId.get(movedId);
    if (done && entry) announce(t("fl_moved", { name: entry.name, n: ids.indexOf(movedId) + 1 }));
  }

  /** The console's part: controls, the queue, the programme's speakers. */
  render() {
    const { current, queue, planned, list_open: listOpen, fairness } = this.panel.floor;
    const { sessionId } = this.panel.ctx;
    const action = (name) => this.section.querySelector(`[data-floor-action="${name}"]`);
    action("floor.pause").hidden = Boolean(current && current.paused);
    action("floor.resume").hidden = !(current && current.paused);
    action("floor.pause").disabled = !current;
    action("floor.end").disabled = !current;
    action("floor.next").disabled = this.ended || (!queue.length && !planned.length);
    action("floor.close_list").hidden = !listOpen;
    action("floor.open_list").hidden = listOpen;
    // Hands cannot be raised in an ended session: reopening the list would do nothing.
    action("floor.open_list").disabled = this.ended;
    const endedNote = byData(this.section, "ended");
    endedNote.hidden = !this.ended;
    const describedBy = this.ended ? endedNote.id : null;
    for (const name of ["floor.next", "floor.open_list"]) {
      if (describedBy) action(name).setAttribute("aria-describedby", describedBy);
      else action(name).removeAttribute("aria-describedby");
    }
    byData(this.section, "fairness").checked = Boolean(fairness);
    byData(this.section, "count").textContent = queue.length ? `(${queue.length})` : "";

    const list = byData(this.section, "queue");
    const focused = document.activeElement && list.contains(document.activeElement)
      ? Number(document.activeElement.closest("[data-request-id]")?.dataset.requestId) : null;
    const focusId = this.focusId ?? focused;
    this.focusId = null;
    fillList(list, queue, (entry, index) => {
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
          type: "button", class: "button small", text: t("fl_give"), disabled: this.ended,
          "aria-label": t("fl_move_label", { action: t("fl_give"), name: entry.name }),
          "aria-describedby": describedBy,
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
    }, { empty: byData(this.section, "queue-empty") });
    if (focusId) {
      const again = list.querySelector(`[data-request-id="${focusId}"]`);
      if (again) again.focus();
    }

    const plannedList = byData(this.section, "planned");
    fillList(plannedList, planned, (speaker) => el("li", { class: "floor-planned-entry" },
      el("span", { class: "floor-entry-name" }, speaker.name),
      speaker.organisation ? el("span", { class: "floor-org" }, speaker.organisation) : null,
      el("span", { class: "hint" }, plannedText(speaker.allotted_s)),
      el("button", {
        type: "button", class: "button small", text: t("fl_give"), disabled: this.ended,
        "aria-label": t("fl_move_label", { action: t("fl_give"), name: speaker.name }),
        "aria-describedby": describedBy,
        onclick: () => this.run("floor.give", { session_id: sessionId, speaker_id: speaker.speaker_id }),
      })), { empty: byData(this.section, "planned-empty") });
  }

  /** The speech's allotted and elapsed time; the agenda's clock: the item's time left, the
   * slot's, ahead of or behind the plan. */
  tick() {
    const { clock, current } = this.panel.floor;
    const left = byData(this.section, "slot-left");
    const itemLeft = byData(this.section, "item-left");
    const behind = byData(this.section, "behind");
    const now = this.panel.serverNow();
    byData(this.section, "allotted").textContent = current
      ? t("fl_allotted", { time: plannedText(current.allotted_s), elapsed: clockText(elapsedAt(current, now)) })
      : "";
    if (this.ended || !clock || !clock.slot_ends_at) {
      // Ended: the clocks stop; nothing runs over any more.
      left.textContent = this.ended ? t("ended") : t("fl_not_started");
      for (const node of [left, itemLeft, behind]) node.dataset.state = "idle";
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
}
