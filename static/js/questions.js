// Q&A panel for the three pages: the attendee asks and upvotes, the moderator runs the queue
// (fully from the keyboard), the projector shows the pinned question large.
// Every text typed by a person goes through el()/textContent: nothing is parsed as HTML.
import { el } from "./api.js";
import { announce, t } from "./i18n.js";
import { onLive } from "./live.js";

const OPEN_STATES = new Set(["pending", "approved", "answered"]);

/** The questions this page knows, kept in step with snapshots, broadcasts and acks. */
class Questions {
  constructor() {
    this.items = new Map();
    this.agenda = [];
    this.settings = {};
    this.listeners = [];
  }

  changed() { for (const fn of this.listeners) fn(); }

  load(snapshot) {
    this.items = new Map((snapshot.questions || []).map((q) => [q.id, q]));
    this.agenda = snapshot.agenda || [];
    this.settings = snapshot.question_settings || {};
    this.changed();
  }

  // Broadcasts are shared by everyone, so they lack per-person fields (voted, mine) and
  // staff-only ones (similar, held_reason): keep what we already knew of those.
  upsert(question) {
    const known = this.items.get(question.id);
    const merged = known ? { ...known, ...question } : question;
    if (known && known.votes_version > question.votes_version) {
      // An older count than the one shown (counts travel apart from state changes).
      merged.upvotes = known.upvotes;
      merged.votes_version = known.votes_version;
    }
    this.items.set(question.id, merged);
    this.changed();
  }

  remove(id) {
    const known = this.items.get(id);
    // The author keeps seeing their own question, with its new state.
    if (known && !known.mine) this.items.delete(id);
    this.changed();
  }

  // Several server processes may deliver counts out of order: the higher version wins.
  votes(counts, versions = {}) {
    for (const [id, upvotes] of Object.entries(counts)) {
      const known = this.items.get(Number(id));
      const version = versions[id];
      if (!known || (version !== undefined && known.votes_version > version)) continue;
      known.upvotes = upvotes;
      if (version !== undefined) known.votes_version = version;
    }
    this.changed();
  }

  agendaItem(id) { return this.agenda.find((item) => item.id === id) || null; }

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

  sorted(list, order) {
    const byPopular = (a, b) => b.upvotes - a.upvotes || a.id - b.id;
    const compare = {
      popular: byPopular,
      recent: (a, b) => b.id - a.id,
      agenda: (a, b) =>
        this.agendaPosition(a.agenda_item_id) - this.agendaPosition(b.agenda_item_id) || byPopular(a, b),
    }[order] || byPopular;
    return [...list].sort(compare);
  }
}

