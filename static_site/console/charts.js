// Bar charts drawn with plain elements: every label and value is text, so they read aloud too.
import { html } from "./ui.js";

/** Horizontal bars: rows of {label, value, note?}; `max` defaults to the largest value. */
export function Bars({ rows, max, id, format = (v) => String(v), caption }) {
  const top = max || Math.max(1, ...rows.map((r) => Number(r.value) || 0));
  return html`<figure class="chart bars" id=${id}>
    ${caption && html`<figcaption>${caption}</figcaption>`}
    <ol>
      ${rows.map((row) => {
        const share = Math.max(0, Math.min(100, ((Number(row.value) || 0) / top) * 100));
        return html`<li class="bar-row">
          <span class="bar-label" title=${row.title || row.label}>${row.label}</span>
          <span class="bar-track" aria-hidden="true"><span class="bar-fill" style=${{ width: `${share}%` }}></span></span>
          <span class="bar-value">${row.value === null || row.value === undefined ? "—" : format(row.value)}${row.note ? html` <span class="meta">${row.note}</span>` : ""}</span>
        </li>`;
      })}
    </ol>
  </figure>`;
}

/** Vertical columns for a short series such as months. */
export function Columns({ points, id, caption, format = (v) => String(v) }) {
  const top = Math.max(1, ...points.map((p) => Number(p.value) || 0));
  return html`<figure class="chart columns" id=${id}>
    ${caption && html`<figcaption>${caption}</figcaption>`}
    <ol>
      ${points.map(
        (p) => html`<li>
          <span class="col-value">${format(p.value)}</span>
          <span class="col-track" aria-hidden="true"><span class="col-fill" style=${{ height: `${((Number(p.value) || 0) / top) * 100}%` }}></span></span>
          <span class="col-label">${p.label}</span>
        </li>`,
      )}
    </ol>
  </figure>`;
}
