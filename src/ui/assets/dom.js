// Helpers every script of the page shares. Every value from the server goes into the page as text
// (textContent, text nodes, attributes set one by one), never parsed as markup: a service named
// <script> shows as those characters.

export const $ = (id) => document.getElementById(id);

/** An element with text children; attributes are set by name, never parsed as markup. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== false && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child !== undefined && child !== null && child !== false)
      node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A button that runs `action` on click (and so on Enter and Space, as buttons do). */
export function button(attributes, text, action) {
  const b = el("button", { type: "button", ...attributes }, text);
  b.addEventListener("click", action);
  return b;
}

/** GET a JSON answer; an answer that is not 2xx becomes { error }. */
export async function getJson(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") query.set(k, String(v));
  const text = query.toString();
  try {
    const response = await fetch(text ? `${path}?${text}` : path, { cache: "no-store" });
    const body = await response.json();
    return response.ok ? body : { error: body.error ?? `the server answered ${response.status}` };
  } catch (e) {
    return { error: `the request failed: ${e}` };
  }
}

/** "1–25 of 202" with previous and next buttons; `go(offset)` moves. */
export function pager(label, offset, limit, total, go) {
  const last = Math.min(offset + limit, total);
  return el(
    "span",
    { class: "pager" },
    button({ "aria-label": `previous ${label}`, disabled: offset === 0 }, "‹", () =>
      go(Math.max(0, offset - limit)),
    ),
    el(
      "span",
      { class: "muted" },
      total === 0 ? `no ${label}` : `${label} ${offset + 1}–${last} of ${total}`,
    ),
    button({ "aria-label": `next ${label}`, disabled: last >= total }, "›", () => go(offset + limit)),
  );
}

/** Calls `fn` once typing pauses. */
export function debounce(fn, ms = 250) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
