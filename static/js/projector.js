// The projector view, for screen-sharing into the webconference.
import { LiveClient, bindStatus, startPanels } from "./live.js";
import { bindSessionShell } from "./shell.js";
import { forgetStaff, staffToken } from "./staff.js";

const root = document.getElementById("projector");
const sessionId = Number(root.dataset.sessionId);

function main() {
  const staff = staffToken(root);
  if (!staff) return;
  const client = new LiveClient({ token: staff.token, sessionId });
  bindStatus(client);
  bindSessionShell(client, root);
  client.on("refused", () => forgetStaff(root));
  startPanels(client, { role: "projector", sessionId, root });
  client.connect();
}

main();
