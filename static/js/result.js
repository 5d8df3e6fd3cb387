/* A result page is the answer to a POST (the picture is never stored on the server, whichever
   worker served it). Turn its history entry into a plain GET of the same URL, so that reloading
   it or coming back to it never sends the picture again: GET /draw, /upload and /read/… lead back
   to their form. */
(function () {
  "use strict";
  if (window.history && typeof window.history.replaceState === "function") {
    window.history.replaceState(window.history.state, "", window.location.href);
  }
})();