function bindStore(client, store) {
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

function voteLabel(n) { return n === 1 ? t("q_vote_one") : t("q_votes", { n }); }

function metaLine(store, q) {
  const parts = [q.anonymous || !q.author ? t("q_anonymous") : q.author];
  const item = store.agendaItem(q.agenda_item_id);
  if (item) parts.push(item.title);
  if (q.speaker_name) parts.push(t("q_for_speaker", { name: q.speaker_name }));
  return parts.join(" · ");
}

function stateBadge(q) {
  if (q.merged_into_id) return t("q_merged");
  if (q.carried_to_session_id) return t("q_moved");
  if (q.state === "pending" && q.held_reason) return t("q_held");
  if (q.state === "answered" && q.answered_live && !q.reply) return t("q_answered_live");
  return t(`q_${q.state}`);
}

function details(store, q) {
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

function replyBlock(q) {
  if (q.state !== "answered" || !q.reply) return null;
  return el("p", { class: "qa-reply" }, el("strong", { text: `${t("q_reply")} : ` }), q.reply);
}

/** Re-render `list` with `render()`, keeping keyboard focus on the same control. */
function keepingFocus(list, render) {
  const active = document.activeElement;
  const inList = active && list.contains(active);
  const item = inList ? active.closest("[data-question-id]") : null;
  const key = inList ? active.dataset.focusKey || "item" : null;
  render();
  if (!item) return false;
  const again = list.querySelector(`[data-question-id="${item.dataset.questionId}"]`);
  if (!again) return true;
  const target = key === "item" ? again : again.querySelector(`[data-focus-key="${key}"]`) || again;
  target.focus();
  return false;
}

// ------------------------------------------------------------------ attendee

function startAttendee(client, ctx, section) {
  const store = new Questions();
  bindStore(client, store);
  const form = section.querySelector("[data-qa-form]");
  const textarea = form.querySelector("textarea");
  const count = form.querySelector("[data-qa-count]");
  const status = form.querySelector("[data-qa-status]");
  const errorBox = form.querySelector("[data-qa-error]");
  const itemSelect = form.querySelector("[data-qa-item]");
  const speakerSelect = form.querySelector("[data-qa-speaker]");
  const list = section.querySelector("[data-qa-list]");
  const empty = section.querySelector("[data-qa-empty]");
  const sort = section.querySelector("[data-qa-sort]");
  let show = "all";
  let banned = false;

  const maxLength = () => Number(store.settings.question_max_length) || 500;
  const showError = (message) => {
    errorBox.hidden = !message;
    errorBox.textContent = message || "";
  };
  const updateCount = () => {
    textarea.maxLength = maxLength();
    count.textContent = t("q_chars", { n: textarea.value.trim().length, max: maxLength() });
  };
  const fillSelects = () => {
    const chosenItem = itemSelect.value;
    const chosenSpeaker = speakerSelect.value;
    itemSelect.replaceChildren(itemSelect.options[0]);
    for (const item of store.agenda) itemSelect.append(el("option", { value: item.id, text: item.title }));
    speakerSelect.replaceChildren(speakerSelect.options[0]);
    for (const s of store.speakers()) {
      speakerSelect.append(el("option", { value: s.id, text: s.organisation ? `${s.name} (${s.organisation})` : s.name }));
    }
    itemSelect.value = chosenItem;
    speakerSelect.value = chosenSpeaker;
  };
  const setBanned = (value) => {
    banned = value;
    for (const control of form.querySelectorAll("textarea, select, input, button")) control.disabled = value;
    showError(value ? t("q_banned") : null);
  };

  const vote = async (q) => {
    const wanted = !q.voted;
    try {
      const data = await client.send(wanted ? "question.upvote" : "question.unvote", { question_id: q.id });
      store.upsert({ id: q.id, upvotes: data.upvotes, votes_version: data.votes_version, voted: data.voted });
      announce(`${data.voted ? t("q_upvoted") : t("q_unvote_label", { n: data.upvotes })}`);
    } catch (error) {
      announce(error.message || t("error"));
    }
  };

  const row = (q) => {
    const canVote = q.state === "approved";
    const voteButton = canVote
      ? el("button", {
          type: "button", class: "qa-vote", "aria-pressed": q.voted ? "true" : "false",
          // The name begins with the visible count (WCAG 2.5.3); aria-pressed says whether I voted.
          "aria-label": `${voteLabel(q.upvotes)} — ${t("q_upvote")}`,
          dataset: { focusKey: "vote" }, onclick: () => vote(q),
        }, el("span", { class: "qa-arrow", "aria-hidden": "true", text: "▲" }), el("span", { class: "qa-n", text: String(q.upvotes) }))
      : el("span", { class: "qa-vote is-static", "aria-label": voteLabel(q.upvotes) },
          el("span", { class: "qa-n", text: String(q.upvotes) }));
    return el("li", {
      class: `qa-item state-${q.state}${q.pinned ? " is-pinned" : ""}${q.mine ? " is-mine" : ""}`,
      dataset: { questionId: q.id },
    },
      voteButton,
      el("div", { class: "qa-body" },
        el("p", { class: "qa-text", text: q.text }),
        el("p", { class: "qa-meta" }, q.mine ? el("span", { class: "qa-badge is-mine", text: t("q_mine") }) : null,
          metaLine(store, q)),
        el("p", { class: "qa-badges" }, details(store, q)),
        replyBlock(q)));
  };

  const render = () => {
    updateCount();
    section.querySelector("[data-qa-moderated]").hidden = !store.settings.premoderation;
    const visible = [...store.items.values()].filter((q) =>
      q.mine || (q.state === "approved" || q.state === "answered"));
    const shown = visible.filter((q) => show === "all" || q.mine);
    const pinned = shown.filter((q) => q.pinned && q.state === "approved");
    const rest = store.sorted(shown.filter((q) => !pinned.includes(q)), sort.value);
    keepingFocus(list, () => list.replaceChildren(...[...pinned, ...rest].map(row)));
    empty.hidden = shown.length > 0;
    empty.textContent = show === "mine" ? t("q_none_here") : empty.dataset.text;
  };
  empty.dataset.text = empty.textContent;

  store.listeners.push(render);
  client.on("snapshot", fillSelects);
  client.on("question.banned", (data) => setBanned(Boolean(data.banned)));
  sort.addEventListener("change", render);
  for (const chip of section.querySelectorAll("[data-qa-show]")) {
    chip.addEventListener("click", () => {
      show = chip.dataset.qaShow;
      for (const other of section.querySelectorAll("[data-qa-show]")) {
        other.setAttribute("aria-pressed", other === chip ? "true" : "false");
      }
      render();
    });
  }
  // The button waits for this script: a submit before it would reload the page.
  form.querySelector("[data-qa-submit]").disabled = false;
  textarea.addEventListener("input", updateCount);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (banned) return;
    const text = textarea.value.trim();
    if (!text) { showError(t("q_empty")); textarea.focus(); return; }
    if (text.length > maxLength()) { showError(t("q_too_long")); textarea.focus(); return; }
    showError(null);
    const payload = { session_id: ctx.sessionId, text, anonymous: form.elements.anonymous.checked };
    if (itemSelect.value) payload.agenda_item_id = Number(itemSelect.value);
    if (speakerSelect.value) payload.speaker_id = Number(speakerSelect.value);
    const submit = form.querySelector("[data-qa-submit]");
    submit.disabled = true;
    status.textContent = t("sending");
    try {
      const data = await client.contribute("question.submit", payload);
      store.upsert(data.question);
      // A fresh form for the next question: nothing carries over to mis-tag it.
      form.reset();
      itemSelect.value = "";
      speakerSelect.value = "";
      const message = data.question.state === "pending" ? t("q_sent_pending") : t("q_sent");
      status.textContent = message;
      announce(message);
      // The button was disabled under the focus: keep the focus in the form, on the outcome.
      status.tabIndex = -1;
      status.focus();
    } catch (error) {
      status.textContent = "";
      showError(error.message || t("error"));
      if (error.code === "forbidden" && /ban|stopp|empêch/i.test(error.message || "")) setBanned(true);
    } finally {
      if (!banned) submit.disabled = false;
      updateCount();
    }
  });
  render();
}

