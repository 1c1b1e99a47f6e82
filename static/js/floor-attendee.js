// @ts-check
// The attendee's floor: raise and lower one's hand, one's place in the queue, and "you are next"
// (said, shown and, after the click that raised the hand, heard).
import { announce, t } from "./i18n.js";
import { byData } from "./floor-common.js";
import { showError } from "./errors.js";

/** @implements {import("./floor.js").FloorView} */
export class FloorAttendee {
  /** @param {import("./floor.js").FloorPanel} panel */
  constructor(panel) {
    this.panel = panel;
    this.section = panel.section;
    /** @type {AudioContext | null} */
    this.audio = null;
    /**
     * Where the focus goes once the queue shows the hand raised or lowered: the acknowledgement
     * and the room's floor.updated race, so whichever comes second moves it.
     * @type {"withdraw" | "raise" | null}
     */
    this.focusNext = null;
  }

  /** Move the focus where the person can act next, if that control is shown yet. */
  moveFocus() {
    if (this.focusNext === "withdraw") {
      const withdraw = byData(this.section, "withdraw");
      if (withdraw.hidden) return;
      withdraw.focus();
    } else if (this.focusNext === "raise") {
      const raise = this.section.querySelector("[data-floor-raise]");
      if (byData(this.section, "form").hidden || !(raise instanceof HTMLElement)) return;
      raise.focus();
    }
    this.focusNext = null;
  }

  bind() {
    const form = byData(this.section, "form");
    const status = byData(this.section, "status");
    const error = byData(this.section, "error");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      this.unlockAudio();
      showError(error, null);
      status.textContent = t("sending");
      const kind = byData(this.section, "kind-select").value;
      try {
        await this.panel.client.contribute("floor.request", { session_id: this.panel.ctx.sessionId, kind });
        status.textContent = "";
        announce(t("fl_raised"));
        // The next request starts afresh, and the focus goes where the person can act next:
        // "Lower my hand" (the form that held the focus is now hidden).
        byData(this.section, "kind-select").value = "contribution";
        this.focusNext = "withdraw";
        this.moveFocus();
      } catch (failure) {
        status.textContent = "";
        showError(error, failure);
      }
    });
    byData(this.section, "withdraw").addEventListener("click", async () => {
      const mine = this.myRequest();
      if (!mine) return;
      showError(error, null);
      try {
        await this.panel.client.send("floor.withdraw", { request_id: mine.request_id });
        announce(t("fl_lowered"));
        this.focusNext = "raise";
        this.moveFocus();
      } catch (failure) {
        showError(error, failure);
      }
    });
  }

  myId() {
    const { me } = this.panel;
    return me && me.kind === "participant" ? me.id : null;
  }

  myRequest() {
    const id = this.myId();
    return this.panel.floor ? this.panel.floor.queue.find((e) => e.participant_id === id) : null;
  }

  /** The attendee's part: the form or one's place in the queue. */
  render() {
    const { current, list_open: listOpen } = this.panel.floor;
    const mine = this.myRequest();
    const speaking = current && current.participant_id !== null && current.participant_id === this.myId();
    byData(this.section, "form").hidden = Boolean(mine) || speaking;
    byData(this.section, "mine").hidden = !mine && !speaking;
    byData(this.section, "withdraw").hidden = !mine;
    byData(this.section, "place").textContent = speaking
      ? t("fl_you_speak") : mine ? t("fl_place", { n: mine.position }) : "";
    byData(this.section, "nextup").hidden = !(mine && mine.position === 1);
    this.section.classList.toggle("is-next", Boolean(mine && mine.position === 1));
    this.section.classList.toggle("is-speaking", Boolean(speaking));
    byData(this.section, "closed").hidden = listOpen;
    const select = byData(this.section, "kind-select");
    // A closed list still takes points of order (as in OpenSlides).
    for (const option of select.options) option.disabled = !listOpen && option.value !== "point_of_order";
    if (!listOpen) select.value = "point_of_order";
    this.moveFocus();
  }

  /** "You are next": said, shown, heard. */
  onNextUp(/** @type {{request_id: number}} */ data) {
    const mine = this.myRequest();
    if (mine && mine.request_id !== data.request_id) return;
    announce(t("fl_you_next"));
    this.beep();
    const box = byData(this.section, "nextup");
    box.hidden = false;
    box.classList.remove("flash");
    void box.offsetWidth; // restart the highlight animation
    box.classList.add("flash");
  }

  unlockAudio() {
    // Browsers allow sound only after a gesture: the click that raises the hand.
    const Context = window.AudioContext || /** @type {any} */ (window).webkitAudioContext;
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
