/* The History page (/history): lists the results kept in this browser (LetterScanner.kept), newest
   first, each a link to /history#<id>; that address shows the entry again above the list (a letter:
   its 28×28 frame and guesses; a page: its text, to copy or download). "Forget all" empties the
   store once confirmed. The markup comes from the page's <template>s, the messages from #history-data. */
(function () {
  "use strict";

  const LS = window.LetterScanner;
  const data = LS.readJson("history-data") || {};
  const card = document.getElementById("history-card");
  const list = document.getElementById("history-list");
  const empty = document.getElementById("history-empty");
  const status = document.getElementById("history-status");
  const forget = document.getElementById("history-forget");
  const shown = document.getElementById("history-entry");
  const missing = document.getElementById("history-missing");
  const dates = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
                                        { dateStyle: "medium", timeStyle: "short" });

  function copyOf(id) {
    return document.getElementById(id).content.cloneNode(true);
  }

  function setTime(element, time) {
    element.dateTime = new Date(time).toISOString();
    element.textContent = dates.format(time);
  }

  function topLetter(entry) {
    const letter = entry.predictions[0].letter;
    return letter.toUpperCase() + " " + letter;
  }

  // What the list says of an entry: the top guess and its share, or the start of the text.
  function title(entry) {
    if (entry.kind === "letter") {
      return topLetter(entry) + " · " + LS.formatPercent(entry.predictions[0].probability, 0);
    }
    const text = entry.text.replace(/\s+/g, " ").trim();
    return text.length > 80 ? text.slice(0, 79) + "…" : text;
  }

  function isValid(entry) {
    return (entry.kind === "letter" && Array.isArray(entry.predictions) && entry.predictions.length > 0)
      || (entry.kind === "page" && typeof entry.text === "string");
  }

  function renderList(entries, current) {
    list.replaceChildren(...entries.map((entry) => {
      const item = copyOf("history-item");
      const link = item.querySelector(".history-link");
      link.href = LS.kept.address(entry.id);
      if (entry === current) {
        link.setAttribute("aria-current", "true");
      }
      const frame = item.querySelector("img.history-frame");
      if (entry.kind === "letter" && entry.frame) {
        frame.src = entry.frame;
        item.querySelector(".history-icon").remove();
      } else {
        frame.remove();
      }
      item.querySelector(".history-kind").textContent = copyOf("history-kind-" + entry.kind).textContent.trim();
      item.querySelector(".history-title").textContent = title(entry);
      setTime(item.querySelector(".history-time"), entry.time);
      return item;
    }));
    empty.hidden = entries.length > 0;
    forget.hidden = entries.length === 0;
    card.hidden = false;
  }

  function renderLetter(entry) {
    const view = copyOf("history-letter");
    view.querySelector(".top-letter").textContent = topLetter(entry);
    if (entry.note) {
      const note = view.querySelector(".history-note");
      note.querySelector("p").textContent = entry.note;
      note.hidden = false;
    }
    const frame = view.querySelector(".frame-picture");
    if (entry.frame) {
      frame.src = entry.frame;
    } else {
      frame.closest("figure").remove();
    }
    const guesses = view.querySelector(".guesses");
    entry.predictions.forEach((guess, index) => {
      const item = copyOf("history-guess").firstElementChild;
      item.classList.toggle("guess-top", index === 0);
      item.dataset.letter = guess.letter;
      item.querySelector(".guess-letter").textContent = guess.letter.toUpperCase() + " " + guess.letter;
      const bar = item.querySelector(".guess-bar");
      bar.value = guess.probability;
      bar.setAttribute("aria-label", LS.fill(bar.getAttribute("aria-label"), { letter: guess.letter.toUpperCase() }));
      bar.textContent = item.querySelector(".guess-pct").textContent = LS.formatPercent(guess.probability, 1);
      guesses.append(item);
    });
    return view;
  }

  function renderPage(entry) {
    const view = copyOf("history-page");
    view.querySelector(".history-text").textContent = entry.text;
    const bytes = new TextEncoder().encode(entry.text);
    view.querySelector(".history-download").href = URL.createObjectURL(new Blob([bytes], { type: "text/plain" }));
    const button = view.querySelector(".history-copy");
    const copyStatus = view.querySelector(".history-copy-status");
    if (navigator.clipboard) {
      button.hidden = false;
      button.addEventListener("click", () => {
        navigator.clipboard.writeText(entry.text).then(
          () => LS.setStatus(copyStatus, data.copied, false),
          () => LS.setStatus(copyStatus, data.copy_failed, true),
        );
      });
    }
    return view;
  }

  function renderEntry(entry) {
    shown.replaceChildren();
    shown.hidden = !entry;
    if (entry) {
      shown.append(entry.kind === "letter" ? renderLetter(entry) : renderPage(entry));
      setTime(shown.querySelector(".history-time"), entry.time);
    }
  }

  // The language switcher keeps the entry shown.
  function keepHashInLanguageLinks() {
    document.querySelectorAll(".language-switcher a").forEach((link) => {
      link.hash = window.location.hash;
    });
  }

  function show(focus) {
    const entries = LS.kept.list().filter(isValid);
    const id = decodeURIComponent(window.location.hash.slice(1));
    const entry = entries.find((candidate) => candidate.id === id) || null;
    missing.hidden = !id || Boolean(entry);
    renderEntry(entry);
    renderList(entries, entry);
    keepHashInLanguageLinks();
    if (focus && entry) {
      window.scrollTo(0, 0);
      document.getElementById("history-entry-heading").focus();
    }
  }

  forget.addEventListener("click", () => {
    if (window.confirm(data.confirm)) {
      LS.kept.forget();
      if (window.location.hash) {
        window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
      }
      show(false);
      LS.setStatus(status, data.forgotten, false);
    }
  });
  window.addEventListener("hashchange", () => {
    LS.setStatus(status, "");
    show(true);
  });
  show(false);
})();
