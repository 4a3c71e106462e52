// Public apply link: the code is in the fragment, so it never reaches server logs.
// The page speaks the interview's language (or the one the visitor picks) and wears the
// company's brand, as every candidate page does.
import { api, ApiError } from "/shared/api.js";
import { applyBrand, renderBrandHeader } from "/shared/brand.js";
import { formatList, language, languageSwitcher, localize, preferredLanguage, setLanguage, t } from "/shared/i18n.js";

const code = new URLSearchParams(window.location.hash.slice(1)).get("code") || "";
const form = document.getElementById("apply");
const status = document.getElementById("status");
const problem = form.querySelector("[data-error]");
// What the page says now, as keys: redrawn in a newly chosen language.
const shown = { status: null, problem: null, info: null };

function statusText() {
  const said = shown.status;
  return said ? t(said.key, said.params) : "";
}

function say(key, isError = false, params = {}) {
  shown.status = { key, params };
  status.textContent = statusText();
  status.className = isError ? "error" : "ok";
}

function explain(key, params = {}) {
  shown.problem = key ? { key, params } : null;
  problem.textContent = key ? t(key, params) : "";
}

function render() {
  const info = shown.info;
  localize();
  document.title = t("apply.title");
  if (info) {
    document.getElementById("company").textContent = info.company.name;
    document.getElementById("title").textContent = info.interview.title;
    document.getElementById("role").textContent = info.interview.role_description;
    document.title = `${info.interview.title} — ${info.company.name}`;
  }
  renderBrandHeader(document.getElementById("brand"), info ? info.company : null, {
    logoAlt: info ? t("brand.logo", { company: info.company.name }) : "",
    extra: languageSwitcher(() => {
      render();
      // Keyboard and screen reader users stay where they were: on the switcher.
      document.getElementById("language-switcher").focus();
    }),
  });
  status.textContent = statusText();
  if (shown.problem) problem.textContent = t(shown.problem.key, shown.problem.params);
}

async function load() {
  let info = null;
  let failed = null;
  if (code) {
    try {
      info = await api(`/apply/${encodeURIComponent(code)}`);
    } catch (error) {
      failed = error;
    }
  }
  const lang = info && (info.language || info.interview.language);
  await setLanguage(preferredLanguage(lang));
  shown.info = info;
  applyBrand(info ? info.company : null);
  if (!code) say("apply.noCode", true);
  else if (failed) say(failed instanceof ApiError && [404, 410].includes(failed.status) ? "apply.closed" : "apply.unreachable", true);
  else form.hidden = false;
  render();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  explain(null);
  // The language the page was read in: the personal link and its emails speak it too.
  const values = { ...Object.fromEntries(new FormData(form)), language: language() };
  try {
    await api(`/apply/${encodeURIComponent(code)}`, { method: "POST", body: values });
    form.hidden = true;
    say("apply.sent");
  } catch (error) {
    if (error instanceof ApiError && error.details.length) {
      const fields = error.details.map((d) => t(d.field === "name" ? "apply.field.name" : "apply.field.email"));
      const named = [...new Set(fields)];
      explain("apply.checkFields", { count: named.length, fields: formatList(named) });
    } else if (error instanceof ApiError && error.status === 429) {
      explain("apply.tooMany");
    } else {
      explain(error instanceof ApiError ? "apply.failed" : "apply.unreachableRetry");
    }
  }
});

load();
