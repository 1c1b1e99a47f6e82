// @ts-check
// Join a session with its code and a display name (where the event allows it).
import { api, store } from "./api.js";
import { showError } from "./errors.js";
import { t } from "./i18n.js";

const form = document.getElementById("join-form");
const errorBox = document.getElementById("join-error");
const sessionId = Number(form.dataset.sessionId);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorBox, null);
  const name = form.elements.name.value.trim();
  if (!name) {
    showError(errorBox, t("name_needed"));
    form.elements.name.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const result = await api(`/sessions/${sessionId}/join`, {
      method: "POST", body: { name, code: form.dataset.code },
    });
    store.set(`participant:${sessionId}`, result.token);
    location.assign(`/sessions/${sessionId}`);
  } catch (error) {
    showError(errorBox, error);
    button.disabled = false;
  }
});
