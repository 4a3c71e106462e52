// Company branding with a guard: a brand colour that fails WCAG AA against white is not used
// for text or button backgrounds as is; we pick the ink (white or near-black) with the best
// contrast on it, and fall back to the default blue for text on white.
const DEFAULT_BRAND = "#1a56db";
const DARK_INK = "#1f2328";

function channel(value) {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function luminance(hex) {
  const n = parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function normalise(color) {
  if (typeof color !== "string") return null;
  const short = /^#([0-9a-f]{3})$/i.exec(color);
  if (short) return "#" + short[1].split("").map((c) => c + c).join("");
  return /^#[0-9a-f]{6}$/i.test(color) ? color : null;
}

export function applyBrand(company) {
  const root = document.documentElement.style;
  const color = normalise(company && company.brand_color) || DEFAULT_BRAND;
  const ink = contrast(color, "#ffffff") >= contrast(color, DARK_INK) ? "#ffffff" : DARK_INK;
  root.setProperty("--brand", color);
  root.setProperty("--brand-ink", ink);
  // Text and outlines in the brand colour sit on white: they need 4.5:1 themselves.
  root.setProperty("--brand-text", contrast(color, "#ffffff") >= 4.5 ? color : DEFAULT_BRAND);
}

// The brand bar of every candidate page (the recording site, "your data", the apply page):
// the company's logo (uploaded or linked: whatever URL the API gives) and name, and the
// language switcher when the page offers one. Text goes in as text, never as markup.
export function renderBrandHeader(header, company, { logoAlt, extra = null } = {}) {
  const parts = [];
  const logo = company && company.logo_url;
  if (logo && (/^https?:\/\//i.test(logo) || /^\/(?!\/)/.test(logo))) {
    const img = document.createElement("img");
    img.className = "logo";
    img.src = logo;
    img.alt = logoAlt || "";
    parts.push(img);
  }
  if (company && company.name) {
    const name = document.createElement("span");
    name.className = "company";
    name.textContent = company.name;
    parts.push(name);
  }
  if (extra) parts.push(extra);
  header.replaceChildren(...parts);
}
