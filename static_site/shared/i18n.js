// The candidate side in the candidate's language: message catalogues, plurals, dates,
// times and numbers, right-to-left layout, and the language switcher.
//
// HOW TO USE (for every candidate-facing module, e.g. candidate/accommodation.js):
//   import { t, formatDateTime } from "/shared/i18n.js";
//   h("p", {}, t("accommodation.intro", { company: company.name }))
// - Add each new key to EVERY catalogue in /shared/i18n/<lang>.json (en, es, fr, de, pt, ar),
//   under your own prefix (`accommodation.*`). tests/unit/test_candidate_catalogues.py fails
//   on a missing key, a value left in English, or a {placeholder} that went missing.
// - A plural is an object of Intl.PluralRules categories, chosen by `count`:
//   {"one": "{count} question", "other": "{count} questions"} (Arabic also has zero, two,
//   few, many). `t(key, { count: 3 })` picks the form; {count} is formatted in the language.
// - Never build a user-visible sentence from English literals: the static scan in that test
//   looks for them in static_site/candidate/*.js and static_site/apply/*.js.
// - The language is set once before the first render (`setLanguage`); a switch re-renders
//   the current view (candidate.js `redraw`), so read t() at render time, not at import.
//
// - The landing page leaves a slot for the accommodation request panel: candidate.js loads
//   ./accommodation.js (if present) before the landing page and fires `oneway:landing` on
//   document with {app, slot} each time the landing page is drawn (also after a switch).
//
// No build step: catalogues are fetched as JSON; English is always loaded as the fallback.

export const LANGUAGES = {
  en: "English",
  es: "Español",
  fr: "Français",
  de: "Deutsch",
  pt: "Português",
  ar: "العربية",
};
const RIGHT_TO_LEFT = new Set(["ar"]);
const STORAGE_KEY = "oneway-language";
const DEFAULT = "en";

const state = {
  lang: DEFAULT,
  timeZone: undefined, // the interview's IANA time zone; undefined = the browser's
  messages: {},
  fallback: {},
  plurals: new Intl.PluralRules(DEFAULT),
};

export function supported(lang) {
  return typeof lang === "string" && Object.prototype.hasOwnProperty.call(LANGUAGES, lang);
}

async function catalogue(lang) {
  const response = await fetch(`/shared/i18n/${lang}.json`);
  if (!response.ok) throw new Error(`catalogue ${lang}: ${response.status}`);
  return response.json();
}

// Which language to show: `lang` in the URL fragment (a shared link, the tests), then the
// candidate's own choice on this device, then the interview's language, then English.
export function preferredLanguage(serverLanguage) {
  const fromLink = new URLSearchParams(window.location.hash.slice(1)).get("lang");
  if (supported(fromLink)) return fromLink;
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (supported(stored)) return stored;
  } catch { /* storage refused */ }
  return supported(serverLanguage) ? serverLanguage : DEFAULT;
}

export function rememberLanguage(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch { /* storage refused: the server still knows */ }
}

// Loads the catalogue and sets <html lang dir>. An unknown or unloadable language is English.
export async function setLanguage(lang, { timeZone } = {}) {
  if (timeZone !== undefined) state.timeZone = validTimeZone(timeZone);
  if (!Object.keys(state.fallback).length) state.fallback = await catalogue(DEFAULT);
  let chosen = supported(lang) ? lang : DEFAULT;
  let messages = state.fallback;
  if (chosen !== DEFAULT) {
    try {
      messages = await catalogue(chosen);
    } catch {
      chosen = DEFAULT;
    }
  }
  state.lang = chosen;
  state.messages = messages;
  state.plurals = new Intl.PluralRules(chosen);
  document.documentElement.lang = chosen;
  document.documentElement.dir = RIGHT_TO_LEFT.has(chosen) ? "rtl" : "ltr";
  return chosen;
}

export function language() {
  return state.lang;
}

