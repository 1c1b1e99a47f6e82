// @ts-check
// The speaker view: the speaker's own timer when they have the floor, what comes next, and the
// questions of the room about their agenda items. It watches only: a speaker token may join
// the session and nothing else.
import { el, store } from "./api.js";
import { announce, t, tn } from "./i18n.js";
import { LiveClient, bindStatus } from "./live.js";
import { timerView } from "./floor-common.js";
import { Questions } from "./questions-common.js";
import { bindSessionShell, onSession } from "./shell.js";

const root = document.getElementById("speaker");
const sessionId = Number(root.dataset.sessionId);
const $ = (name) => root.querySelector(`[data-speaker-${name}]`);
const PUBLIC = new Set(["approved", "answered"]);

/** The token from the link's fragment (#t=...), kept for later visits, or the one kept. */
function speakerToken() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const fromLink = hash.get("t");
  if (fromLink) {
    store.set("speaker", fromLink);
    history.replaceState(null, "", location.pathname + location.search);
    return fromLink;
  }
  return store.get("speaker");
}

function needLink(/** @type {string} */ message) {
  $("live").hidden = true;
  $("needs-link").hidden = false;
  if (message) $("needs-message").textContent = message;
  for (const node of root.querySelectorAll("[data-conn-status]")) node.textContent = "";
}

/** The speaker's own view: the floor, their turn on the agenda, the questions for them. */
class SpeakerView {
  constructor(/** @type {import("./live.js").LiveClient} */ client) {
    this.client = client;
    this.me = null;
    this.agenda = [];
    this.currentId = null;
    this.floor = null;
    this.offset = 0;
    // The room's questions, merged as the Q&A panel merges them (the highest votes_version wins).
    this.questions = new Questions();
    this.hadFloor = false;
    // What the timer card says while someone else (or nobody) has the floor.
    this.waiting = "";
    // Once the session has ended nothing is "coming up": no turn, no next item (until a reopen).
    this.ended = false;
  }

  start() {
    const c = this.client;
    c.on("snapshot", (snap) => {
      this.me = snap.you;
      this.agenda = snap.agenda || [];
      this.currentId = snap.session.current_agenda_item_id;
      $("me").textContent = t("sp_you", { name: this.me.name });
      this.applyFloor(snap.floor, true);
      this.renderAgenda();
      this.questions.load(snap);
    });
    c.on("session.updated", (data) => {
      this.currentId = data.session.current_agenda_item_id;
      this.renderAgenda();
    });
    c.on("agenda.updated", (data) => {
      this.currentId = data.agenda_item_id;
      this.renderAgenda();
    });
    c.on("floor.updated", (data, meta = {}) => this.applyFloor(data.floor, !meta.replayed));
    onSession(c, (session) => {
      this.ended = session.status === "ended";
      this.renderAgenda();
    });
    this.questions.subscribe(() => this.renderQuestions());
    c.on("question.updated", (data) => this.questions.upsert(data.question));
    c.on("question.removed", (data) => this.questions.remove(data.question_id));
    c.on("question.votes", (data) => this.questions.votes(data.votes || {}, data.versions || {}));
    setInterval(() => this.tick(), 250);
  }

  myItemIds() {
    if (!this.me) return new Set();
    return new Set(this.agenda.filter((item) => (item.speakers || []).some((s) => s.id === this.me.id))
      .map((item) => item.id));
  }

  /**
   * @param {Record<string, any> | null | undefined} floor
   * @param {boolean} fresh  a live state (its server_time sets the clock offset), not a replay
   */
  applyFloor(floor, fresh) {
    if (!floor) return;
    if (fresh && floor.server_time) this.offset = Date.parse(floor.server_time) - Date.now();
    this.floor = floor;
    const current = floor.current;
    const mine = Boolean(current && this.me && current.speaker_id === this.me.id);
    $("who").textContent = mine ? t("sp_you_have_floor")
      : current ? t("sp_other_has_floor", { name: current.name }) : t("fl_nobody");
    $("floor").classList.toggle("is-mine", mine);
    if (mine && !this.hadFloor) announce(t("sp_you_have_floor"));
    this.hadFloor = mine;
    if (this.me) this.renderTurn(this.agenda.findIndex((item) => item.id === this.currentId));
    this.tick();
  }

  tick() {
    if (!this.floor) return;
    const timer = $("timer");
    const state = $("timer-state");
    const current = this.floor.current;
    const mine = Boolean(current && this.me && current.speaker_id === this.me.id);
    // No clock until the floor is theirs: a big "--:--" under someone else's name read as theirs.
    timer.hidden = !mine;
    state.dataset.state = mine ? "" : "idle";
    if (!mine) {
      timer.textContent = "";
      timer.dataset.state = "idle";
      state.textContent = this.waiting;
      return;
    }
    const view = timerView(current, Date.now() + this.offset);
    timer.textContent = view.text;
    timer.dataset.state = current.paused ? "paused" : view.state;
    state.textContent = current.paused ? t("fl_paused")
      : view.state === "overrun" ? t("fl_overrun") : view.state === "warning" ? t("fl_warning") : "";
  }

