// @ts-check
// The event editor: the event's fields, its sessions with their agenda, and its speakers.
// Everything is saved through the workspace API; a live session's room hears each change.
import { el } from "./api.js";
import { errorMessage } from "./errors.js";
import { announce, t } from "./i18n.js";
import {
  bindLogout, check, clearFieldErrors, copyText, download, field, formValues, makeCaller,
  refuseNonFacilitator, requireFacilitator, say, showFormError,
} from "./manage-common.js";
import { agendaEditors } from "./manage-agenda.js";

const root = document.getElementById("editor");
let slug = root.dataset.eventSlug;
const errorBox = root.querySelector("[data-page-error]");
/** @type {(path: string, options?: Record<string, any>) => Promise<any>} */
let call;
/** @type {Record<string, any>} the event as the editor API answers it */
let data;
/** @type {ReturnType<typeof agendaEditors>} */
let agendaEditor;

// ---------------------------------------------------------------- the event

function renderEventForm() {
  const form = root.querySelector("[data-event-form]");
  const language = el("select", { name: "language" },
    el("option", { value: "fr", text: "Français" }), el("option", { value: "en", text: "English" }));
  language.value = data.language;
  form.replaceChildren(
    field("ev-title", t("title"), el("input", { name: "title", value: data.title, required: true, maxlength: 300 })),
    field("ev-slug", t("web_address"), el("input", { name: "slug", value: data.slug, required: true, maxlength: 80 })),
    field("ev-description", t("description"), el("textarea", { name: "description", rows: 4 }, data.description)),
    el("div", { class: "field-row" },
      field("ev-timezone", t("timezone"), el("input", { name: "timezone", value: data.timezone, required: true })),
      field("ev-language", t("language"), language)),
    check("ev-registration", t("registration_required"), "registration_required", data.registration_required),
    check("ev-code", t("code_join_allowed"), "code_join_allowed", data.code_join_allowed),
    field("ev-contact", t("contact"), el("textarea", { name: "contact", rows: 2 }, data.contact)),
    field("ev-follow-up", t("follow_up"), el("textarea", { name: "follow_up", rows: 2 }, data.follow_up)),
    field("ev-retention", t("retention_days"),
      el("input", { name: "retention_days", type: "number", min: 1, max: 3650, value: data.retention_days ?? "" }),
      t("retention_hint")),
    el("p", { class: "status-line", role: "status", hidden: true, "data-status": true }),
    el("button", { class: "button primary", type: "submit", text: t("save_event") }));
  form.onsubmit = async (submit) => {
    submit.preventDefault();
    clearFieldErrors(form);
    const values = formValues(form);
    values.retention_days = values.retention_days === "" ? null : Number(values.retention_days);
    const status = form.querySelector("[data-status]");
    try {
      const previousSlug = slug;
      data = await call(`/events/${encodeURIComponent(slug)}`, { method: "PATCH", body: values });
      slug = data.slug;
      root.querySelector("[data-event-title]").textContent = data.title;
      document.title = document.title.replace(/—.*$/, `— ${data.title}`);
      if (slug !== previousSlug) {
        history.replaceState(null, "", `/manage/events/${encodeURIComponent(slug)}`);
        root.querySelector("[data-public-link]").href = `/events/${encodeURIComponent(slug)}`;
        root.querySelector("[data-registrations-link]").href = `/manage/events/${encodeURIComponent(slug)}/registrations`;
        root.querySelector("[data-dashboard-link]").href = `/dashboard/${encodeURIComponent(slug)}`;
      }
      say(status, t("saved_ok"));
      await reload();  // times are shown in the event's time zone, which may have changed
    } catch (error) {
      showFormError(form, error, status);
    }
  };
}

// ---------------------------------------------------------------- speakers

/**
 * @param {string} prefix  of the fields' ids
 * @param {Record<string, any>} [speaker]
 */
function speakerFields(prefix, speaker = {}) {
  return [
    field(`${prefix}-name`, t("name"), el("input", { name: "name", value: speaker.name || "", required: true, maxlength: 200 })),
    field(`${prefix}-role`, t("role"), el("input", { name: "role", value: speaker.role || "", maxlength: 300 })),
    field(`${prefix}-org`, t("organisation"), el("input", { name: "organisation", value: speaker.organisation || "", maxlength: 300 })),
    field(`${prefix}-bio`, t("bio"), el("textarea", { name: "bio", rows: 3 }, speaker.bio || "")),
  ];
}

