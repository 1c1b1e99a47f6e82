// @ts-check
// The agenda of a session in the event editor: its items in order (arrows, drag and drop), each
// editable inline, and the form that adds one. Saved through the workspace API.
import { el } from "./api.js";
import { errorMessage } from "./errors.js";
import { announce, t } from "./i18n.js";
import { check, clearFieldErrors, field, say, showFormError } from "./manage-common.js";

/**
 * @typedef {{id: number, name: string, organisation?: string}} Speaker
 * @typedef {{id: number, title: string, kind: string, planned_minutes: number, description?: string,
 *   speakers: Speaker[]}} AgendaItem
 * @typedef {{id: number, title: string, agenda: AgendaItem[]}} Session
 * @typedef {(focus?: {id: number, direction: string}) => void} Draw
 */

/** The kinds of agenda item, in the page's language: {topic: "Sujet", …}. */
const kinds = () => /** @type {Record<string, string>} */ (/** @type {unknown} */ (t("kinds")));
const kindLabel = (/** @type {string} */ kind) => kinds()[kind] || kind;

/**
 * The agenda editors of the page: call the returned function with a session for its editor.
 * @param {object} page
 * @param {(path: string, options?: Record<string, any>) => Promise<any>} page.call  the API, with the login
 * @param {() => Speaker[]} page.speakers  the event's speakers as last loaded
 * @param {HTMLElement} page.root
 * @returns {(session: Session) => HTMLElement}
 */
