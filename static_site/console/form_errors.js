// Field errors in plain words: the API's 422 `details` and a form's own checks, by field.
// A detail names its field by path (`questions.2.text`); a form maps paths to its inputs' ids,
// shows each message next to its input (aria-invalid + aria-describedby) and lists them all in
// a summary at the top whose links move focus to the field.
import { ApiError } from "/shared/api.js";
import { fieldLabel, html } from "./ui.js";

// pydantic's problem codes, which say what is wrong in words meant for programmers.
const VALIDATOR_PROBLEMS = new Set([
  "missing", "string_too_short", "string_too_long", "string_pattern_mismatch", "string_type",
  "greater_than_equal", "less_than_equal", "greater_than", "less_than", "int_type", "int_parsing",
  "int_from_float", "float_type", "literal_error", "enum", "value_error", "list_too_short",
  "list_too_long", "too_short", "too_long", "bool_type", "extra_forbidden", "json_invalid",
]);

/**
 * The words a person reads for one API detail. `plain(path)` gives the form's own wording for a
 * field (the same words its client-side check uses), when it has one.
 */
export function plainWords(detail, plain) {
  const problem = detail.problem || "";
  const own = plain ? plain(detail.field) : null;
  if (!VALIDATOR_PROBLEMS.has(problem)) return detail.message || own || "Check this value.";
  if (problem === "string_too_long" || problem === "too_long" || problem === "list_too_long") {
    const most = String(detail.message || "").match(/at most (\d+)/);
    if (problem === "list_too_long") return most ? `At most ${most[1]} are allowed here.` : "There are too many here.";
    return most ? `This is too long: keep it to ${most[1]} characters or fewer.` : "This is too long. Shorten it.";
  }
  if (problem === "list_too_short") return own || "Add at least one.";
  if (own) return own;
  if (["missing", "string_too_short", "string_pattern_mismatch"].includes(problem)) return "Fill this in.";
  if (problem === "literal_error" || problem === "enum") return "Choose one of the options.";
  if (problem.startsWith("int") || problem.startsWith("float") || problem.includes("than")) return "Enter a whole number in the allowed range.";
  return "Check this value.";
}

/** The API error's details as {path: message}, or null when it carries none to show by field. */
export function detailsByField(error, plain, normalise = (path) => path) {
  if (!(error instanceof ApiError) || error.status !== 422 || !error.details.length) return null;
  const found = {};
  for (const detail of error.details) {
    const path = normalise(detail.field || "body", detail);
    if (!found[path]) found[path] = plainWords({ ...detail, field: path }, plain);
  }
  return found;
}

/** aria-invalid and aria-describedby for an input whose field has an error. */
export function invalid(id, message) {
  return message ? { "aria-invalid": "true", "aria-describedby": `${id}-error` } : {};
}

/** The message shown right under a field. */
export function FieldError({ id, message }) {
  return message ? html`<p class="field-error" id=${`${id}-error`}>${message}</p>` : null;
}

/** Focus a field and bring it into view (a summary link, or the first invalid field). */
export function focusField(id) {
  const element = id && document.getElementById(id);
  if (!element) return false;
  element.scrollIntoView({ block: "center" });
  element.focus({ preventScroll: true });
  return true;
}

/**
 * The summary at the top of a form: how many fields need attention, each a link to its field.
 * `entries` is [{path, id, message}] in the form's order.
 */
export function ErrorSummary({ entries, id = "error-summary" }) {
  if (!entries.length) return null;
  const title = entries.length === 1 ? "One field needs your attention" : `${entries.length} fields need your attention`;
  return html`<div class="error-summary" id=${id} role="alert" aria-labelledby=${`${id}-title`}>
    <h2 id=${`${id}-title`}>${title}</h2>
    <ul>
      ${entries.map((entry) =>
        entry.id
          ? html`<li><a href=${`#${entry.id}`} data-field=${entry.path}
              onClick=${(event) => {
                event.preventDefault(); // a hash link would leave the console's page
                focusField(entry.id);
              }}>${fieldLabel(entry.path)}: ${entry.message}</a></li>`
          : html`<li data-field=${entry.path}>${entry.path === "body" ? "" : `${fieldLabel(entry.path)}: `}${entry.message}</li>`,
      )}
    </ul>
  </div>`;
}
