// @ts-check
// The dashboard's actions: the retention delay, the purge of personal data, and sending a
// session's summary to its registrants. Each asks for a confirmation first, then shows what was
// done and keeps the record in view.
import { api, el } from "./api.js";
import { showError } from "./errors.js";
import { announce, t, tn } from "./i18n.js";
import { formatDate } from "./dashboard.js";

/** @type {Parameters<typeof bindActions>[0]} */
let ctx;

function card() { return ctx.root.querySelector("[data-retention-card]"); }

/** @param {Record<string, any>} data  the retention state of the event */
function showRetention(data) {
  const box = card();
  const retention = data.retention;
  const lines = [];
  if (retention.retention_days === null) lines.push(t("retention_keep"));
  else lines.push(tn("retention_days_n", retention.retention_days, { days: retention.retention_days, date: formatDate(retention.purge_due_at) }));
  lines.push(tn("kept_n", data.registrations_kept));
  box.querySelector("[data-retention]").textContent = lines.join(" ");
  const days = box.querySelector("[data-retention-days]");
  const keep = box.querySelector("[data-retention-keep]");
  keep.checked = retention.retention_days === null;
  days.value = retention.retention_days === null ? "" : String(retention.retention_days);
  days.disabled = keep.checked;
  box.dataset.due = retention.due ? "true" : "false";
  const list = box.querySelector("[data-purges]");
  list.replaceChildren(...(data.purges.length ? data.purges.map((p) => el("li", {
    text: tn("purge_record_n", p.registrations, { date: formatDate(p.purged_at), who: p.by || t("cli") })
      + (p.forced ? ` (${t("forced")})` : ""),
  })) : [el("li", { class: "hint", text: t("none") })]));
}

/** Load and show the retention card (when the purge is due, what it removes). */
export async function loadRetention() {
  try {
    showRetention(await api(`/events/${encodeURIComponent(ctx.slug)}/retention`, { token: ctx.token }));
  } catch (error) {
    ctx.onError(error);
  }
}

function bindRetention() {
  const box = card();
  const form = box.querySelector("[data-retention-form]");
  const days = box.querySelector("[data-retention-days]");
  const keep = box.querySelector("[data-retention-keep]");
  keep.addEventListener("change", () => { days.disabled = keep.checked; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    ctx.showError(null);
    const value = keep.checked ? null : Number.parseInt(days.value, 10);
    try {
      const data = await api(`/events/${encodeURIComponent(ctx.slug)}/retention`, {
        method: "PUT", token: ctx.token, body: { retention_days: Number.isNaN(value) ? -1 : value },
      });
      showRetention(data);
      announce(t("retention_saved"));
    } catch (error) {
      ctx.onError(error);
    }
  });

  const open = box.querySelector("[data-purge-open]");
  const confirmBox = box.querySelector("[data-purge-confirm]");
  const slugInput = box.querySelector("[data-purge-slug]");
  const close = () => {
    confirmBox.hidden = true;
    open.setAttribute("aria-expanded", "false");
    open.focus();
  };
  open.addEventListener("click", () => {
    const due = box.dataset.due === "true";
    box.querySelector("[data-purge-warning]").textContent = t("purge_due_warning")
      + (due ? "" : ` ${t("purge_early_warning")}`);
    confirmBox.hidden = false;
    open.setAttribute("aria-expanded", "true");
    slugInput.value = "";
    slugInput.focus();
  });
  box.querySelector("[data-purge-cancel]").addEventListener("click", close);
  box.querySelector("[data-purge-do]").addEventListener("click", async () => {
    ctx.showError(null);
    if (slugInput.value.trim() !== ctx.slug) {
      ctx.showError({ message: t("purge_slug_wrong") });
      slugInput.focus();
      return;
    }
    try {
      const data = await api(`/events/${encodeURIComponent(ctx.slug)}/purge`, {
        method: "POST", token: ctx.token, body: { confirm: ctx.slug, force: box.dataset.due !== "true" },
      });
      showRetention(data);
      close();
      announce(t("purged_done"));
      box.querySelector("[data-retention]").textContent += ` ${t("purged_done")}`;
    } catch (error) {
      ctx.onError(error);
    }
  });
}

/** @param {Array<Record<string, any>>} mailings */
function mailRecords(mailings) {
  return mailings.map((m) => el("li", {
    text: tn("mail_record_n", m.recipients, { date: formatDate(m.sent_at), who: m.by || "—" }),
  }));
}

/**
 * @param {HTMLElement} box
 * @param {Record<string, any>} data
 * @param {HTMLButtonElement} button
 */
function renderMail(box, data, button) {
  const done = el("ul", { class: "dash-record" }, mailRecords(data.mailings));
  if (!data.final) {
    box.replaceChildren(el("p", { text: t("mail_not_final") }), done);
    return;
  }
  if (!data.recipients) {
    box.replaceChildren(el("p", { text: t("mail_nobody") }), done);
    return;
  }
  const send = el("button", { type: "button", class: "button primary", text: t("mail_send") });
  const cancel = el("button", { type: "button", class: "button", text: t("mail_cancel") });
  cancel.addEventListener("click", () => {
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  });
  send.addEventListener("click", async () => {
    ctx.showError(null);
    send.disabled = true;
    try {
      const sent = await api(`/sessions/${data.session_id}/summary-mail`, {
        method: "POST", token: ctx.token, body: { confirm: true, lang: data.language },
      });
      box.replaceChildren(el("p", { class: "dash-done", text: t("mail_sent") }),
        el("ul", { class: "dash-record" }, mailRecords(sent.mailings)));
      announce(t("mail_sent"));
    } catch (error) {
      send.disabled = false;
      // Said where the facilitator is looking, beside the button.
      showError(problem, error || t("error"));
      if (error.status === 401 || error.status === 403) ctx.onError(error);
    }
  });
  const problem = el("p", { class: "form-error", role: "alert", hidden: true });
  box.replaceChildren(
    el("p", { text: tn("mail_recipients_n", data.recipients) }),
    el("p", {}, el("strong", { text: `${t("mail_subject")} ` }), data.subject),
    el("pre", { class: "dash-mail-text", text: data.text }),
    el("p", { class: "actions" }, send, cancel),
    problem,
    done,
  );
  send.focus();
}

function bindMail() {
  for (const button of ctx.root.querySelectorAll("[data-mail-open]")) {
    const sessionCard = button.closest("[data-session-id]");
    const box = sessionCard.querySelector("[data-mail-box]");
    button.addEventListener("click", async () => {
      if (button.getAttribute("aria-expanded") === "true") {
        box.hidden = true;
        button.setAttribute("aria-expanded", "false");
        return;
      }
      ctx.showError(null);
      box.hidden = false;
      box.replaceChildren(el("p", { class: "hint", text: t("loading") }));
      button.setAttribute("aria-expanded", "true");
      try {
        const data = await api(`/sessions/${sessionCard.dataset.sessionId}/summary-mail?lang=${encodeURIComponent(ctx.lang)}`, { token: ctx.token });
        renderMail(box, data, button);
      } catch (error) {
        box.hidden = true;
        button.setAttribute("aria-expanded", "false");
        ctx.onError(error);
      }
    });
  }
}

/**
 * Bind the retention, purge and mailing actions of the dashboard.
 * @param {{root: HTMLElement, slug: string, token: string, lang: string,
 *   onError: (error: any) => void, showError: (error: any) => void}} context
 */
export function bindActions(context) {
  ctx = context;
  bindRetention();
  bindMail();
}
