// Tiny DOM helpers. Every string goes in as a text node or an attribute value, never as
// HTML, so text from the API (question text, company name, messages) cannot inject markup.

import { formatNumber, t } from "/shared/i18n.js";

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (typeof value !== "string" && key in el) el[key] = value; // hidden, disabled, muted…
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child)); // append(string) = text node
  }
  return el;
}

// Live region for things a screen reader user must hear (countdown milestones, "Saved").
// Clearing first makes the same sentence announce again.
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = message; }, 50);
}

// Show a view in <main> and move focus to its heading so keyboard and screen reader users
// start reading at the top of the new step.
export function show(view) {
  const main = document.getElementById("app");
  main.replaceChildren(view);
  const heading = view.querySelector("h1, h2");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
  window.scrollTo(0, 0);
}

export function formatSeconds(total) {
  const seconds = Math.max(0, Math.round(total));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

// "2 minutes", "45 seconds", "1 minute 30 seconds" in the active language: for sentences and
// announcements. Sizes ("640 KB", "1.2 MB") likewise follow the language.
export { formatDuration as spokenSeconds, formatBytes } from "/shared/i18n.js";

// A progress bar that also reads well to assistive technology.
export function progressBar(label) {
  const bar = h("progress", { max: "100", value: "0", "aria-label": label });
  return {
    el: bar,
    set(done, total) {
      bar.max = Math.max(total, 1);
      bar.value = Math.min(done, bar.max);
    },
  };
}

// A translated sentence with some of its {placeholders} as elements (a bold date, a contact),
// split on the catalogue's template, so user text such as "{x}" in a name is never parsed.
export function rich(key, params = {}, wrapped = {}) {
  const raw = t(key, "count" in params ? { count: params.count } : {});
  return raw.split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 0) return part;
    if (part in wrapped) return wrapped[part];
    if (!(part in params)) return `{${part}}`;
    return typeof params[part] === "number" ? formatNumber(params[part]) : String(params[part]);
  }).filter((part) => part !== "");
}
