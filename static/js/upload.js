/* The upload form on the home page: drag and drop (or paste) a picture into the file input,
   show a preview, and check the type and size before sending. */
(function () {
  "use strict";

  const form = document.getElementById("upload-form");
  const input = document.getElementById("image");
  const zone = document.getElementById("drop-zone");
  const status = document.getElementById("upload-status");
  const submitButton = document.getElementById("upload-submit");
  if (!form || !input || !zone || !status || !submitButton) {
    return;
  }
  const serverErrors = document.getElementById("upload-errors");

  const EXTENSIONS = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"];
  const config = readJson("upload-config") || {};
  const maxMb = config.max_mb || 5;
  const maxBytes = config.max_bytes || maxMb * 1024 * 1024;
  let previewUrl = null;

  // The preview <img> is made here, so the page never has an <img> without a picture.
  const preview = document.createElement("img");
  preview.className = "upload-preview";
  preview.id = "upload-preview";
  preview.alt = "Preview of the chosen picture";
  preview.hidden = true;
  zone.prepend(preview);

  function readJson(id) {
    const element = document.getElementById(id);
    try {
      return element ? JSON.parse(element.textContent) : null;
    } catch (error) {
      return null;
    }
  }

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function formatSize(bytes) {
    if (bytes >= 1024 * 1024) {
      return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
    }
    return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  // The same rules as the server, so the user hears about a problem before a long upload.
  function problemWith(file) {
    const extension = file.name.includes(".") ? file.name.split(".").pop().toLowerCase() : "";
    if (!EXTENSIONS.includes(extension) || (file.type && !file.type.startsWith("image/"))) {
      return "Upload a PNG, JPEG, GIF, BMP, WebP or TIFF picture.";
    }
    if (file.size > maxBytes) {
      return `The picture is larger than ${maxMb} MB (it is ${formatSize(file.size)}).`;
    }
    return "";
  }

  function clearPreview() {
    if (previewUrl) {
      URL.revokeObjectURL(previewUrl);
      previewUrl = null;
    }
    preview.hidden = true;
    preview.removeAttribute("src");
  }

  function showChosenFile() {
    const file = input.files && input.files[0];
    clearPreview();
    if (serverErrors) {
      serverErrors.hidden = true; // they were about the previous file
    }
    input.removeAttribute("aria-invalid");
    if (!file) {
      input.setCustomValidity("");
      setStatus("");
      return;
    }
    const problem = problemWith(file);
    input.setCustomValidity(problem);
    setStatus(problem, Boolean(problem));
    if (problem) {
      input.setAttribute("aria-invalid", "true");
      return;
    }
    previewUrl = URL.createObjectURL(file);
    preview.src = previewUrl;
    preview.hidden = false;
  }

  // Put dropped or pasted files into the real file input, so the form sends them as usual.
  function useFiles(files) {
    const list = Array.from(files || []);
    const file = list.find((f) => f.type.startsWith("image/")) || list[0];
    if (!file) {
      return;
    }
    try {
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
    } catch (error) {
      try {
        input.files = files;
      } catch (error2) {
        setStatus("This browser cannot take a dropped picture: use the button instead.", true);
        return;
      }
    }
    showChosenFile();
  }

  function hasFiles(event) {
    return Boolean(event.dataTransfer) && Array.from(event.dataTransfer.types || []).includes("Files");
  }

  preview.addEventListener("error", () => {
    preview.hidden = true; // e.g. TIFF, which most browsers cannot show
  });
  input.addEventListener("change", showChosenFile);

  // A picture dropped anywhere on the page is taken (and not opened by the browser).
  window.addEventListener("dragover", (event) => {
    if (hasFiles(event)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.toggle("is-dragover", zone.contains(event.target));
    }
  });
  window.addEventListener("dragleave", (event) => {
    if (!event.relatedTarget || !zone.contains(event.relatedTarget)) {
      zone.classList.remove("is-dragover");
    }
  });
  window.addEventListener("drop", (event) => {
    zone.classList.remove("is-dragover");
    if (hasFiles(event)) {
      event.preventDefault();
      useFiles(event.dataTransfer.files);
    }
  });

  // Ctrl/Cmd+V with a picture on the clipboard.
  document.addEventListener("paste", (event) => {
    const files = event.clipboardData && event.clipboardData.files;
    if (files && files.length && Array.from(files).some((f) => f.type.startsWith("image/"))) {
      event.preventDefault();
      useFiles(files);
    }
  });

  form.addEventListener("submit", () => {
    setStatus("Uploading…");
    window.setTimeout(() => {
      submitButton.disabled = true; // no double submits
    }, 0);
  });

  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      submitButton.disabled = false;
      setStatus("");
    }
  });

  // A file kept by the browser (back button, reload) gets its preview back.
  if (input.files && input.files.length) {
    showChosenFile();
  }
})();
