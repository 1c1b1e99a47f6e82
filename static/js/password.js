// @ts-check
// Choose a password from an invitation or reset link, then go to one's home (logged in).
import { api, store } from "./api.js";
import { staffHome } from "./staff-home.js";
import { t } from "./i18n.js";

const root = document.getElementById("password");
const form = root.querySelector("[data-password-form]");

if (form) {
  const status = form.querySelector("[data-status]");
  const fail = (message, input) => {
    status.textContent = message;
    status.hidden = false;
    status.className = "status-line form-error";
    if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const password = form.elements.password.value;
    if (password.length < 8) return fail(t("too_short"), form.elements.password);
    if (password !== form.elements.confirm.value) return fail(t("mismatch"), form.elements.confirm);
    try {
      const result = await api("/auth/password", { method: "POST", body: { token: root.dataset.token, password } });
      store.set("staff", { token: result.token, role: result.role, name: result.name });
      status.textContent = t("password_set");
      status.className = "status-line form-ok";
      status.hidden = false;
      location.assign(await staffHome(result.role));
    } catch (error) {
      fail(error.message);
    }
  });
}
