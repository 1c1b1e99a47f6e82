// Join a session with its code and a display name (where the event allows it).
import { api, store } from "./api.js";

const form = document.getElementById("join-form");
const errorBox = document.getElementById("join-error");
const sessionId = Number(form.dataset.sessionId);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  try {
    const result = await api(`/sessions/${sessionId}/join`, {
      method: "POST", body: { name: form.elements.name.value, code: form.dataset.code },
    });
    store.set(`participant:${sessionId}`, result.token);
    location.assign(`/sessions/${sessionId}`);
  } catch (error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
  }
});
