/* Helpers shared by the page scripts, loaded before them (templates/base.html): JSON data blocks,
   the page's messages (#js-messages, templates/_js_messages.html), numbers in the page language,
   status lines, the double-submit guard and the theme colours. Exposed as window.LetterScanner. */
(function () {
  "use strict";

  // JSON from a <script type="application/json"> block, or null; NaN or Infinity (which Python's
  // json module may write) become null.
  function readJson(id) {
    const element = document.getElementById(id);
    if (!element) {
      return null;
    }
    const text = element.textContent;
    try {
      return JSON.parse(text);
    } catch (error) {
      try {
        return JSON.parse(text.replace(/-?\bInfinity\b|\bNaN\b/g, "null"));
      } catch (error2) {
        return null;
      }
    }
  }

  const messages = readJson("js-messages") || {};

  // `text` with its %(name)s placeholders filled from `params` (the Python/Babel style).
  function fill(text, params) {
    return text.replace(/%\((\w+)\)s/g, (whole, name) =>
      (params && params[name] !== undefined ? String(params[name]) : whole));
  }

  // The message `key`, filled from `params`. An unknown key comes back as itself, so a missing
  // message shows rather than hides.
  function message(key, params) {
    return fill(typeof messages[key] === "string" ? messages[key] : key, params);
  }

  const locale = document.documentElement.lang || undefined;
  const formats = new Map();

  // A number in the page's language; `options` as for Intl.NumberFormat.
  function formatNumber(value, options) {
    const key = JSON.stringify(options || {});
    if (!formats.has(key)) {
      formats.set(key, new Intl.NumberFormat(locale, options));
    }
    return formats.get(key).format(value);
  }

  // A share 0..1 as a percentage with `digits` decimals ("94.1%" in English).
  function formatPercent(share, digits) {
    return formatNumber(share, { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  // Writes `text` into a status line (a live region); isError marks it as an error.
  function setStatus(element, text, isError) {
    if (element) {
      element.textContent = text;
      element.classList.toggle("is-error", Boolean(isError));
    }
  }

  // No double submits: `button` is disabled once `form` is sent, and enabled again (with the
  // status line emptied) when the page comes back from the back/forward cache.
  function guardSubmit(form, button, status) {
    form.addEventListener("submit", () => {
      window.setTimeout(() => {
        button.disabled = true; // after the submit, so the button's own value is still sent
      }, 0);
    });
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) {
        button.disabled = false;
        setStatus(status, "");
      }
    });
  }

  // The colours of static/css/style.css, so the charts follow the light or dark theme.
  function theme() {
    const style = getComputedStyle(document.documentElement);
    const color = (name) => style.getPropertyValue(name).trim();
    return {
      surface: color("--surface"),
      text: color("--text"),
      muted: color("--muted"),
      border: color("--border"),
      accent: color("--accent"),
      accent2: color("--accent-2"),
      chart3: color("--chart-3"),
      chart4: color("--chart-4"),
      fontFamily: getComputedStyle(document.body).fontFamily,
    };
  }

  // The header's menu (a <details>, base.html): its button says whether it is open, and Escape or
  // a click elsewhere closes it.
  function menu() {
    const details = document.getElementById("site-menu");
    const button = document.getElementById("menu-button");
    if (!details || !button) {
      return;
    }
    const sync = () => button.setAttribute("aria-expanded", String(details.open));
    sync();
    details.addEventListener("toggle", sync);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && details.open) {
        details.open = false;
        button.focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (details.open && !details.contains(event.target)) {
        details.open = false;
      }
    });
  }

  menu();

  window.LetterScanner = { readJson, fill, message, formatNumber, formatPercent, setStatus, guardSubmit, theme };
})();