// ------------------------------------------------------------------ moderator console

const TABS = ["pending", "live", "pinned", "answered", "archived"];
const IN_TAB = {
  pending: (q) => q.state === "pending",
  live: (q) => q.state === "approved",
  pinned: (q) => q.state === "approved" && q.pinned,
  answered: (q) => q.state === "answered",
  archived: (q) => q.state === "archived" || q.state === "rejected",
};

function actionsFor(q) {
  const terminal = q.merged_into_id || q.carried_to_session_id;
  switch (q.state) {
    case "pending": return ["approve", "reject", "answer", "edit", "merge", "archive", "ban"];
    case "approved": return [q.pinned ? "unpin" : "pin", "answer", "reject", "edit", "merge", "archive", "ban"];
    case "answered": return ["reopen", "edit", "merge", "archive"];
    case "rejected": return ["approve", "archive", "ban"];
    default: return terminal ? [] : ["reopen"];
  }
}

function startConsole(client, ctx, section) {
  const store = new Questions();
  // Registered before the store's own handler, so it still sees whether the question is new.
  client.on("question.updated", (data, meta = {}) => {
    const fresh = !store.items.has(data.question.id);
    if (fresh && data.question.state === "pending" && !meta.replayed) announce(t("q_new_pending"));
  });
  bindStore(client, store);
  const list = section.querySelector("[data-qa-list]");
  const empty = section.querySelector("[data-qa-empty]");
  const sort = section.querySelector("[data-qa-sort]");
  const panel = section.querySelector("[data-qa-panel]");
  const tabs = [...section.querySelectorAll("[data-qa-tab]")];
  const run = ctx.run || ((name, payload) => client.send(name, payload).catch((e) => { announce(e.message); return null; }));
  let tab = "pending";
  let selectedId = null;
  let selectedIndex = 0;
  let editor = null; // {id, kind}: an inline form is open; re-renders wait for it to close
  let visible = [];

  const visibleNow = () => {
    const inTab = [...store.items.values()].filter(IN_TAB[tab]);
    const sorted = store.sorted(inTab, sort.value);
    if (tab === "live") return [...sorted.filter((q) => q.pinned), ...sorted.filter((q) => !q.pinned)];
    return sorted;
  };

  const liFor = (id) => list.querySelector(`[data-question-id="${id}"]`);

  const select = (id, { focus = true } = {}) => {
    selectedId = id;
    for (const li of list.querySelectorAll("[data-question-id]")) {
      const on = Number(li.dataset.questionId) === id;
      li.tabIndex = on ? 0 : -1;
      li.classList.toggle("is-selected", on);
      if (on) li.setAttribute("aria-current", "true"); else li.removeAttribute("aria-current");
      for (const button of li.querySelectorAll("button, select, textarea")) button.tabIndex = on ? 0 : -1;
    }
    selectedIndex = Math.max(0, visible.findIndex((q) => q.id === id));
    const li = liFor(id);
    if (li && focus) li.focus();
  };

  const act = async (q, action, extra = {}) => {
    if (action === "answer" && extra.reply === undefined) return openEditor(q, "answer");
    if (action === "edit") return openEditor(q, "edit");
    if (action === "merge") return openEditor(q, "merge");
    if (action === "ban") {
      if (!confirm(t("q_confirm_ban"))) return null;
      const done = await run("question.ban", { question_id: q.id });
      if (done) { store.upsert({ id: q.id, author_banned: true }); announce(t("q_done_ban")); }
      return done;
    }
    if (action === "unban") {
      const done = await run("question.unban", { question_id: q.id });
      if (done) { store.upsert({ id: q.id, author_banned: false }); announce(t("q_done_unban")); }
      return done;
    }
    const payload = { question_id: q.id, action };
    if (extra.reply) payload.reply = extra.reply;
    const done = await run("question.moderate", payload);
    if (done) { store.upsert(done.question); announce(t(`q_done_${action}`)); }
    return done;
  };

  const closeEditor = ({ refocus = true } = {}) => {
    const id = editor && editor.id;
    editor = null;
    render();
    if (refocus && id !== null) select(liFor(id) ? id : (visible[Math.min(selectedIndex, visible.length - 1)] || {}).id);
  };

  const editorFor = (q, kind) => {
    const cancel = el("button", { type: "button", text: t("q_cancel"), onclick: () => closeEditor() });
    const onKeys = (event) => { if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); closeEditor(); } };
    if (kind === "answer") {
      const box = el("textarea", { class: "qa-editor-text", rows: "2", "aria-label": t("q_reply_label"), maxlength: "4000" });
      const send = async (reply) => {
        const done = await act(q, "answer", { reply: reply || "" });
        if (done) closeEditor(); else box.focus();
      };
      box.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(box.value.trim()); }
      });
      return el("form", { class: "qa-editor", onkeydown: onKeys, onsubmit: (e) => { e.preventDefault(); send(box.value.trim()); } },
        el("label", { class: "visually-hidden", text: t("q_reply_label") }), box,
        el("p", { class: "actions" },
          el("button", { type: "submit", class: "primary", text: t("q_send_reply") }),
          el("button", { type: "button", text: t("q_mark_live"), onclick: () => send("") }),
          cancel));
    }
    if (kind === "edit") {
      const box = el("textarea", { class: "qa-editor-text", rows: "3", "aria-label": t("q_edit"), maxlength: "2000" });
      box.value = q.text;
      const save = async () => {
        const text = box.value.trim();
        if (!text) return;
        const done = await run("question.edit", { question_id: q.id, text });
        if (done) { store.upsert(done.question); announce(t("q_done_edit")); closeEditor(); }
      };
      box.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); save(); }
      });
      return el("form", { class: "qa-editor", onkeydown: onKeys, onsubmit: (e) => { e.preventDefault(); save(); } },
        box, el("p", { class: "actions" }, el("button", { type: "submit", class: "primary", text: t("q_save") }), cancel));
    }
    // merge: similar questions first, then every other open question
    const similar = new Set(q.similar || []);
    const candidates = [...store.items.values()]
      .filter((o) => o.id !== q.id && OPEN_STATES.has(o.state))
      .sort((a, b) => (similar.has(b.id) - similar.has(a.id)) || b.upvotes - a.upvotes);
    const chooser = el("select", { "aria-label": t("q_merge_into") },
      candidates.map((o) => el("option", { value: o.id, text: `${o.text.slice(0, 90)} (${voteLabel(o.upvotes)})` })));
    const merge = async () => {
      if (!chooser.value) return;
      const done = await run("question.merge", { question_id: q.id, into_id: Number(chooser.value) });
      if (done) {
        store.upsert(done.merged); store.upsert(done.question); announce(t("q_done_merge")); closeEditor();
      }
    };
    chooser.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); merge(); } });
    return el("form", { class: "qa-editor", onkeydown: onKeys, onsubmit: (e) => { e.preventDefault(); merge(); } },
      el("label", {}, t("q_merge_into"), " ", chooser),
      el("p", { class: "actions" }, el("button", { type: "submit", class: "primary", text: t("q_merge_do") }), cancel));
  };

  function openEditor(q, kind) {
    if (kind === "merge" && ![...store.items.values()].some((o) => o.id !== q.id && OPEN_STATES.has(o.state))) return null;
    render();
    editor = { id: q.id, kind };
    const li = liFor(q.id);
    if (!li) { editor = null; return null; }
    select(q.id, { focus: false });
    const form = editorFor(q, kind);
    li.querySelector(".qa-body").append(form);
    (form.querySelector("textarea, select") || form).focus();
    return null;
  }

  const row = (q) => {
    const buttons = actionsFor(q).map((action) => el("button", {
      type: "button", class: `qa-act act-${action}`, text: t(`q_${action}`),
      dataset: { focusKey: action },
      onclick: (event) => { event.stopPropagation(); select(q.id, { focus: false }); act(q, action); },
    }));
    if (q.author_banned) {
      buttons.push(el("button", { type: "button", class: "qa-act", text: t("q_unban"), dataset: { focusKey: "unban" },
        onclick: (event) => { event.stopPropagation(); act(q, "unban"); } }));
    }
    const similar = (q.similar || []).map((id) => store.items.get(id)).filter((o) => o && OPEN_STATES.has(o.state));
    return el("li", {
      class: `qa-item state-${q.state}${q.pinned ? " is-pinned" : ""}`, tabindex: "-1",
      dataset: { questionId: q.id },
      "aria-label": `${q.text} — ${voteLabel(q.upvotes)} — ${metaLine(store, q)}`,
      onclick: () => select(q.id, { focus: false }),
    },
      el("span", { class: "qa-vote is-static", "aria-hidden": "true" }, el("span", { class: "qa-n", text: String(q.upvotes) })),
      el("div", { class: "qa-body" },
        el("p", { class: "qa-text", text: q.text }),
        el("p", { class: "qa-meta", text: metaLine(store, q) }),
        el("p", { class: "qa-badges" }, details(store, q),
          q.author_banned ? el("span", { class: "qa-badge state-rejected", text: t("q_banned_author") }) : null),
        similar.length ? el("p", { class: "qa-similar" }, `${t("q_similar")} `,
          similar.map((o) => el("q", { text: o.text.slice(0, 120) }))) : null,
        replyBlock(q),
        el("p", { class: "qa-actions" }, buttons)));
  };

  function render() {
    if (editor) return;
    for (const button of tabs) {
      const key = button.dataset.qaTab;
      const n = [...store.items.values()].filter(IN_TAB[key]).length;
      button.querySelector("[data-qa-tab-count]").textContent = String(n);
    }
    const hadFocus = list.contains(document.activeElement) || document.activeElement === document.body;
    const focusKey = list.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    visible = visibleNow();
    list.replaceChildren(...visible.map(row));
    empty.hidden = visible.length > 0;
    if (!visible.length) { selectedId = null; return; }
    let id = selectedId;
    if (!visible.some((q) => q.id === id)) id = visible[Math.min(selectedIndex, visible.length - 1)].id;
    const wantFocus = hadFocus && list.dataset.active === "1";
    select(id, { focus: wantFocus });
    if (wantFocus && focusKey) {
      const button = liFor(id).querySelector(`[data-focus-key="${focusKey}"]`);
      if (button) button.focus();
    }
  }

  const switchTab = (key, { focus = false } = {}) => {
    tab = key;
    for (const button of tabs) {
      const on = button.dataset.qaTab === key;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.tabIndex = on ? 0 : -1;
      if (on && focus) button.focus();
    }
    panel.setAttribute("aria-labelledby", `qa-tab-${key}`);
    selectedId = null;
    selectedIndex = 0;
    editor = null;
    render();
  };

  // What is live first: with nothing waiting for moderation, the console opens on live questions.
  let opened = false;
  client.on("snapshot", () => {
    if (opened) return;
    opened = true;
    const items = [...store.items.values()];
    if (tab === "pending" && !items.some((q) => q.state === "pending")
        && items.some((q) => q.state === "approved")) switchTab("live");
  });

  for (const button of tabs) {
    button.addEventListener("click", () => switchTab(button.dataset.qaTab));
    button.addEventListener("keydown", (event) => {
      const i = TABS.indexOf(button.dataset.qaTab);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      switchTab(TABS[(next + TABS.length) % TABS.length], { focus: true });
    });
  }
  list.addEventListener("focusin", () => { list.dataset.active = "1"; });
  list.addEventListener("focusout", (event) => {
    if (!event.relatedTarget || !list.contains(event.relatedTarget)) {
      // Focus leaving for nowhere happens when the focused row is replaced: keep following it.
      if (event.relatedTarget) list.dataset.active = "0";
    }
  });
  section.addEventListener("keydown", (event) => {
    const typing = event.target.closest("textarea, input, select");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const digit = Number(event.key);
    if (digit >= 1 && digit <= TABS.length && !list.contains(event.target) && !event.target.closest("[role=tab]")) return;
    if (digit >= 1 && digit <= TABS.length) { event.preventDefault(); switchTab(TABS[digit - 1]); list.dataset.active = "1"; if (visible.length) select(visible[0].id); return; }
    if (!list.contains(event.target)) return;
    const index = visible.findIndex((q) => q.id === selectedId);
    const q = visible[index];
    const move = (to) => {
      if (!visible.length) return;
      const target = visible[Math.max(0, Math.min(visible.length - 1, to))];
      select(target.id);
      announce(t("q_selected", { pos: visible.indexOf(target) + 1, total: visible.length, text: target.text }));
    };
    const onButton = event.target.tagName === "BUTTON";
    const keyActions = { a: "approve", r: "reject", o: "reopen", x: "archive", e: "edit", m: "merge" };
    if (event.key === "j" || event.key === "ArrowDown") { event.preventDefault(); move(index + 1); }
    else if (event.key === "k" || event.key === "ArrowUp") { event.preventDefault(); move(index - 1); }
    else if (event.key === "Home") { event.preventDefault(); move(0); }
    else if (event.key === "End") { event.preventDefault(); move(visible.length - 1); }
    else if (!q) return;
    else if (event.key === "Enter" && !onButton) {
      event.preventDefault();
      if (actionsFor(q).includes("answer")) act(q, "answer");
    } else if (event.key === "p") {
      event.preventDefault();
      const action = q.pinned ? "unpin" : "pin";
      if (actionsFor(q).includes(action)) act(q, action);
    } else if (keyActions[event.key]) {
      event.preventDefault();
      if (actionsFor(q).includes(keyActions[event.key])) act(q, keyActions[event.key]);
    }
  });
  sort.addEventListener("change", render);
  store.listeners.push(render);

  // Settings and carrying forward.
  const settingsForm = section.querySelector("[data-qa-settings]");
  const fillSettings = () => {
    const s = store.settings;
    settingsForm.elements.premoderation.checked = Boolean(s.premoderation);
    settingsForm.elements.question_max_length.value = s.question_max_length ?? 500;
    settingsForm.elements.rate_per_minute.value = s.rate_per_minute ?? 5;
    settingsForm.elements.profanity_builtin.checked = s.profanity_builtin !== false;
    settingsForm.elements.profanity_words.value = (s.profanity_words || []).join("\n");
  };
  client.on("snapshot", fillSettings);
  settingsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = settingsForm.elements;
    const done = await run("question.settings", {
      session_id: ctx.sessionId,
      premoderation: f.premoderation.checked,
      question_max_length: Number(f.question_max_length.value) || 500,
      rate_per_minute: Number(f.rate_per_minute.value) || 0,
      profanity_builtin: f.profanity_builtin.checked,
      profanity_words: f.profanity_words.value.split(/[\n,]/).map((w) => w.trim()).filter(Boolean),
    });
    if (done) { store.settings = done.settings; fillSettings(); announce(t("q_done_settings")); }
  });
  const carry = section.querySelector("[data-qa-carry]");
  if (carry) {
    carry.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!confirm(t("q_confirm_carry"))) return;
      const done = await run("question.carry_forward", {
        session_id: ctx.sessionId, target_session_id: Number(carry.elements.target_session_id.value),
      });
      if (done) announce(t("q_done_carry", { n: done.moved }));
    });
  }
  render();
}

