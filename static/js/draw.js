/* Drawing pads: every <canvas data-draw-pad> (the square one on the home page, the wide one on
   the read page). Pointer Events (mouse, touch, pen), sharp on high-DPI screens, undo, clear,
   keyboard shortcuts. The pad's form holds a hidden "drawing" field, [data-draw="undo"] and
   [data-draw="clear"] buttons and its submit button; the picture is sent in the field as a PNG
   data: URL, black ink on a white background. */
(function () {
  "use strict";

  const { message, setStatus, guardSubmit } = window.LetterScanner;
  const INK = "#000";
  const PAPER = "#fff";
  const LINE_WIDTH = 0.05; // share of the canvas height, unless the canvas has data-line-width

  // Set up one pad and return its shortcut actions, or null when a part is missing.
  // `onUse` is called when the pad is drawn on: the shortcuts go to the pad used last.
  function setUpPad(canvas, onUse) {
    const form = canvas.closest("form");
    const input = form && form.elements.namedItem("drawing");
    const undoButton = form && form.querySelector('[data-draw="undo"]');
    const clearButton = form && form.querySelector('[data-draw="clear"]');
    const recognizeButton = form && form.querySelector('[type="submit"]');
    if (!canvas.getContext || !input || !undoButton || !clearButton || !recognizeButton) {
      return null;
    }

    const ctx = canvas.getContext("2d");
    const placeholder = form.querySelector(".canvas-placeholder");
    const status = form.querySelector(".form-status");
    const lineWidth = Number(canvas.dataset.lineWidth) || LINE_WIDTH;

    // Each stroke is a list of points in canvas-independent units (0..1 of the width and of the
    // height), so that a resize (phone rotation, zoom) can redraw them at the new size.
    const strokes = [];
    let sentBack = null; // the drawing the server sent back with an error, under the strokes
    let current = null;
    let activePointer = null;
    let pixelWidth = 0; // backing store size, in device pixels
    let pixelHeight = 0;

    function setUpPen() {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.strokeStyle = INK;
      ctx.fillStyle = INK;
      ctx.lineWidth = Math.max(1, lineWidth * pixelHeight);
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
    }

    function dot(p) {
      ctx.beginPath();
      ctx.arc(p.x * pixelWidth, p.y * pixelHeight, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
    }

    function segment(a, b) {
      ctx.beginPath();
      ctx.moveTo(a.x * pixelWidth, a.y * pixelHeight);
      ctx.lineTo(b.x * pixelWidth, b.y * pixelHeight);
      ctx.stroke();
    }

    function drawStroke(points) {
      if (points.length === 1) {
        dot(points[0]);
        return;
      }
      ctx.beginPath();
      ctx.moveTo(points[0].x * pixelWidth, points[0].y * pixelHeight);
      for (let i = 1; i < points.length; i += 1) {
        ctx.lineTo(points[i].x * pixelWidth, points[i].y * pixelHeight);
      }
      ctx.stroke();
    }

    function redraw() {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = PAPER;
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      if (sentBack) {
        ctx.drawImage(sentBack, 0, 0, canvas.width, canvas.height);
      }
      setUpPen();
      strokes.forEach(drawStroke);
      updateControls();
    }

    // Backing store = CSS size × devicePixelRatio, so strokes stay sharp.
    function resize() {
      const ratio = window.devicePixelRatio || 1;
      const nextWidth = Math.max(1, Math.round((canvas.clientWidth || canvas.width) * ratio));
      const nextHeight = Math.max(1, Math.round((canvas.clientHeight || canvas.height) * ratio));
      if (nextWidth === pixelWidth && nextHeight === pixelHeight) {
        return;
      }
      pixelWidth = nextWidth;
      pixelHeight = nextHeight;
      canvas.width = pixelWidth;
      canvas.height = pixelHeight;
      redraw();
    }

    function updateControls() {
      const empty = isEmpty();
      undoButton.setAttribute("aria-disabled", String(empty));
      clearButton.setAttribute("aria-disabled", String(empty));
      if (placeholder) {
        placeholder.classList.toggle("is-hidden", !empty);
      }
    }

    const isEmpty = () => strokes.length === 0 && !sentBack;

    // The last stroke goes; with none left, the drawing sent back goes.
    function undo() {
      endStroke();
      if (strokes.length > 0) {
        strokes.pop();
      } else {
        sentBack = null;
      }
      redraw();
    }

    function clear() {
      endStroke();
      strokes.length = 0;
      sentBack = null;
      redraw();
    }

    // Where a pointer event falls, in 0..1 units of the drawing area (inside the border).
    function pointOf(event) {
      const rect = canvas.getBoundingClientRect();
      const width = canvas.clientWidth || rect.width;
      const height = canvas.clientHeight || rect.height;
      const clamp = (v) => Math.min(1, Math.max(0, v));
      return {
        x: clamp((event.clientX - rect.left - canvas.clientLeft) / width),
        y: clamp((event.clientY - rect.top - canvas.clientTop) / height),
      };
    }

    function endStroke() {
      if (activePointer !== null && canvas.hasPointerCapture && canvas.hasPointerCapture(activePointer)) {
        canvas.releasePointerCapture(activePointer);
      }
      activePointer = null;
      current = null;
    }

    canvas.addEventListener("pointerdown", (event) => {
      // One stroke at a time; left mouse button, any finger or pen.
      if (activePointer !== null || (event.pointerType === "mouse" && event.button !== 0)) {
        return;
      }
      event.preventDefault();
      onUse();
      // Focus the canvas, so Enter recognizes rather than pressing a button clicked earlier.
      canvas.classList.add("is-pointer-focus");
      canvas.focus({ preventScroll: true });
      if (canvas.setPointerCapture) {
        canvas.setPointerCapture(event.pointerId);
      }
      activePointer = event.pointerId;
      current = [pointOf(event)];
      strokes.push(current);
      setUpPen();
      dot(current[0]);
      updateControls();
      setStatus(status, "");
    });

    canvas.addEventListener("pointermove", (event) => {
      if (event.pointerId !== activePointer || !current) {
        return;
      }
      event.preventDefault();
      const coalesced = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      (coalesced.length ? coalesced : [event]).forEach((e) => {
        const p = pointOf(e);
        const last = current[current.length - 1];
        if (p.x !== last.x || p.y !== last.y) {
          current.push(p);
          segment(last, p);
        }
      });
    });

    // After a stroke, the submit button comes into view if it is not (a phone's screen holds the
    // pad and its buttons, but not always where the page was scrolled to).
    function showSubmit() {
      const rect = recognizeButton.getBoundingClientRect();
      if (rect.top < 0 || rect.bottom > window.innerHeight) {
        recognizeButton.scrollIntoView({ block: "nearest" });
      }
    }

    ["pointerup", "pointercancel", "lostpointercapture"].forEach((type) => {
      canvas.addEventListener(type, (event) => {
        if (event.pointerId === activePointer) {
          endStroke();
          showSubmit();
        }
      });
    });

    canvas.addEventListener("blur", () => canvas.classList.remove("is-pointer-focus"));

    // No long-press menu or drag ghost while drawing with a finger.
    canvas.addEventListener("contextmenu", (event) => event.preventDefault());

    undoButton.addEventListener("click", undo);
    clearButton.addEventListener("click", clear);

    // The submit button sends the form: fill in the drawing just before the form is sent. An
    // empty canvas is answered here, beside it, without a request.
    form.addEventListener("submit", (event) => {
      endStroke();
      if (isEmpty()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        setStatus(status, message("drawing_empty"));
        return;
      }
      input.value = canvas.toDataURL("image/png");
      setStatus(status, message("drawing_sent"));
    });
    guardSubmit(form, recognizeButton, status);

    function submitDrawing() {
      if (recognizeButton.disabled) {
        return;
      }
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(recognizeButton);
      } else {
        recognizeButton.click();
      }
    }

    if (typeof ResizeObserver === "function") {
      new ResizeObserver(resize).observe(canvas);
    }
    window.addEventListener("resize", resize);
    resize();
    if (input.value.startsWith("data:image/")) {
      const picture = new Image();
      picture.addEventListener("load", () => {
        sentBack = picture;
        redraw();
      });
      picture.src = input.value;
    }
    return { undo, clear, submitDrawing };
  }

  let active = null; // the pad the shortcuts go to: the first one, then the one drawn on last
  document.querySelectorAll("canvas[data-draw-pad]").forEach((canvas) => {
    const pad = setUpPad(canvas, () => {
      active = pad;
    });
    active = active || pad;
  });
  if (!active) {
    return;
  }

  // Shortcuts: Enter = recognize, Escape = clear, Ctrl/Cmd+Z = undo, on the pad used last.
  // Left alone while the user is in a form field, or (for Enter) on another button or link.
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) {
      return;
    }
    const target = event.target;
    if (target instanceof HTMLElement &&
        (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    const modifier = event.ctrlKey || event.metaKey;
    if (modifier && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "z") {
      event.preventDefault();
      active.undo();
    } else if (modifier || event.altKey || event.shiftKey) {
      return;
    } else if (event.key === "Escape") {
      active.clear();
    } else if (event.key === "Enter") {
      if (target instanceof HTMLElement && target.closest("a, button, summary, [role='button']")) {
        return;
      }
      event.preventDefault();
      active.submitDrawing();
    }
  });
})();
