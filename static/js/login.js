// @ts-check
// Staff login: keeps the token in this browser, then goes where the person was headed.
import { api, store } from "./api.js";
import { showError } from "./errors.js";
import { staffHome } from "./staff-home.js";

const form = document.getElementById("login-form");
const errorBox = document.getElementById("login-error");

// Only a path of this site: parsed as the browser will, not prefix-matched ("/\\evil.example"
// and "/\t/evil.example" start with "/" yet leave the site).
/**
 * @param {string | undefined} next
 * @param {string} fallback
 */
function sameOriginPath(next, fallback) {
  if (!next || !next.startsWith("/") || /[\\\u0000-\u001f\u007f-\u009f]/.test(next)) return fallback;
  try {
    const url = new URL(next, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : fallback;
  } catch {
    return fallback;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorBox, null);
  try {
    const result = await api("/auth/login", {
      method: "POST",
      body: { email: form.elements.email.value, password: form.elements.password.value },
    });
    store.set("staff", { token: result.token, role: result.role, name: result.name });
    const next = sameOriginPath(form.dataset.next, "");
    location.assign(next || await staffHome(result.role));
  } catch (error) {
    showError(errorBox, error);
  }
});
