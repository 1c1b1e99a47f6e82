// @ts-check
// The registration form: posts to the API, then shows the personal join links.
import { api, el, store } from "./api.js";
import { errorMessage, showError } from "./errors.js";
import { t } from "./i18n.js";

const form = document.getElementById("register-form");
const errorBox = document.getElementById("register-error");
const slug = form.dataset.slug;

/** Take away every field's error mark. */
function clearFieldErrors() {
  for (const node of form.querySelectorAll("[data-field-error]")) node.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    const ids = (input.getAttribute("aria-describedby") || "").split(" ")
      .filter((id) => id && !id.startsWith("err-"));
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }
}

/** Mark the field ``name`` as wrong, with ``message`` next to it; return its first control. */
function markField(name, message) {
  const controls = [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)];
  if (!controls.length) return null;
  const id = `err-${name}`;
  const holder = controls[0].closest("fieldset, .field") || controls[0].parentElement;
  if (!holder.querySelector(`#${CSS.escape(id)}`)) {
    holder.append(el("p", { class: "field-error", id, "data-field-error": "" }, message));
  }
  for (const control of controls) {
    control.setAttribute("aria-invalid", "true");
    const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!ids.includes(id)) control.setAttribute("aria-describedby", [...ids, id].join(" "));
  }
  return controls[0];
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorBox, null);
  clearFieldErrors();
  const data = new FormData(form);
  const sessionIds = data.getAll("session_ids").map(Number);
  if (!sessionIds.length) {
    showError(errorBox, t("choose_session"));
    markField("session_ids", t("choose_session"))?.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const result = await api(`/events/${slug}/registrations`, {
      method: "POST",
      body: {
        name: data.get("name"), email: data.get("email"),
        organisation: data.get("organisation") || "", profile: data.get("profile"),
        session_ids: sessionIds,
      },
    });
    store.set(`registration:${slug}`, result.token);
    const list = document.getElementById("register-links");
    for (const input of form.querySelectorAll("input[name=session_ids]:checked")) {
      const link = result.join_links[input.value];
      list.append(el("li", {}, el("a", { href: link, text: t("join_session", { title: input.dataset.title }) })));
    }
    const done = document.getElementById("register-done");
    const many = list.children.length > 1;
    for (const node of done.querySelectorAll("[data-links-one]")) node.hidden = many;
    for (const node of done.querySelectorAll("[data-links-many]")) node.hidden = !many;
    form.hidden = true;
    // The page's title says where the person now is (it said "Register").
    const heading = done.querySelector("h2");
    document.querySelector("#register-card h1").textContent = heading.textContent;
    heading.hidden = true;
    done.hidden = false;
    done.focus();
  } catch (error) {
    // Each field at fault shows its own message; the box above the button sums up.
    let first = null;
    let unplaced = false;
    for (const detail of error.details || []) {
      const name = String(detail.field || "").split(".")[0];
      // A field left empty is "required", whatever the API finds wrong with "" (an address "not
      // valid", a profile not in the list).
      const empty = name !== "session_ids" && !String(data.get(name) || "").trim();
      const control = markField(name, empty ? t("required") : detail.problem);
      if (control) first = first || control;
      else unplaced = true;
    }
    showError(errorBox, first && !unplaced ? t("fix_fields") : errorMessage(error));
    (first || errorBox).focus();
  } finally {
    button.disabled = false;
  }
});