// ------------------------------------------------------------------ projector

function startProjector(client, ctx, section) {
  const store = new Questions();
  bindStore(client, store);
  const text = section.querySelector("[data-qa-big-text]");
  const meta = section.querySelector("[data-qa-big-meta]");
  const next = section.querySelector("[data-qa-next]");
  const render = () => {
    // The projector logs in as staff: show only what the room may see.
    const live = store.sorted([...store.items.values()].filter((q) => q.state === "approved"), "popular");
    const big = live.find((q) => q.pinned) || live[0] || null;
    section.classList.toggle("is-empty", !big);
    section.classList.toggle("is-pinned", Boolean(big && big.pinned));
    text.textContent = big ? big.text : t("q_no_question");
    meta.textContent = big ? `${metaLine(store, big)} · ${voteLabel(big.upvotes)}` : "";
    next.replaceChildren(...live.filter((q) => q !== big).slice(0, 3).map((q) =>
      el("li", {}, el("span", { class: "qa-n", text: String(q.upvotes) }), " ", q.text)));
  };
  store.listeners.push(render);
  render();
}

onLive((client, ctx) => {
  const section = ctx.root.querySelector("[data-qa]") || document.querySelector("[data-qa]");
  if (!section) return;
  if (ctx.role === "attendee") startAttendee(client, ctx, section);
  else if (ctx.role === "moderator") startConsole(client, ctx, section);
  else startProjector(client, ctx, section);
});