export function agendaEditors({ call, speakers, root }) {
  /** A session's agenda: the list and the form that adds an item. */
  function agendaEditor(/** @type {Session} */ session) {
    const list = el("ol", { class: "agenda-editor", "aria-label": `${t("agenda")} — ${session.title}`, dataset: { agendaOf: session.id } });
    const status = el("p", { class: "status-line", role: "status", hidden: true });
    const draw = (focus) => {
      list.replaceChildren(...(session.agenda.length
        ? session.agenda.map((item, i) => agendaRow(session, item, i, draw, status))
        : [el("li", { class: "hint", text: t("no_agenda") })]));
      if (focus) {
        const target = list.querySelector(`[data-item-id="${focus.id}"] [data-move="${focus.direction}"]`);
        const fallback = list.querySelector(`[data-item-id="${focus.id}"] [data-move]:not(:disabled)`);
        const node = target && !target.disabled ? target : fallback;
        if (node) node.focus();
      }
    };
    draw();
    bindDragAndDrop(session, list, draw, status);
    return el("div", { class: "agenda-box" },
      el("h4", { text: t("agenda") }),
      el("p", { class: "hint", text: t("agenda_hint") }),
      list, status, newItemForm(session, draw, status));
  }

  /**
   * Save a new order, then redraw with the focus on the moved item's arrow.
   * @param {Session} session
   * @param {number[]} ids
   * @param {Draw} draw
   * @param {HTMLElement} status
   * @param {{id: number, direction: string}} moved
   */
  async function saveOrder(session, ids, draw, status, moved) {
    try {
      const answer = await call(`/sessions/${session.id}/agenda/order`, { method: "PUT", body: { agenda_item_ids: ids } });
      session.agenda = answer.agenda;
      draw(moved);
      const position = session.agenda.findIndex((i) => i.id === moved.id) + 1;
      const item = session.agenda[position - 1];
      announce(t("moved", { title: item.title, position, count: session.agenda.length }));
      say(status, null);
    } catch (error) {
      say(status, errorMessage(error), { error: true });
    }
  }

  /**
   * One item: moved with arrows, edited inline, removed.
   * @param {Session} session
   * @param {AgendaItem} item
   * @param {number} index
   * @param {Draw} draw
   * @param {HTMLElement} status
   */
  function agendaRow(session, item, index, draw, status) {
    const count = session.agenda.length;
    const names = item.speakers.map((s) => s.name).join(", ");
    const move = (direction) => {
      const ids = session.agenda.map((i) => i.id);
      const to = direction === "up" ? index - 1 : index + 1;
      if (to < 0 || to >= count) return;
      [ids[index], ids[to]] = [ids[to], ids[index]];
      saveOrder(session, ids, draw, status, { id: item.id, direction });
    };
    const editButton = el("button", { type: "button", class: "button small", text: t("edit"),
      "aria-label": t("edit_label", { title: item.title }), "aria-expanded": "false" });
    const form = itemForm(session, item, `item-${item.id}`);
    form.hidden = true;
    const toggle = (open) => {
      form.hidden = !open;
      editButton.setAttribute("aria-expanded", String(open));
      if (open) form.querySelector("input").focus();
    };
    editButton.addEventListener("click", () => toggle(form.hidden));
    form.addEventListener("submit", async (submit) => {
      submit.preventDefault();
      clearFieldErrors(form);
      try {
        const saved = await call(`/agenda-items/${item.id}`, { method: "PATCH", body: itemBody(form) });
        Object.assign(item, saved);
        draw();
        const button = root.querySelector(`[data-item-id="${item.id}"] [data-edit]`);
        if (button) button.focus();
        announce(t("saved_ok"));
      } catch (error) {
        showFormError(form, error, form.querySelector("[data-status]"));
      }
    });
    form.querySelector("[data-cancel]").addEventListener("click", () => { toggle(false); editButton.focus(); });
    editButton.dataset.edit = "";
    const removeButton = el("button", { type: "button", class: "button small danger", text: t("remove"),
      "aria-label": t("remove_label", { title: item.title }) });
    removeButton.addEventListener("click", async () => {
      if (!confirm(t("confirm_remove", { name: item.title }))) return;
      try {
        await call(`/agenda-items/${item.id}`, { method: "DELETE" });
        session.agenda = session.agenda.filter((i) => i.id !== item.id);
        draw();
        announce(t("removed_ok"));
      } catch (error) {
        say(status, errorMessage(error), { error: true });
      }
    });
    return el("li", { class: `agenda-edit-item kind-${item.kind}`, draggable: "true", dataset: { itemId: item.id } },
      el("div", { class: "agenda-edit-line" },
        el("span", { class: "drag-handle", title: t("drag_handle"), "aria-hidden": "true", text: "⠿" }),
        el("div", { class: "agenda-edit-text" },
          el("span", { class: "agenda-kind", text: kindLabel(item.kind) }),
          el("span", { class: "agenda-title", text: item.title }),
          el("span", { class: "agenda-meta", text: [t("minutes", { n: item.planned_minutes }), names].filter(Boolean).join(" · ") })),
        el("div", { class: "row-actions" },
          el("button", { type: "button", class: "button small icon", "data-move": "up", disabled: index === 0,
            "aria-label": t("move_up_label", { title: item.title }), title: t("move_up"), onclick: () => move("up") }, "↑"),
          el("button", { type: "button", class: "button small icon", "data-move": "down", disabled: index === count - 1,
            "aria-label": t("move_down_label", { title: item.title }), title: t("move_down"), onclick: () => move("down") }, "↓"),
          editButton, removeButton)),
      form);
  }

  /**
   * The form of an item (a new one when `item` is null).
   * @param {Session} session
   * @param {AgendaItem | null} item
   * @param {string} prefix  of the fields' ids
   */
  function itemForm(session, item, prefix) {
    const kind = el("select", { name: "kind" },
      ...Object.entries(kinds()).map(([value, label]) => el("option", { value, text: label })));
    kind.value = item ? item.kind : "topic";
    const chosen = new Set(item ? item.speakers.map((s) => s.id) : []);
    const speakerBox = speakers().length
      ? el("fieldset", { class: "field speaker-choice" }, el("legend", { text: t("speakers") }),
        ...speakers().map((s) => check(`${prefix}-sp-${s.id}`,
          [s.name, s.organisation].filter(Boolean).join(" — "), `speaker-${s.id}`, chosen.has(s.id))))
      : el("p", { class: "hint", text: t("no_speakers") });
    return el("form", { class: "inline-form", novalidate: true },
      field(`${prefix}-title`, t("title"), el("input", { name: "title", value: item ? item.title : "", required: true, maxlength: 500 })),
      el("div", { class: "field-row" },
        field(`${prefix}-kind`, t("kind"), kind),
        field(`${prefix}-minutes`, t("planned_minutes"),
          el("input", { name: "planned_minutes", type: "number", min: 0, max: 600, value: item ? item.planned_minutes : 10 }))),
      speakerBox,
      field(`${prefix}-description`, t("description"), el("textarea", { name: "description", rows: 2 }, item ? item.description : "")),
      el("p", { class: "status-line", role: "status", hidden: true, "data-status": true }),
      el("p", { class: "actions" },
        el("button", { class: "button primary", type: "submit", text: item ? t("save") : t("add_item_button") }),
        item ? el("button", { class: "button", type: "button", text: t("cancel"), "data-cancel": true }) : null));
  }

  /** The API body of an item form. */
  function itemBody(/** @type {HTMLFormElement} */ form) {
    const body = {
      title: form.elements.title.value.trim(),
      kind: form.elements.kind.value,
      planned_minutes: Number(form.elements.planned_minutes.value || 0),
      description: form.elements.description.value.trim(),
      speaker_ids: [],
    };
    for (const speaker of speakers()) {
      const box = form.elements.namedItem(`speaker-${speaker.id}`);
      if (box && box.checked) body.speaker_ids.push(speaker.id);
    }
    return body;
  }

  /**
   * @param {Session} session
   * @param {Draw} draw
   */
  function newItemForm(session, draw) {
    const form = itemForm(session, null, `new-item-${session.id}`);
    form.addEventListener("submit", async (submit) => {
      submit.preventDefault();
      clearFieldErrors(form);
      try {
        const item = await call(`/sessions/${session.id}/agenda`, { method: "POST", body: itemBody(form) });
        session.agenda.push(item);
        draw();
        form.reset();
        form.elements.title.focus();
        announce(t("saved_ok"));
      } catch (error) {
        showFormError(form, error, form.querySelector("[data-status]"));
      }
    });
    return el("details", { class: "add-item" }, el("summary", {}, el("h5", { text: t("add_item") })), form);
  }

  /**
   * Reorder by drag and drop (the arrows do the same from the keyboard).
   * @param {Session} session
   * @param {HTMLElement} list
   * @param {Draw} draw
   * @param {HTMLElement} status
   */
  function bindDragAndDrop(session, list, draw, status) {
    let dragged = null;
    list.addEventListener("dragstart", (event) => {
      const li = event.target.closest("[data-item-id]");
      if (!li) return;
      dragged = Number(li.dataset.itemId);
      li.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(dragged));
    });
    list.addEventListener("dragend", () => {
      for (const node of list.querySelectorAll(".is-dragging, .drop-before, .drop-after")) {
        node.classList.remove("is-dragging", "drop-before", "drop-after");
      }
    });
    list.addEventListener("dragover", (event) => {
      const li = event.target.closest("[data-item-id]");
      if (!li || dragged === null) return;
      event.preventDefault();
      const rect = li.getBoundingClientRect();
      const after = event.clientY > rect.top + rect.height / 2;
      for (const node of list.querySelectorAll(".drop-before, .drop-after")) node.classList.remove("drop-before", "drop-after");
      li.classList.add(after ? "drop-after" : "drop-before");
    });
    list.addEventListener("drop", (event) => {
      const li = event.target.closest("[data-item-id]");
      if (!li || dragged === null) return;
      event.preventDefault();
      const target = Number(li.dataset.itemId);
      const rect = li.getBoundingClientRect();
      const after = event.clientY > rect.top + rect.height / 2;
      const ids = session.agenda.map((i) => i.id).filter((id) => id !== dragged);
      let at = ids.indexOf(target);
      if (at < 0) at = ids.length; else if (after) at += 1;
      ids.splice(at, 0, dragged);
      const moved = dragged;
      dragged = null;
      if (ids.join() === session.agenda.map((i) => i.id).join()) return;
      saveOrder(session, ids, draw, status, { id: moved, direction: "up" });
    });
  }

  return agendaEditor;
}
