// What every recruiter-facing page formats the same way: the htm binding, error text, dates,
// scores and durations. htm/Preact put every interpolated value in as text or as a property:
// never as HTML.
import { html } from "htm/preact";
import { ApiError } from "./api.js";

export { html };

export function describe(error) {
  if (!(error instanceof ApiError)) return "We could not reach the server. Check your connection and try again.";
  if (!error.code && [403, 404, 405].includes(error.status)) {
    return "This part of the API is not available yet.";
  }
  return error.message;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(value, withTime = false) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "—";
  return (withTime ? dateTimeFormat : dateFormat).format(date);
}

export function formatScore(value) {
  return value === null || value === undefined ? "—" : Number(value).toFixed(1);
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(Number(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
