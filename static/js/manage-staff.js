// @ts-check
// Staff accounts: invite (mailed, and the set-password link shown to copy), change a role, revoke.
import { el } from "./api.js";
import { errorMessage } from "./errors.js";
import { t } from "./i18n.js";
import {
  bindLogout, clearFieldErrors, copyText, makeCaller, refuseNonFacilitator, requireFacilitator, say, showFormError,
} from "./manage-common.js";

const root = document.getElementById("staff");
const errorBox = root.querySelector("[data-page-error]");
const status = root.querySelector("[data-status]");
let call;
let me;

/**
 * The invitation's link, to pass on: as a fallback when the mail went, as the way otherwise.
 * @param {string} link
 * @param {boolean} mailed
 */
function showLink(link, mailed) {
  const box = root.querySelector("[data-invite-link]");
  const input = box.querySelector("input");
  box.querySelector("[data-invite-mailed]").hidden = !mailed;
  box.querySelector("[data-invite-manual]").hidden = mailed;
  input.value = link;
  box.hidden = false;
  input.focus();
  input.select();
}

/**
 * @param {{email: string, role: string}} body
 * @param {HTMLElement | null} statusNode
 */
async function invite(body, statusNode) {
  const answer = await call("/staff/invitations", { method: "POST", body });
  say(statusNode, t(answer.mailed ? "invited_mailed" : "invited", { email: body.email }));
  showLink(answer.link, Boolean(answer.mailed));
  await load();
}

/** @param {Record<string, any>} account */
function row(account) {
  const role = el("select", { "aria-label": t("role_of", { email: account.email }), disabled: account.status === "revoked" },
    ...Object.entries(t("roles")).map(([value, label]) => el("option", { value, text: label })));
  role.value = account.role;
  role.addEventListener("change", async () => {
    try {
      await call(`/staff/${account.id}`, { method: "PATCH", body: { role: role.value } });
      say(status, t("role_changed"));
    } catch (error) {
      role.value = account.role;
      say(status, errorMessage(error), { error: true });
    }
  });
  const actions = [];
  if (account.status === "revoked" || account.status === "invited") {
    actions.push(el("button", { type: "button", class: "button small", text: t("reinvite"),
      "aria-label": t("reinvite_of", { email: account.email }),
      onclick: () => invite({ email: account.email, role: account.role }, status).catch((e) => say(status, errorMessage(e), { error: true })) }));
  }
  if (account.status !== "revoked" && account.email !== me) {
    actions.push(el("button", { type: "button", class: "button small danger", text: t("revoke"),
      "aria-label": t("revoke_of", { email: account.email }),
      onclick: async () => {
        if (!confirm(t("confirm_revoke", { email: account.email }))) return;
        try {
          await call(`/staff/${account.id}`, { method: "DELETE" });
          say(status, t("revoked"));
          await load();
        } catch (error) {
          say(status, errorMessage(error), { error: true });
        }
      } }));
  }
  return el("tr", { dataset: { staffId: account.id } },
    el("td", {}, account.email, account.email === me ? el("span", { class: "hint", text: ` (${t("you")})` }) : null),
    el("td", {}, role),
    el("td", {}, el("span", { class: `status status-${account.status}`, text: t("states")[account.status] })),
    el("td", {}, el("div", { class: "row-actions" }, ...actions)));
}

async function load() {
  const { staff } = await call("/staff");
  root.querySelector("[data-rows]").replaceChildren(...staff.map(row));
}

async function main() {
  const staff = requireFacilitator(root);
  if (!staff) return;
  call = makeCaller(root, staff);
  bindLogout(root, call);
  if (refuseNonFacilitator(staff, errorBox)) return;
  // The form works before the list arrives: on a slow line a quick inviter must not
  // submit the bare HTML form (a page reload that loses what was typed).
  const form = root.querySelector("[data-invite]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = { email: form.elements.email.value.trim(), role: form.elements.role.value };
    if (form.elements.name.value.trim()) body.name = form.elements.name.value.trim();
    try {
      await invite(body, root.querySelector("[data-invite-status]"));
      form.reset();
    } catch (error) {
      showFormError(form, error, root.querySelector("[data-invite-status]"));
    }
  });
  root.querySelector("[data-copy]").addEventListener("click", async () => {
    const input = root.querySelector("#invite-link");
    const copied = await copyText(input.value, input);
    say(root.querySelector("[data-invite-status]"), copied ? t("copied") : t("copy_manually"));
  });
  try {
    const who = await call("/auth/me");
    const list = await call("/staff");
    const mine = list.staff.find((s) => s.id === who.id);
    me = mine ? mine.email : null;
    await load();
  } catch (error) {
    say(errorBox, errorMessage(error), { error: true });
  }
}

main();