  renderAgenda() {
    const mine = this.myItemIds();
    // The item under way ("Now") is shell.js's to write, as on every live page.
    const index = this.agenda.findIndex((item) => item.id === this.currentId);
    const next = this.ended ? [] : this.agenda.slice(index + 1);
    $("agenda").replaceChildren(...next.map((item) => el("li", {
      class: `agenda-item kind-${item.kind}${mine.has(item.id) ? " is-mine" : ""}`,
    },
    el("span", { class: "agenda-title" }, item.title),
    el("span", { class: "agenda-meta" },
      [t("sp_minutes", { n: item.planned_minutes }), ...(item.speakers || []).map((s) => s.name)].join(" · ")),
    mine.has(item.id) ? el("span", { class: "speaker-badge" }, t("sp_yours")) : null)));
    $("agenda-empty").hidden = next.length > 0 || this.ended;
    this.renderTurn(index);
    this.renderQuestions();
  }

  /** When the speaker's own next item comes, from the plan and the current item's clock. */
  renderTurn(index) {
    const mine = this.myItemIds();
    // The speaker's own item now or still to come, whose planned time the timer card shows.
    const own = this.agenda.slice(Math.max(index, 0)).find((item) => mine.has(item.id));
    this.waiting = this.ended ? ""
      : own ? t("sp_wait_planned", { n: own.planned_minutes }) : t("sp_wait");
    const turn = $("turn");
    turn.hidden = !mine.size && !this.ended;
    if (this.ended) {
      turn.textContent = t("sp_ended");
      return;
    }
    if (!mine.size) return;
    if (index >= 0 && mine.has(this.agenda[index].id)) {
      turn.textContent = t("sp_turn_now");
      return;
    }
    const ahead = this.agenda.slice(index + 1);
    const at = ahead.findIndex((item) => mine.has(item.id));
    if (at < 0) {
      turn.textContent = t("sp_turn_done");
      return;
    }
    let minutes = ahead.slice(0, at).reduce((sum, item) => sum + item.planned_minutes, 0);
    const clock = this.floor && this.floor.clock;
    if (index >= 0) {
      let left = this.agenda[index].planned_minutes;
      if (clock && clock.item_started_at && clock.item_planned_s) {
        const ends = Date.parse(clock.item_started_at) + clock.item_planned_s * 1000;
        left = Math.max(0, (ends - (Date.now() + this.offset)) / 60000);
      }
      minutes += left;
    }
    turn.textContent = t("sp_turn_next", { title: ahead[at].title, n: Math.max(1, Math.round(minutes)) });
  }

  renderQuestions() {
    if (!this.me) return;
    const mine = this.myItemIds();
    const list = this.questions.values()
      .filter((q) => PUBLIC.has(q.state) && !q.merged_into_id
        && (q.speaker_id === this.me.id || mine.has(q.agenda_item_id)))
      .sort((a, b) => (a.state === "answered") - (b.state === "answered")
        || Number(b.pinned) - Number(a.pinned) || b.upvotes - a.upvotes || a.id - b.id);
    $("questions").replaceChildren(...list.map((q) => el("li", {
      class: `speaker-q state-${q.state}${q.pinned ? " is-pinned" : ""}`, dataset: { questionId: String(q.id) },
    },
    el("p", { class: "speaker-q-text" }, q.text),
    el("p", { class: "speaker-q-meta" },
      el("span", { class: "speaker-q-votes" },
        tn("sp_votes", q.upvotes)),
      q.author ? el("span", {}, q.author) : null,
      q.speaker_id === this.me.id ? el("span", { class: "speaker-badge" }, t("sp_for_you")) : null,
      q.pinned ? el("span", { class: "speaker-badge is-pinned" }, t("sp_pinned")) : null,
      q.state === "answered" ? el("span", { class: "speaker-badge is-answered" }, t("sp_answered")) : null))));
    $("qcount").textContent = list.length ? `(${list.length})` : "";
    $("questions-empty").hidden = list.length > 0;
  }
}

function main() {
  const token = speakerToken();
  if (!token) {
    needLink();
    return;
  }
  $("live").hidden = false;
  const client = new LiveClient({ token, sessionId });
  bindStatus(client);
  bindSessionShell(client, root);
  client.on("refused", (error) => {
    store.remove("speaker");
    needLink(error && error.message ? error.message : t("sp_no_link"));
  });
  new SpeakerView(client).start();
  client.connect();
}

main();
