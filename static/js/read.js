/* The read page. The text of each page (#read-text, #read-text-2, …) is editable: putting the caret
   in (or tapping) a word that has other readings opens their list, and choosing one replaces the word.
   "Copy" puts the edited text on the clipboard, and the .txt download link is rewritten with it
   whenever it changes. The first text and the messages come from the #read-data JSON block. */
(function () {
  "use strict";

  const LS = window.LetterScanner;
  const data = LS.readJson("read-data");
  const button = document.getElementById("read-copy");
  const status = document.getElementById("read-status");
  const txt = document.getElementById("read-download-txt");
  const pages = Array.from(document.querySelectorAll("section[id^='reading']")).map(
    (section) => section.querySelector(".read-page"), // null for a blank page
  );
  const editable = pages.filter(Boolean);
  if (!data || !editable.length) {
    return; // no reading
  }

  // The text shown in one node: a word with readings counts by its summary, not its list.
  function nodeText(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      return node.nodeValue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return "";
    }
    if (node.matches("details.read-options")) {
      const summary = node.querySelector("summary");
      return summary ? summary.textContent : "";
    }
    if (node.matches(".read-option-list")) {
      return "";
    }
    if (node.tagName === "BR") {
      return "\n";
    }
    return Array.from(node.childNodes).map(nodeText).join("");
  }

  // A page's text as the server writes it: lines by line breaks, a paragraph after an empty line.
  function pageText(page) {
    const lines = [];
    Array.from(page.childNodes).forEach((node) => {
      const text = nodeText(node).replace(/\u00a0/g, " ");
      if (node.nodeType === Node.TEXT_NODE && !text.trim()) {
        return; // the template's whitespace between lines
      }
      const paragraph = node.nodeType === Node.ELEMENT_NODE && node.classList.contains("read-paragraph");
      lines.push((paragraph && lines.length ? "\n" : "") + text.replace(/\n$/, ""));
    });
    return lines.join("\n");
  }

  LS.lineText = nodeText; // static/js/line_corrections.js reads each line the same way

  function documentText() {
    return editable.map(pageText).join("\n\n");
  }

  // The .txt file: the pages separated by a form feed (a blank page is empty), as the server writes it.
  function utf8Base64(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = "";
    bytes.forEach((byte) => {
      binary += String.fromCharCode(byte);
    });
    return btoa(binary);
  }

  function changed() {
    if (txt) {
      const file = pages.map((page) => (page ? pageText(page) : "")).join("\f");
      txt.href = "data:text/plain;base64," + utf8Base64(file);
    }
  }

  function closeAll(except) {
    editable.forEach((page) => {
      page.querySelectorAll("details.read-options[open]").forEach((details) => {
        if (details !== except) {
          details.open = false;
        }
      });
    });
  }

  function choose(option) {
    const details = option.closest("details.read-options");
    const summary = details && details.querySelector("summary");
    if (!summary) {
      return;
    }
    summary.textContent = option.dataset.text;
    details.open = false;
    changed();
  }

  editable.forEach((page) => {
    page.addEventListener("input", changed);
    page.addEventListener("click", (event) => {
      const option = event.target.closest(".read-option");
      if (option) {
        event.preventDefault();
        choose(option);
        return;
      }
      const summary = event.target.closest("summary");
      if (summary) {
        // Editing a word must not fold its list away: a tap opens it, the caret stays in the word.
        event.preventDefault();
        closeAll(summary.parentElement);
        summary.parentElement.open = true;
      }
    });
    page.addEventListener("keydown", (event) => {
      const option = event.target.closest && event.target.closest(".read-option");
      if (option && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        choose(option);
      } else if (event.key === "Escape") {
        closeAll(null);
      }
    });
  });

  // The caret in a word with readings (by keyboard too) offers them; elsewhere the lists close.
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    const node = selection && selection.anchorNode;
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    const summary = element && element.closest(".read-page summary");
    if (summary) {
      closeAll(summary.parentElement);
      summary.parentElement.open = true;
    } else if (element && element.closest(".read-page") && !element.closest(".read-option-list")) {
      closeAll(null);
    }
  });

  if (button && navigator.clipboard) {
    button.hidden = false; // without a clipboard the button stays hidden
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(documentText()).then(
        () => LS.setStatus(status, data.copied, false),
        () => LS.setStatus(status, data.copy_failed, true),
      );
    });
  }
})();
