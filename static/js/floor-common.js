// @ts-check
// What every view of the floor shares (console, attendee, projector, speaker view): the timer,
// which lives on the server (a page only computes, at the server's instant, what it shows), the
// labels of the kinds of request and the panel's marked elements.
import { t } from "./i18n.js";

/**
 * The speaker who has the floor, as `floor.updated` carries it.
 * @typedef {object} FloorCurrent
 * @property {number} request_id
 * @property {number | null} [participant_id]
 * @property {string} name
 * @property {string} [organisation]
 * @property {string} kind
 * @property {string} began_at  ISO 8601
 * @property {number} allotted_s
 * @property {number} warning_s
 * @property {boolean} paused
 * @property {string | null} [paused_at]
 * @property {number} paused_total_s
 */

/** "mm:ss" (or "h:mm:ss") of a number of seconds, rounded down. */
export function clockText(/** @type {number} */ seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${String(m).padStart(2, "0")}:${s}`;
}

/** A planned length as people say it, "10 min"; 10:00 read as ten o'clock. Clocks that run
 * keep clockText's 09:59. */
export function plannedText(/** @type {number} */ seconds) {
  return seconds % 60 === 0 ? t("fl_minutes", { n: seconds / 60 }) : clockText(seconds);
}

/**
 * Seconds spoken by `current` at server instant `nowMs`, pauses excluded.
 * @param {FloorCurrent} current
 * @param {number} nowMs
 */
export function elapsedAt(current, nowMs) {
  let pausedMs = current.paused_total_s * 1000;
  if (current.paused && current.paused_at) pausedMs += nowMs - Date.parse(current.paused_at);
  return Math.max(0, (nowMs - Date.parse(current.began_at) - pausedMs) / 1000);
}

/**
 * What the big timer shows: the time left, or "+mm:ss" once over time.
 * @param {FloorCurrent} current
 * @param {number} nowMs
 * @returns {{text: string, state: "running" | "warning" | "overrun", remaining: number}}
 */
export function timerView(current, nowMs) {
  const remaining = current.allotted_s - elapsedAt(current, nowMs);
  if (remaining < 0) return { text: `+${clockText(-remaining)}`, state: "overrun", remaining };
  // Round up while counting down: "00:01" until the last second is gone.
  const text = clockText(Math.ceil(remaining));
  const state = remaining <= current.warning_s ? "warning" : "running";
  return { text, state, remaining };
}

/** The label of a kind of request (contribution, question, point of order). */
export function kindLabel(/** @type {string} */ kind) {
  return t(`fl_${kind}`);
}

/**
 * The element of the panel marked `data-floor-${name}`.
 * @param {ParentNode} root
 * @param {string} name
 * @returns {any}
 */
export function byData(root, name) {
  return root.querySelector(`[data-floor-${name}]`);
}
