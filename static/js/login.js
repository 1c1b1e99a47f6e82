// Staff login: keeps the token in this browser, then goes where the person was headed.
import { api, store } from "./api.js";

const form = document.getElementById("login-form");
const errorBox = document.getElementById("login-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  try {
    const result = await api("/auth/login", {
      method: "POST",
      body: { email: form.elements.email.value, password: form.elements.password.value },
    });
    store.set("staff", { token: result.token, role: result.role, name: result.name });
    const next = form.dataset.next;
    const home = result.role === "facilitator" ? "/manage" : "/";
    location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : home);
  } catch (error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
  }
});
