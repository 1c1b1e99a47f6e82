// The poll kinds as the server's registry describes them (companion/polls/kinds/), rendered into
// <script type="application/json" id="poll-kinds"> by templates/polls/_strings.html: what a kind
// asks for (options, its own settings), the form an attendee answers with, the shape of its
// results, and whether answers are scored (quiz) or moderated (open text). Never copied here.
const node = document.getElementById("poll-kinds");
let kinds = {};
try {
  kinds = node ? JSON.parse(node.textContent) : {};
} catch (err) {
  console.error("bad poll-kinds block", err);
}

/** name -> {options, settings, ballot, results, scored, moderated} */
export const KINDS = Object.freeze(kinds);

const UNKNOWN = Object.freeze({
  options: false, settings: [], ballot: null, results: null, scored: false, moderated: false,
});

/** The kind named `name` (an unknown name behaves as a kind with nothing to show). */
export function kindOf(name) {
  return KINDS[name] || UNKNOWN;
}

/** Whether a poll of kind `name` takes the setting (or the options, with "options"). */
export function needs(name, what) {
  const kind = kindOf(name);
  return what === "options" ? kind.options : kind.settings.includes(what);
}
