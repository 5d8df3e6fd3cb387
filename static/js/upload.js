/* The upload form (home and read pages): drag and drop (or paste) a picture into the file input,
   take a photo with the camera on a touch screen, show a preview, and check the type and size
   before sending. The formats (a PDF too on the read page), the size limit and their messages come
   from the page's #upload-config; without it the server alone checks. */
(function () {
  "use strict";

  const { readJson, fill, message, setStatus, guardSubmit, formatNumber } = window.LetterScanner;

  const form = document.getElementById("upload-form");
  const input = document.getElementById("image");
  const zone = document.getElementById("drop-zone");
  const status = document.getElementById("upload-status");
  const submitButton = document.getElementById("upload-submit");
  if (!form || !input || !zone || !status || !submitButton) {
    return;
  }
  const serverErrors = document.getElementById("upload-errors");
  const cameraRow = document.getElementById("camera-row");
  const camera = document.getElementById("camera");
  const takePhoto = document.getElementById("take-photo");
  const chooser = document.getElementById("file-chooser");
  const fileName = document.getElementById("file-name");
  const noFile = fileName ? fileName.textContent : "";

  // The page's own file button (in its language) and the chosen file's name replace the
  // browser's field, which stays focusable under it.
  if (chooser && fileName) {
    chooser.hidden = false;
    zone.classList.add("has-file-button");
  }

  const config = checkable(readJson("upload-config"));
  let previewUrl = null;

  // The preview <img> is made here, so the page never has an <img> without a picture.
  const preview = document.createElement("img");
  preview.className = "upload-preview";
  preview.id = "upload-preview";
  preview.alt = message("upload_preview_alt");
  preview.hidden = true;
  zone.prepend(preview);

  const showStatus = (text, isError) => setStatus(status, text, isError);
  const extensionOf = (file) => (file.name.includes(".") ? file.name.split(".").pop().toLowerCase() : "");

  // The config when it has every key the check needs, else null (the server checks alone).
  function checkable(found) {
    const ok = found && Number.isFinite(found.max_bytes) && Array.isArray(found.extensions) &&
      typeof found.accept === "string" && found.messages &&
      typeof found.messages.wrong_type === "string" && typeof found.messages.too_big === "string";
    return ok ? found : null;
  }

  function formatSize(bytes) {
    if (bytes >= 1024 * 1024) {
      return message("size_mb", { size: formatNumber(bytes / (1024 * 1024), { maximumFractionDigits: 1 }) });
    }
    return message("size_kb", { size: formatNumber(Math.max(1, Math.round(bytes / 1024))) });
  }

  // Does the comma-separated `accept` list (MIME types, "type/*" or ".ext") take this file?
  function accepted(file) {
    const extension = extensionOf(file);
    return config.accept.split(",").map((item) => item.trim().toLowerCase()).some((item) =>
      (item.startsWith(".") ? item === `.${extension}`
        : item.endsWith("/*") ? file.type.startsWith(item.slice(0, -1)) : item === file.type));
  }

  // A file this form takes: by the config's formats, else any picture.
  function takes(file) {
    return config ? config.extensions.includes(extensionOf(file)) || (Boolean(file.type) && accepted(file))
      : file.type.startsWith("image/");
  }

  // The server's rules, so the user hears about a problem before a long upload.
  function problemWith(file) {
    if (!config) {
      return "";
    }
    if (!config.extensions.includes(extensionOf(file)) || (file.type && !accepted(file))) {
      return config.messages.wrong_type;
    }
    if (file.size > config.max_bytes) {
      return fill(config.messages.too_big, { size: formatSize(file.size) });
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
    if (fileName) {
      fileName.textContent = file ? Array.from(input.files, (chosen) => chosen.name).join(", ") : noFile;
    }
    clearPreview();
    if (serverErrors) {
      serverErrors.hidden = true; // they were about the previous file
    }
    input.removeAttribute("aria-invalid");
    if (!file) {
      input.setCustomValidity("");
      showStatus("");
      return;
    }
    const problem = problemWith(file);
    input.setCustomValidity(problem);
    showStatus(problem, Boolean(problem));
    if (problem) {
      input.setAttribute("aria-invalid", "true");
      return;
    }
    previewUrl = URL.createObjectURL(file);
    preview.src = previewUrl;
    preview.hidden = false;
  }

  // Put dropped or pasted files into the real file input, so the form sends them as usual: every
  // file it takes where the input takes several (the pages of /read), else the first.
  function useFiles(files) {
    const list = Array.from(files || []);
    const taken = list.filter(takes);
    const chosen = input.multiple && taken.length ? taken : [taken[0] || list[0]];
    if (!chosen[0]) {
      return;
    }
    try {
      const transfer = new DataTransfer();
      chosen.forEach((file) => transfer.items.add(file));
      input.files = transfer.files;
    } catch (error) {
      try {
        input.files = files;
      } catch (error2) {
        showStatus(message("upload_drop_unsupported"), true);
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
    if (files && files.length && Array.from(files).some(takes)) {
      event.preventDefault();
      useFiles(files);
    }
  });

  // On a touch screen, "Take a photo" opens the camera straight away (the file field's own picker
  // offers the camera too, among the photo library and files). Its photo goes into the real field.
  if (cameraRow && camera && takePhoto && window.matchMedia &&
      window.matchMedia("(hover: none) and (pointer: coarse)").matches) {
    cameraRow.hidden = false;
    takePhoto.addEventListener("click", () => camera.click());
    camera.addEventListener("change", () => {
      if (camera.files && camera.files.length) {
        useFiles(camera.files);
      }
    });
  }

  form.addEventListener("submit", () => showStatus(message("upload_sent")));
  guardSubmit(form, submitButton, status);

  // A file kept by the browser (back button, reload) gets its preview back.
  if (input.files && input.files.length) {
    showChosenFile();
  }
})();
