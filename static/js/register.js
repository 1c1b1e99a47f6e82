// The registration form: posts to the API, then shows the personal join links.
import { api, el, store } from "./api.js";
import { t } from "./i18n.js";

const form = document.getElementById("register-form");
const errorBox = document.getElementById("register-error");
const slug = form.dataset.slug;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const data = new FormData(form);
  const sessionIds = data.getAll("session_ids").map(Number);
  if (!sessionIds.length) {
    errorBox.textContent = t("choose_session");
    errorBox.hidden = false;
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
    form.hidden = true;
    const done = document.getElementById("register-done");
    done.hidden = false;
    done.focus();
  } catch (error) {
    const details = (error.details || []).map((d) => d.field).join(", ");
    errorBox.textContent = error.message + (details && !error.message.includes(details) ? ` (${details})` : "");
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
});
