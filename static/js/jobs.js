/* Background reading on the read page: a PDF or several pictures chosen in the upload form are sent
   to /api/jobs instead of to the page, and the #job section follows the job (page k of n on a
   progress bar), then shows the text of every page and the document in each format to download.
   One picture is still read by the page itself. The URL, labels and messages come from #job-data. */
(function () {
  "use strict";

  const { readJson, fill, message, setStatus } = window.LetterScanner;
  const data = readJson("job-data");
  const form = document.getElementById("upload-form");
  const input = document.getElementById("image");
  const section = document.getElementById("job");
  if (!data || !form || !input || !section) {
    return;
  }
  const bar = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  const links = document.getElementById("job-downloads");
  const pages = document.getElementById("job-pages");
  const submitButton = document.getElementById("upload-submit");
  const POLL_MS = 400;

  input.multiple = true; // several pictures are the pages of one document

  const isPdf = (file) => file.type === "application/pdf" || /\.pdf$/i.test(file.name);
  const say = (text, isError) => setStatus(status, text, isError);
  const wait = (ms) => new Promise((resolve) => window.setTimeout(resolve, ms));

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.assign(node, attributes);
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // The JSON of an answer, or null when it has none.
  async function json(response) {
    try {
      return await response.json();
    } catch (error) {
      return null;
    }
  }

  function showProgress(progress) {
    bar.max = Math.max(progress.total, 1);
    bar.value = progress.done;
    const page = Math.min(progress.done + 1, progress.total); // the page being read
    say(fill(data.messages.progress, { page, total: progress.total }));
  }

  function pageCard(page, index, count) {
    const card = element("section", { className: "job-page", id: `job-page-${index + 1}` });
    card.append(element("p", { className: "eyebrow" }, fill(data.messages.page, { page: index + 1, pages: count })));
    if (page.failed) {
      card.append(element("p", { className: "form-status is-error" },
        fill(data.messages.page_failed, { error: page.error })));
    } else if (page.blank) {
      card.append(element("p", { className: "muted" }, data.messages.blank));
    } else {
      card.append(element("pre", { className: "read-raw job-text" }, page.text));
    }
    return card;
  }

  function showResult(job) {
    const read = job.result.pages || [job.result];
    pages.replaceChildren(...read.map((page, index) => pageCard(page, index, read.length)));
    links.replaceChildren(...data.downloads.filter(([key]) => job.files[key]).map(([key, label]) =>
      element("a", { className: "btn btn-secondary", id: `job-download-${key}`, href: job.files[key], download: "" },
        label)));
    say(fill(data.messages.done, { total: read.length }));
  }

  // Poll the job until it is done or failed.
  async function follow(url) {
    for (;;) {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const job = await json(response);
      if (!response.ok || !job) {
        throw new Error((job && job.error) || response.statusText);
      }
      if (job.state === "done") {
        showProgress(job.progress);
        showResult(job);
        return;
      }
      if (job.state === "failed") {
        throw new Error(job.error.error);
      }
      if (job.state === "queued") {
        say(data.messages.queued);
      } else {
        showProgress(job.progress);
      }
      await wait(POLL_MS);
    }
  }

  async function read() {
    const body = new FormData(form); // the files, and the dictionary chosen (its select is tied to the form)
    body.set("downloads", data.downloads.map(([key]) => key).join(","));
    const language = encodeURIComponent(document.documentElement.lang || "en");
    const response = await fetch(`${data.url}?lang=${language}`, { method: "POST", body });
    const job = await json(response);
    if (!response.ok || !job) {
      throw new Error((job && job.error) || response.statusText);
    }
    await follow(job.url);
  }

  form.addEventListener("submit", (event) => {
    const files = Array.from(input.files || []);
    if (!(files.length > 1 || (files.length === 1 && isPdf(files[0])))) {
      return; // one picture: the page reads it
    }
    event.preventDefault();
    section.hidden = false;
    pages.replaceChildren();
    links.replaceChildren();
    bar.max = 1;
    bar.value = 0;
    say(message("upload_sent"));
    section.scrollIntoView({ block: "start" });
    read().catch((error) => say(fill(data.messages.failed, { error: error.message }), true)).finally(() => {
      setStatus(document.getElementById("upload-status"), "");
      window.setTimeout(() => {
        submitButton.disabled = false; // after guardSubmit's own timer
      }, 0);
    });
  });
})();
