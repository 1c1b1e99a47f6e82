// @ts-check
// Where a member of staff starts after logging in or choosing a password.
import { api } from "./api.js";

/**
 * A facilitator's workspace; a moderator's console of the session to run: the live one, else
 * the first still to come, else the last (the public programme if there is none).
 * @param {string} role
 * @returns {Promise<string>}
 */
export async function staffHome(role) {
  if (role === "facilitator") return "/manage";
  try {
    const { events } = await api("/events");
    const programmes = await Promise.all(events.map((e) => api(`/events/${encodeURIComponent(e.slug)}`)));
    const sessions = programmes.flatMap((p) => p.sessions)
      .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
    const session = sessions.find((s) => s.status === "live")
      || sessions.find((s) => s.status === "scheduled")
      || sessions[sessions.length - 1];
    return session ? `/console/${session.id}` : "/";
  } catch {
    return "/";
  }
}
