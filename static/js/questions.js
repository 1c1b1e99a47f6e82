// @ts-check
// Q&A panel for the three pages: the attendee asks and upvotes, the moderator runs the queue
// (fully from the keyboard), the projector shows the pinned question large.
import { startPanel } from "./panel.js";
import { startAttendee } from "./questions-attendee.js";
import { startConsole } from "./questions-console.js";
import { startProjector } from "./questions-projector.js";

startPanel("[data-qa]", { attendee: startAttendee, moderator: startConsole, projector: startProjector });