export function timeZone() {
  return state.timeZone;
}

function validTimeZone(zone) {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

function lookup(messages, key) {
  return Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : undefined;
}

// The message for `key` with {placeholders} filled in; numbers are formatted in the language.
export function t(key, params = {}) {
  let value = lookup(state.messages, key);
  if (value === undefined) {
    value = lookup(state.fallback, key);
    if (value === undefined) return key; // shows up in the page and in the tests
  }
  if (value !== null && typeof value === "object") {
    const count = Number(params.count ?? 0);
    const exact = count === 0 && value.zero !== undefined ? "zero" : state.plurals.select(count);
    value = value[exact] ?? value.other;
  }
  return String(value).replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const param = params[name];
    return typeof param === "number" ? formatNumber(param) : String(param);
  });
}

export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(state.lang, options).format(value);
}

// A date and time in the active language, in the interview's time zone (with its name, so
// nobody has to guess whose clock it is).
export function formatDateTime(iso, options = null) {
  const date = iso instanceof Date ? iso : new Date(iso);
  const format = options || {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short",
  };
  return new Intl.DateTimeFormat(state.lang, { ...format, timeZone: state.timeZone }).format(date);
}

// "1 and 2", "1 y 2", "1 و2": a list joined as the language does it.
export function formatList(items, type = "conjunction") {
  return new Intl.ListFormat(state.lang, { style: "long", type }).format(items.map(String));
}

// "2 minutes 30 seconds", "2 minutos 30 segundos": a length of time in words.
export function formatDuration(total) {
  const seconds = Math.max(0, Math.round(total));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const unit = (n, name) => formatNumber(n, { style: "unit", unit: name, unitDisplay: "long" });
  const parts = [];
  if (m) parts.push(unit(m, "minute"));
  if (s || !m) parts.push(unit(s, "second"));
  return new Intl.ListFormat(state.lang, { style: "narrow", type: "unit" }).format(parts);
}

// "640 KB", "1.2 MB", "3.4 Mbit/s" in the language's own digits and separators.
export function formatBytes(bytes) {
  if (bytes < 1024 * 1024) {
    return formatNumber(Math.max(0, Math.round(bytes / 1024)), { style: "unit", unit: "kilobyte" });
  }
  return formatNumber(bytes / (1024 * 1024), {
    style: "unit", unit: "megabyte", minimumFractionDigits: 1, maximumFractionDigits: 1,
  });
}

export function formatBitrate(bits) {
  if (bits >= 1e6) {
    return formatNumber(bits / 1e6, {
      style: "unit", unit: "megabit-per-second", minimumFractionDigits: 1, maximumFractionDigits: 1,
    });
  }
  return formatNumber(Math.round(bits / 1e3), { style: "unit", unit: "kilobit-per-second" });
}

// A <select> naming every language in its own language. `onChange(lang)` runs after the
// new catalogue is loaded and remembered on this device.
export function languageSwitcher(onChange) {
  const id = "language-switcher";
  const select = document.createElement("select");
  select.id = id;
  select.dataset.action = "language";
  select.setAttribute("aria-label", t("language.label"));
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = document.createElement("option");
    option.value = code;
    option.lang = code;
    option.textContent = name;
    option.selected = code === state.lang;
    select.append(option);
  }
  select.addEventListener("change", async () => {
    const chosen = await setLanguage(select.value);
    rememberLanguage(chosen);
    select.setAttribute("aria-label", t("language.label"));
    await onChange(chosen);
  });
  const label = document.createElement("label");
  label.className = "language";
  label.htmlFor = id;
  label.dataset.i18n = "language.label";
  label.textContent = t("language.label");
  const wrap = document.createElement("div");
  wrap.className = "language-switcher";
  wrap.append(label, select);
  return wrap;
}

// Static HTML: every element with data-i18n="key" gets t(key) as its text, and
// data-i18n-attr="attr:key;attr:key" fills attributes.
export function localize(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}
