// @ts-check
// Translated strings, rendered by the server into <script type="application/json" class="i18n">.
/** @type {Record<string, any>} */
const strings = {};
for (const node of document.querySelectorAll("script.i18n")) {
  try {
    Object.assign(strings, JSON.parse(node.textContent || "{}"));
  } catch (err) {
    console.error("bad i18n block", err);
  }
}

/**
 * Return the translation of `key`, with %(name)s placeholders filled from `params` (a few keys
 * hold a map of labels or plural forms: they come back as they are).
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 * @returns {any}
 */
export function t(key, params = {}) {
  let text = strings[key] ?? key;
  for (const [name, value] of Object.entries(params)) {
    text = text.replaceAll(`%(${name})s`, String(value));
  }
  return text;
}

/** Say `message` to screen-reader users through the page's ARIA live region. */
export function announce(/** @type {string} */ message) {
  // A page with a visible status (the console's toast) shows and speaks it itself.
  const shown = !document.dispatchEvent(
    new CustomEvent("companion:announce", { detail: { message }, cancelable: true }));
  if (shown) return;
  const region = document.getElementById("live-announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes screen readers announce repeats too.
  setTimeout(() => { region.textContent = message; }, 50);
}

export const lang = document.documentElement.lang || "fr";
/** The locale dates and numbers are written in for `language`: British English for English,
 * as on the server (core.i18n.formatting_locale). */
export const formattingLocale = (/** @type {string} */ language) => (language.startsWith("en") ? "en-GB" : language);
/** The page's own. */
export const formatLang = formattingLocale(lang);

const pluralRules = new Intl.PluralRules(lang);

/**
 * The form of `key` that fits `n` in the page's language, with %(n)s and `params` filled: `key`
 * holds the forms by plural category ({one, other}; French says "0 réponse", English "0 answers").
 * @param {string} key
 * @param {number} n
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function tn(key, n, params = {}) {
  const forms = strings[key];
  const text = (forms && (forms[pluralRules.select(Number(n))] || forms.other)) || key;
  return Object.entries({ n, ...params })
    .reduce((out, [name, value]) => out.replaceAll(`%(${name})s`, String(value)), text);
}
