// Tiny DOM helpers. Every string goes in as a text node or an attribute value, never as
// HTML, so text from the API (question text, company name, messages) cannot inject markup.

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

// "2 minutes", "45 seconds", "1 minute 30 seconds": for sentences and announcements.
export function spokenSeconds(total) {
  const seconds = Math.max(0, Math.round(total));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const parts = [];
  if (m) parts.push(`${m} minute${m === 1 ? "" : "s"}`);
  if (s || !m) parts.push(`${s} second${s === 1 ? "" : "s"}`);
  return parts.join(" ");
}

export function formatBytes(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(0, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

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
