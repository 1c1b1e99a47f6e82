// Live polls on every page: the attendee votes, the moderator runs them, the projector shows them.
import { onLive } from "./live.js";
import { startAttendee } from "./polls-attendee.js";
import { PollBook } from "./polls-common.js";
import { startConsole } from "./polls-console.js";
import { startProjector } from "./polls-projector.js";

const STARTERS = { attendee: startAttendee, moderator: startConsole, projector: startProjector };

onLive((client, ctx) => {
  const start = STARTERS[ctx.role];
  if (start) start(client, ctx, new PollBook());
});
