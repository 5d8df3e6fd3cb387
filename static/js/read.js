/* The read page: "Copy" puts the text read on the clipboard. (Download .txt is a plain link to a
   data: URL the server wrote.) The text and the messages come from the #read-data JSON block. */
(function () {
  "use strict";

  const LS = window.LetterScanner;
  const data = LS.readJson("read-data");
  const button = document.getElementById("read-copy");
  const status = document.getElementById("read-status");
  if (!data || !button || !navigator.clipboard) {
    return; // no reading, or no clipboard: the button stays hidden
  }
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(data.text).then(
      () => LS.setStatus(status, data.copied, false),
      () => LS.setStatus(status, data.copy_failed, true),
    );
  });
})();
