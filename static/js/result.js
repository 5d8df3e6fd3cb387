/* A result page is the answer to a POST (the picture is never stored on the server, whichever
   worker served it). Keep the result in this browser's private history (#kept-result, kept.js)
   and give the page that entry's address, /history#<id>, so that reloading it or coming back to
   it shows the kept result and never sends the picture again. When nothing can be kept (a blank
   result, storage turned off or full), the entry becomes a plain GET of the same URL: GET /draw,
   /upload and /read/… lead back to their form. */
(function () {
  "use strict";
  const LS = window.LetterScanner;
  const result = LS.readJson("kept-result");
  const id = result && LS.kept ? LS.kept.keep(result) : null;
  if (window.history && typeof window.history.replaceState === "function") {
    window.history.replaceState(window.history.state, "", id ? LS.kept.address(id) : window.location.href);
  }
})();