function renderSpeakers() {
  const list = root.querySelector("[data-speakers]");
  list.replaceChildren(...(data.speakers.length ? data.speakers.map(speakerRow) : [el("li", { class: "hint", text: t("none_yet") })]));
  const form = root.querySelector("[data-new-speaker]");
  form.replaceChildren(...speakerFields("new-speaker"),
    el("p", { class: "status-line", role: "status", hidden: true, "data-status": true }),
    el("button", { class: "button primary", type: "submit", text: t("add_speaker_button") }));
  form.onsubmit = async (submit) => {
    submit.preventDefault();
    clearFieldErrors(form);
    const status = form.querySelector("[data-status]");
    try {
      const speaker = await call(`/events/${encodeURIComponent(slug)}/speakers`, { method: "POST", body: formValues(form) });
      data.speakers.push(speaker);
      renderSpeakers();
      renderSessions();
      say(root.querySelector("[data-new-speaker] [data-status]"), t("saved_ok"));
      root.querySelector("#new-speaker-name").focus();
    } catch (error) {
      showFormError(form, error, status);
    }
  };
}

/** @param {Record<string, any>} speaker */
function speakerRow(speaker) {
  const details = [speaker.role, speaker.organisation].filter(Boolean).join(", ");
  const editButton = el("button", { type: "button", class: "button small", text: t("edit"),
    "aria-label": t("edit_label", { title: speaker.name }), "aria-expanded": "false" });
  const removeButton = el("button", { type: "button", class: "button small danger", text: t("remove"),
    "aria-label": t("remove_label", { title: speaker.name }) });
  const linkButton = el("button", { type: "button", class: "button small", text: t("speaker_link"),
    "aria-label": t("speaker_link_of", { title: speaker.name }) });
  const status = el("p", { class: "status-line", role: "status", hidden: true });
  const linkInput = el("input", { id: `speaker-${speaker.id}-link`, readonly: true });
  const linkBox = el("div", { class: "link-box", hidden: true },
    el("label", { for: linkInput.id, text: t("speaker_link_label", { title: speaker.name }) }), linkInput,
    el("p", { class: "hint", text: t("speaker_link_hint") }));
  // A new link replaces the previous one: the speaker view opened with the old one stops.
  linkButton.addEventListener("click", async () => {
    // Said before, not after: the speaker may already have the old link in a mail.
    if (speaker.link_issued && !confirm(t("speaker_link_replace", { name: speaker.name }))) return;
    try {
      const answer = await call(`/speakers/${speaker.id}/link`, { method: "POST" });
      speaker.link_issued = true;
      linkInput.value = answer.url;
      linkBox.hidden = false;
      const copied = await copyText(answer.url, linkInput);
      say(status, copied ? t("copied") : t("copy_manually"));
    } catch (error) {
      say(status, errorMessage(error), { error: true });
    }
  });
  const form = el("form", { class: "inline-form", hidden: true, novalidate: true },
    ...speakerFields(`speaker-${speaker.id}`, speaker),
    el("p", { class: "actions" },
      el("button", { class: "button primary", type: "submit", text: t("save") }),
      el("button", { class: "button", type: "button", text: t("cancel"), onclick: () => toggle(false) })));
  const toggle = (open) => {
    form.hidden = !open;
    editButton.setAttribute("aria-expanded", String(open));
    if (open) form.querySelector("input").focus();
    else editButton.focus();
  };
  editButton.addEventListener("click", () => toggle(form.hidden));
  form.addEventListener("submit", async (submit) => {
    submit.preventDefault();
    clearFieldErrors(form);
    try {
      const saved = await call(`/speakers/${speaker.id}`, { method: "PATCH", body: formValues(form) });
      Object.assign(speaker, saved);
      await reload();
      say(errorBox, null);
      announce(t("saved_ok"));
    } catch (error) {
      showFormError(form, error, status);
    }
  });
  removeButton.addEventListener("click", async () => {
    if (!confirm(t("confirm_remove", { name: speaker.name }))) return;
    try {
      await call(`/speakers/${speaker.id}`, { method: "DELETE" });
      await reload();
      announce(t("removed_ok"));
    } catch (error) {
      say(status, errorMessage(error), { error: true });
    }
  });
  return el("li", { class: "speaker-row", dataset: { speakerId: speaker.id } },
    el("div", { class: "speaker-line" },
      el("div", {}, el("strong", { text: speaker.name }), details ? el("span", { class: "hint", text: ` — ${details}` }) : null),
      el("div", { class: "row-actions" }, linkButton, editButton, removeButton)),
    status, linkBox, form);
}

// ---------------------------------------------------------------- sessions

const localInput = (iso) => (iso ? iso.slice(0, 16) : "");
const withSeconds = (value) => (value && value.length === 16 ? `${value}:00` : value);

/**
 * @param {string} prefix  of the fields' ids
 * @param {Record<string, any>} [session]
 */
function sessionFields(prefix, session = {}) {
  return [
    field(`${prefix}-title`, t("title"), el("input", { name: "title", value: session.title || "", required: true, maxlength: 300 })),
    el("div", { class: "field-row" },
      field(`${prefix}-starts`, t("starts_at"), el("input", { name: "starts_at", type: "datetime-local", value: localInput(session.starts_at), required: true }),
        t("times_hint", { tz: data.timezone })),
      field(`${prefix}-ends`, t("ends_at"), el("input", { name: "ends_at", type: "datetime-local", value: localInput(session.ends_at), required: true }))),
    field(`${prefix}-url`, t("webconference_url"),
      el("input", { name: "webconference_url", type: "url", value: session.webconference_url || "", maxlength: 1000, placeholder: "https://" }),
      t("webconference_hint")),
    field(`${prefix}-description`, t("description"), el("textarea", { name: "description", rows: 3 }, session.description || "")),
  ];
}

