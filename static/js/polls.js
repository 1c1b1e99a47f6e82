// @ts-check
// Live polls on every page: the attendee votes, the moderator runs them, the projector shows them.
import { startPanel } from "./panel.js";
import { startAttendee } from "./polls-attendee.js";
import { PollBook } from "./polls-common.js";
import { startConsole } from "./polls-console.js";
import { startProjector } from "./polls-projector.js";

// Each view finds its own parts of the panel; each keeps its own book of the session's polls.
startPanel("[data-polls]", {
  attendee: (client, ctx) => startAttendee(client, ctx, new PollBook()),
  moderator: (client, ctx) => startConsole(client, ctx, new PollBook()),
  projector: (client, ctx) => startProjector(client, ctx, new PollBook()),
});
