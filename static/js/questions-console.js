// @ts-check
// The moderator's Q&A console: tabs by state, the queue run fully from the keyboard, inline
// answer/edit/merge forms, settings and carrying open questions to a later session.
import { el } from "./api.js";
import { announce, t } from "./i18n.js";
import { fillList } from "./panel.js";
import { OPEN_STATES, Questions, bindStore, details, metaLine, replyBlock, voteLabel } from "./questions-common.js";

/** @typedef {import("./questions-common.js").Question} Question */

const TABS = ["pending", "live", "pinned", "answered", "archived"];
const IN_TAB = {
  pending: (q) => q.state === "pending",
  live: (q) => q.state === "approved",
  pinned: (q) => q.state === "approved" && q.pinned,
  answered: (q) => q.state === "answered",
  archived: (q) => q.state === "archived" || q.state === "rejected",
};

/** What a moderator may do with `q` now. */
function actionsFor(/** @type {Question} */ q) {
  const terminal = q.merged_into_id || q.carried_to_session_id;
  switch (q.state) {
    case "pending": return ["approve", "reject", "answer", "edit", "merge", "archive", "ban"];
    case "approved": return [q.pinned ? "unpin" : "pin", "answer", "reject", "edit", "merge", "archive", "ban"];
    case "answered": return ["reopen", "edit", "merge", "archive"];
    case "rejected": return ["approve", "archive", "ban"];
    default: return terminal ? [] : ["reopen"];
  }
}

/**
 * @param {import("./live.js").LiveClient} client
 * @param {import("./live.js").PanelContext} ctx
 * @param {HTMLElement} section
 */
export function startConsole(client, ctx, section) {
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
  // Until the moderator picks a tab, the panel never stays on an empty tab while another holds
  // questions: it opens on Live when pre-moderation is off, on Pending when it is on.
  let picked = false;
  let selectedId = null;
  let selectedIndex = 0;
  let editor = null; // {id, kind}: an inline form is open; re-renders wait for it to close
  let visible = [];

  const visibleNow = () => {
    const inTab = store.values().filter(IN_TAB[tab]);
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
    const candidates = store.values()
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

  /**
   * @param {Question} q
   * @param {"answer" | "edit" | "merge"} kind
   */
  function openEditor(q, kind) {
    if (kind === "merge" && !store.values().some((o) => o.id !== q.id && OPEN_STATES.has(o.state))) return null;
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
        el("p", { class: "qa-badges" }, details(q),
          q.author_banned ? el("span", { class: "qa-badge state-rejected", text: t("q_banned_author") }) : null),
        similar.length ? el("p", { class: "qa-similar" }, `${t("q_similar")} `,
          similar.map((o) => el("q", { text: o.text.slice(0, 120) }))) : null,
        replyBlock(q),
        el("p", { class: "qa-actions" }, buttons)));
  };

  /** The tab to be on when the moderator has not picked one. */
  const preferredTab = (counts) => {
    const first = store.settings.premoderation ? ["pending", "live"] : ["live", "pending"];
    return [...first, "answered", "archived"].find((key) => counts[key] > 0) || first[0];
  };

  const showTab = (key, { focus = false } = {}) => {
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
  };

  function render() {
    if (editor) return;
    /** @type {Record<string, number>} */
    const counts = {};
    for (const button of tabs) {
      const key = button.dataset.qaTab;
      counts[key] = store.values().filter(IN_TAB[key]).length;
      button.querySelector("[data-qa-tab-count]").textContent = String(counts[key]);
    }
    // Chosen once the snapshot told the questions and the settings.
    if (!picked && client.snapshot && !counts[tab]) {
      const want = preferredTab(counts);
      if (want !== tab) showTab(want);
    }
    const hadFocus = list.contains(document.activeElement) || document.activeElement === document.body;
    const focusKey = list.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    visible = visibleNow();
    fillList(list, visible, row, { empty });
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

  /** The moderator picks a tab: it stays theirs. */
  const switchTab = (key, { focus = false } = {}) => {
    picked = true;
    showTab(key, { focus });
    editor = null;
    render();
  };

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
  store.subscribe(render);

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
