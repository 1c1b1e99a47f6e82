// @ts-check
// The registration list: search, per-session attendance, remove, copy a personal link, CSV.
import { el } from "./api.js";
import { errorMessage } from "./errors.js";
import { announce, t } from "./i18n.js";
import {
  bindLogout, copyText, download, makeCaller, refuseNonFacilitator, requireFacilitator, say,
} from "./manage-common.js";

const root = document.getElementById("registrations");
const slug = root.dataset.eventSlug;
const errorBox = root.querySelector("[data-page-error]");
const status = root.querySelector("[data-status]");
const PER_PAGE = 50;
let call;
let query = "";
let page = 1;

/**
 * @param {Record<string, any>} reg
 * @param {Array<Record<string, any>>} sessions
 */
function attendance(reg, sessions) {
  return sessions.map((s, i) => {
    const joined = reg.attended_session_ids.includes(s.id);
    const chosen = reg.session_ids.includes(s.id);
    if (!joined && !chosen) return null;
    const state = joined ? t("joined") : t("registered");
    return el("span", { class: `attend ${joined ? "attend-joined" : "attend-chosen"}`,
      title: `${s.title}: ${state}`, "aria-label": t("session_state", { n: i + 1, state }) }, String(i + 1));
  });
}

/**
 * @param {Record<string, any>} reg
 * @param {Array<Record<string, any>>} sessions
 */
function row(reg, sessions) {
  const copy = el("button", { type: "button", class: "button small", text: t("copy_link"),
    "aria-label": t("copy_link_of", { name: reg.name }) });
  copy.addEventListener("click", async () => {
    try {
      const answer = await call(`/registrations/${reg.id}/link`, { method: "POST" });
      const link = Object.values(answer.join_links)[0] || "";
      const box = root.querySelector("[data-link-box]");
      const input = box.querySelector("input");
      input.value = link;
      box.hidden = false;
      const copied = await copyText(link, input);
      say(status, copied ? t("copied") : t("copy_manually"));
      // Said where the person clicked too: the status line is below the whole table.
      if (copied) {
        copy.textContent = t("copied");
        setTimeout(() => { copy.textContent = t("copy_link"); }, 2500);
      }
    } catch (error) {
      say(status, errorMessage(error), { error: true });
    }
  });
  const remove = el("button", { type: "button", class: "button small danger", text: t("remove"),
    "aria-label": t("remove_of", { name: reg.name }) });
  remove.addEventListener("click", async () => {
    if (!confirm(t("confirm_remove_registration", { name: reg.name }))) return;
    try {
      await call(`/registrations/${reg.id}`, { method: "DELETE" });
      say(status, t("removed_ok"));
      await load();
    } catch (error) {
      say(status, errorMessage(error), { error: true });
    }
  });
  return el("tr", { dataset: { registrationId: reg.id } },
    el("td", { text: reg.name }),
    el("td", { text: reg.email }),
    el("td", { text: reg.organisation }),
    el("td", {}, attendance(reg, sessions)),
    el("td", {}, el("div", { class: "row-actions" }, copy, remove)));
}

async function load() {
  const params = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE) });
  if (query) params.set("q", query);
  const answer = await call(`/events/${encodeURIComponent(slug)}/registrations?${params}`);
  const rows = root.querySelector("[data-rows]");
  rows.replaceChildren(...(answer.registrations.length
    ? answer.registrations.map((r) => row(r, answer.sessions))
    : [el("tr", {}, el("td", { colspan: 5, class: "hint", text: t("none_found") }))]));
  const pages = Math.max(1, Math.ceil(answer.total / PER_PAGE));
  root.querySelector("[data-count]").textContent = t("count", { n: answer.total });
  root.querySelector("[data-page]").textContent = t("page", { page, pages });
  root.querySelector("[data-prev]").disabled = page <= 1;
  root.querySelector("[data-next]").disabled = page >= pages;
}

function main() {
  const staff = requireFacilitator(root);
  if (!staff) return;
  call = makeCaller(root, staff);
  bindLogout(root, call);
  if (refuseNonFacilitator(staff, errorBox)) return;
  const fail = (error) => say(errorBox, errorMessage(error), { error: true });
  root.querySelector("[data-search]").addEventListener("submit", (event) => {
    event.preventDefault();
    query = event.target.elements.q.value.trim();
    page = 1;
    load().then(() => announce(root.querySelector("[data-count]").textContent)).catch(fail);
  });
  root.querySelector("[data-prev]").addEventListener("click", () => { page -= 1; load().catch(fail); });
  root.querySelector("[data-next]").addEventListener("click", () => { page += 1; load().catch(fail); });
  root.querySelector("[data-csv]").addEventListener("click", () =>
    download(staff, `/events/${encodeURIComponent(slug)}/registrations.csv`, `${slug}-registrations.csv`).catch(fail));
  load().catch(fail);
}

main();
