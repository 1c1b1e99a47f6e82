// @ts-check
// The facilitator's home: the events with their links, a new event, a programme import.
import { el } from "./api.js";
import { errorMessage } from "./errors.js";
import { formatLang, t } from "./i18n.js";
import {
  bindLogout, makeCaller, refuseNonFacilitator, requireFacilitator, say, showFormError, clearFieldErrors,
} from "./manage-common.js";

const root = document.getElementById("manage");
const errorBox = root.querySelector("[data-page-error]");
const list = root.querySelector("[data-events]");

/** @param {Record<string, any>} event */
function eventCard(event) {
  const when = event.starts_at ? new Date(event.starts_at).toLocaleDateString(formatLang, {
    day: "numeric", month: "long", year: "numeric",
  }) : "";
  return el("li", { class: "card manage-event", dataset: { slug: event.slug } },
    el("h2", {}, el("a", { href: `/manage/events/${encodeURIComponent(event.slug)}`, text: event.title })),
    el("p", { class: "hint" }, [t("sessions_n", { n: event.session_count }), when].filter(Boolean).join(" · ")),
    el("p", { class: "actions" },
      el("a", { class: "button primary", href: `/manage/events/${encodeURIComponent(event.slug)}`, text: t("edit") }),
      el("a", { class: "button", href: `/manage/events/${encodeURIComponent(event.slug)}/registrations`, text: t("registrations") }),
      el("a", { class: "button", href: `/dashboard/${encodeURIComponent(event.slug)}`, text: t("dashboard") }),
      el("a", { class: "button", href: `/events/${encodeURIComponent(event.slug)}`, text: t("public_page") })));
}

/** @param {(path: string, options?: Record<string, any>) => Promise<any>} call */
async function loadEvents(call) {
  const { events } = await call("/events");
  list.replaceChildren(...(events.length ? events.map(eventCard) : [el("li", { class: "hint", text: t("no_events") })]));
  list.removeAttribute("aria-busy");
}

/** @param {string} text */
function slugify(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
}

function main() {
  const staff = requireFacilitator(root);
  if (!staff) return;
  const call = makeCaller(root, staff);
  bindLogout(root, call);
  if (refuseNonFacilitator(staff, errorBox)) return;
  loadEvents(call).catch((error) => say(errorBox, errorMessage(error), { error: true }));

  const form = root.querySelector("[data-new-event]");
  const status = root.querySelector("[data-new-status]");
  let slugTouched = false;
  form.elements.slug.addEventListener("input", () => { slugTouched = true; });
  form.elements.title.addEventListener("input", () => {
    if (!slugTouched) form.elements.slug.value = slugify(form.elements.title.value);
  });
  form.addEventListener("submit", async (submit) => {
    submit.preventDefault();
    clearFieldErrors(form);
    const body = {
      title: form.elements.title.value.trim(),
      slug: form.elements.slug.value.trim(),
      timezone: form.elements.timezone.value.trim(),
      language: form.elements.language.value,
    };
    try {
      const event = await call("/events", { method: "POST", body });
      say(status, t("created"));
      location.assign(`/manage/events/${encodeURIComponent(event.slug)}`);
    } catch (error) {
      showFormError(form, error, status);
    }
  });

  const importForm = root.querySelector("[data-import]");
  const importStatus = root.querySelector("[data-import-status]");
  importForm.addEventListener("submit", async (submit) => {
    submit.preventDefault();
    const file = importForm.elements.file.files[0];
    if (!file) {
      say(importStatus, t("choose_file"), { error: true });
      importForm.elements.file.focus();
      return;
    }
    try {
      const response = await fetch("/api/v1/events/import", {
        method: "POST",
        headers: { Authorization: `Bearer ${staff.token}`, "Content-Type": "application/yaml", Accept: "application/json" },
        body: await file.text(),
      });
      const data = await response.json();
      if (!response.ok) throw data.error;
      say(importStatus, t("imported", { title: data.title }));
      importForm.reset();
      await loadEvents(call);
    } catch (error) {
      say(importStatus, errorMessage(error), { error: true });
    }
  });
}

main();
