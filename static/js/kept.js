/* The private history: the last results read, kept in this browser's localStorage only (never sent
   to the server), newest first, at most data-size of them; each has an address, /history#<id>.
   Loaded by templates/_kept_store.html after common.js; exposed as LetterScanner.kept. */
(function () {
  "use strict";

  const KEY = "letter-scanner-history";
  const script = document.currentScript;
  const size = Number(script.dataset.size);
  const page = script.dataset.address;

  // Every kept entry, newest first ([] when the browser keeps nothing or the store is unreadable).
  function list() {
    try {
      const entries = JSON.parse(window.localStorage.getItem(KEY));
      return Array.isArray(entries) ? entries.filter((entry) => entry && typeof entry.id === "string") : [];
    } catch (error) {
      return [];
    }
  }

  // Stores `entries` (the first `size`), dropping the oldest while the browser's storage is full;
  // false when not even the first fits or the browser keeps nothing.
  function save(entries) {
    for (let kept = entries.slice(0, size); kept.length; kept = kept.slice(0, -1)) {
      try {
        window.localStorage.setItem(KEY, JSON.stringify(kept));
        return true;
      } catch (error) {
        if (error.name !== "QuotaExceededError") {
          return false; // storage turned off
        }
      }
    }
    return false;
  }

  // Keeps `result` ({kind, …}) with a new id and the time; its id, or null when it could not be kept.
  function keep(result) {
    const entry = Object.assign({}, result, {
      id: Date.now().toString(36) + Math.random().toString(36).slice(2, 6),
      time: Date.now(),
    });
    return save([entry].concat(list())) ? entry.id : null;
  }

  function find(id) {
    return list().find((entry) => entry.id === id) || null;
  }

  function forget() {
    try {
      window.localStorage.removeItem(KEY);
    } catch (error) {
      // nothing is kept where storage is turned off
    }
  }

  function address(id) {
    return page + "#" + encodeURIComponent(id);
  }

  window.LetterScanner.kept = { list, keep, find, forget, address, size };
})();
