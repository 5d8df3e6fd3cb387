/* The thank-you page's Undo: when its time (data-seconds, CORRECTIONS_UNDO_SECONDS) is over, the
   button goes and the page says the correction is kept, instead of offering an Undo that the server
   would refuse. */
(function () {
  "use strict";

  const form = document.getElementById("undo-form");
  const over = document.getElementById("undo-over");
  if (!form || !over) {
    return;
  }
  window.setTimeout(function () {
    form.hidden = true;
    over.hidden = false;
  }, Number(form.dataset.seconds) * 1000);
})();
