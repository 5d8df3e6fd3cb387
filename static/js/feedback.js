/* The result page's "Wrong, it was …" picker (templates/_feedback.html): typing a letter on the
   keyboard chooses it — the picker opens with that letter checked and the focus on "Send", so
   Enter sends it. Typing the model's own guess moves the focus to "Right, it was …" instead. */
(function () {
  "use strict";
  const wrong = document.getElementById("feedback-wrong");
  const send = document.getElementById("feedback-send");
  const right = document.getElementById("feedback-right");
  if (!wrong || !send || !right) {
    return;
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || event.isComposing) {
      return;
    }
    if (event.target.closest("input:not([type=radio]), textarea, select, [contenteditable]")) {
      return;  // typing into a field of its own
    }
    const key = event.key.length === 1 ? event.key.toLowerCase() : "";
    if (!/^[a-z]$/.test(key)) {
      return;
    }
    const radio = wrong.querySelector(`input[name="letter"][value="${key}"]`);
    if (radio) {
      wrong.open = true;
      radio.checked = true;
      send.focus();
    } else if (key === right.dataset.letter) {
      right.focus();
    } else {
      return;
    }
    event.preventDefault();
  });
})();