/** @param {HTMLFormElement} form */
function sessionBody(form) {
  const values = formValues(form);
  values.starts_at = withSeconds(values.starts_at);
  values.ends_at = withSeconds(values.ends_at);
  return values;
}

function renderSessions() {
  const box = root.querySelector("[data-sessions]");
  box.removeAttribute("aria-busy");
  box.replaceChildren(...(data.sessions.length
    ? data.sessions.map((s, index) => sessionCard(s, index))
    : [el("p", { class: "hint", text: t("no_sessions") })]));
  const form = root.querySelector("[data-new-session]");
  form.replaceChildren(...sessionFields("new-session"),
    el("p", { class: "status-line", role: "status", hidden: true, "data-status": true }),
    el("button", { class: "button primary", type: "submit", text: t("add_session") }));
  form.onsubmit = async (submit) => {
    submit.preventDefault();
    clearFieldErrors(form);
    try {
      const session = await call(`/events/${encodeURIComponent(slug)}/sessions`, { method: "POST", body: sessionBody(form) });
      await reload();
      const card = root.querySelector(`[data-session-id="${session.id}"]`);
      if (card) card.querySelector("h3").focus();
      announce(t("saved_ok"));
    } catch (error) {
      showFormError(form, error, form.querySelector("[data-status]"));
    }
  };
}

/**
 * @param {Record<string, any>} session
 * @param {number} index
 */
function sessionCard(session, index) {
  const prefix = `session-${session.id}`;
  const status = el("p", { class: "status-line", role: "status", hidden: true });
  const form = el("form", { class: "session-form", novalidate: true }, ...sessionFields(prefix, session),
    el("p", { class: "actions" },
      el("button", { class: "button primary", type: "submit", text: t("save") }),
      el("button", { class: "button danger", type: "button", text: t("remove_session"), "data-remove-session": true })),
    status);
  form.addEventListener("submit", async (submit) => {
    submit.preventDefault();
    clearFieldErrors(form);
    try {
      const saved = await call(`/sessions/${session.id}`, { method: "PATCH", body: sessionBody(form) });
      Object.assign(session, saved);
      say(status, t("saved_ok"));
    } catch (error) {
      showFormError(form, error, status);
    }
  });
  form.querySelector("[data-remove-session]").addEventListener("click", async () => {
    if (!confirm(t("confirm_remove", { name: session.title }))) return;
    try {
      await call(`/sessions/${session.id}`, { method: "DELETE" });
      await reload();
      announce(t("removed_ok"));
      root.querySelector("#sessions-title").focus();
    } catch (error) {
      say(status, errorMessage(error), { error: true });
    }
  });
  const statusLabel = t("status")[session.status] || session.status;
  return el("section", { class: "card session-editor", dataset: { sessionId: session.id }, "aria-labelledby": `${prefix}-heading` },
    el("div", { class: "session-editor-head" },
      el("h3", { id: `${prefix}-heading`, tabindex: "-1" }, `${index + 1}. ${session.title}`),
      el("p", { class: "hint" },
        el("span", { class: `status status-${session.status}`, text: statusLabel }), " ",
        // The code opens nothing while the event lets people in by personal link only.
        ...(data.code_join_allowed
          ? [`${t("join_code")} `, el("strong", { class: "join-code", text: session.join_code }), " · "]
          : []),
        el("a", { href: `/console/${session.id}`, text: t("open_console") }))),
    session.status === "live" ? el("p", { class: "live-note", text: t("live_note") }) : null,
    el("details", {}, el("summary", {}, el("h4", { text: t("session_details") })), form),
    agendaEditor(session));
}

// ---------------------------------------------------------------- loading

async function reload() {
  data = await call(`/events/${encodeURIComponent(slug)}/editor`);
  renderSpeakers();
  renderSessions();
}

async function main() {
  const staff = requireFacilitator(root);
  if (!staff) return;
  call = makeCaller(root, staff);
  agendaEditor = agendaEditors({ call, speakers: () => data.speakers, root });
  bindLogout(root, call);
  if (refuseNonFacilitator(staff, errorBox)) return;
  root.querySelector("[data-export]").addEventListener("click", async () => {
    try {
      await download(staff, `/events/${encodeURIComponent(slug)}/programme.yaml`, `${slug}.yaml`);
    } catch (error) {
      say(errorBox, errorMessage(error), { error: true });
    }
  });
  try {
    data = await call(`/events/${encodeURIComponent(slug)}/editor`);
  } catch (error) {
    say(errorBox, errorMessage(error), { error: true });
    return;
  }
  renderEventForm();
  renderSpeakers();
  renderSessions();
}

main();
