/* The read page's "Send correction": every line whose text was edited is posted, with its picture as
   cut from the page, to POST /corrections/line (webapp/line_corrections.py), one line at a time. A
   line is its .read-line by data-line (a line split in two by Enter counts as one); the text is read
   as static/js/read.js reads it. The status line says how many lines were kept, or why not. The
   pictures, the URL, the CSRF token and the messages come from the #line-correction-data block. */
(function () {
  "use strict";

  const LS = window.LetterScanner;
  const data = LS.readJson("line-correction-data");
  const box = document.getElementById("line-correction");
  const button = document.getElementById("line-correction-send");
  const status = document.getElementById("line-correction-status");
  if (!data || !box || !button || !LS.lineText || !Object.keys(data.lines).length) {
    return; // no reading, or no line that can be sent
  }
  const sent = {}; // line key -> the text last sent for it

  // [{key, text}] of the lines whose text differs from the reading and from what was sent already.
  function editedLines() {
    const texts = {};
    document.querySelectorAll(".read-page .read-line[data-line]").forEach((line) => {
      const key = line.dataset.line;
      const text = LS.lineText(line).replace(/\s+/g, " ").trim();
      texts[key] = texts[key] ? `${texts[key]} ${text}`.trim() : text;
    });
    return Object.keys(texts)
      .filter((key) => data.lines[key] && texts[key] && texts[key] !== data.lines[key].reading && texts[key] !== sent[key])
      .map((key) => ({ key, text: texts[key] }));
  }

  // Posts one line; resolves when it was kept, rejects with the message to show.
  async function send(line) {
    const facts = data.lines[line.key];
    const body = new FormData();
    body.append("csrf_token", data.csrf_token);
    body.append("picture", facts.picture);
    body.append("text", line.text);
    body.append("reading", facts.reading);
    body.append("reader", facts.reader);
    body.append("language", facts.language);
    let response;
    try {
      response = await fetch(data.url, { method: "POST", body, credentials: "same-origin",
                                         headers: { Accept: "application/json" } });
    } catch (error) {
      throw new Error(data.failed); // offline, or the connection dropped
    }
    if (!response.ok) {
      const answer = await response.json().catch(() => null);
      throw new Error((answer && answer.error) || data.failed);
    }
  }

  button.addEventListener("click", async () => {
    const lines = editedLines();
    if (!lines.length) {
      LS.setStatus(status, data.unchanged, true);
      return;
    }
    button.disabled = true;
    LS.setStatus(status, data.sending, false);
    let count = 0;
    try {
      for (const line of lines) {
        await send(line);
        sent[line.key] = line.text;
        count += 1;
      }
      LS.setStatus(status, count === 1 ? data.sent_one : LS.fill(data.sent_many, { count: LS.formatNumber(count) }), false);
    } catch (error) {
      LS.setStatus(status, error.message, true);
    } finally {
      button.disabled = false;
    }
  });
  box.hidden = false;
})();
