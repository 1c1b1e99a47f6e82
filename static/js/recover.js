// @ts-check
// "Lost your link?": ask for the personal link to be mailed again; on the login page, "Forgot
// your password?" the same way (a form's data-endpoint).
import { api } from "./api.js";
import { showError } from "./errors.js";

for (const form of document.querySelectorAll(".recover-form")) {
  const errorBox = form.querySelector("[data-recover-error]");
  const done = form.querySelector("[data-recover-done]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(errorBox, null);
    done.textContent = "";
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const endpoint = form.dataset.endpoint || `/events/${form.dataset.slug}/registrations/recover`;
      const result = await api(endpoint, {
        method: "POST", body: { email: form.elements.email.value.trim() },
      });
      done.textContent = result.message;
    } catch (error) {
      showError(errorBox, error);
    } finally {
      button.disabled = false;
    }
  });
}

// A link to the "lost link" box (/events/<slug>#lost-link, from a broken personal link): open it.
const wanted = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
if (wanted instanceof HTMLDetailsElement && wanted.classList.contains("recover")) wanted.open = true;
