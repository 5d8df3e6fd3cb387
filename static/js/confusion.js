/* The confusion-matrix heat map on the stats page, drawn with the plain 2D canvas API.
   Rows = true letter, columns = predicted letter; colour = share of the row (row-normalised).
   Data: {"letters": [...], "matrix": [[count, ...], ...]} in #confusion-data. A square is picked by
   pointing, tapping or, once the matrix has the focus, the arrow keys (Home/End: the row's ends);
   #confusion-readout (a live region) says what it holds. */
(function () {
  "use strict";

  const { readJson, message, formatNumber, formatPercent } = window.LetterScanner;
  const canvas = document.getElementById("confusion-chart");
  const data = readJson("confusion-data");
  if (!canvas || !canvas.getContext || !data || !Array.isArray(data.matrix) || !Array.isArray(data.letters)) {
    return;
  }

  const n = Math.min(data.matrix.length, data.letters.length);
  const letters = data.letters.slice(0, n);
  const matrix = data.matrix.slice(0, n).map((row) =>
    letters.map((_, j) => (Array.isArray(row) && Number.isFinite(Number(row[j])) ? Number(row[j]) : 0)));
  const rowTotals = matrix.map((row) => row.reduce((sum, value) => sum + value, 0));
  const readout = document.getElementById("confusion-readout");
  const defaultReadout = readout ? readout.textContent : "";
  // Shown only here: without JavaScript nothing can be pointed at (the table view remains).
  [readout, document.getElementById("confusion-keys")].forEach((element) => {
    if (element) {
      element.hidden = false;
    }
  });
  const ctx = canvas.getContext("2d");
  const colors = window.LetterScanner.theme();

  function rgb(hex) {
    const match = /^#?([0-9a-f]{6})$/i.exec(hex);
    const value = match ? parseInt(match[1], 16) : 0x808080;
    return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  }
  const low = rgb(colors.surface);
  const high = rgb(colors.accent);

  // A square root makes small confusions (a few %) visible next to the ~90% diagonal.
  function heat(share) {
    const t = Math.sqrt(Math.min(1, Math.max(0, share)));
    const mix = low.map((c, i) => Math.round(c + (high[i] - c) * t));
    return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
  }

  let layout = null;
  let selected = null; // {i, j}: the square pointed at or moved to with the keys

  function computeLayout() {
    const size = canvas.clientWidth || 400;
    const font = Math.max(9, Math.min(14, size / 40));
    const top = font * 3.2; // "Predicted" title + column letters
    const left = font * 3.2; // "True" title + row letters
    const bottom = font * 3.4; // the colour scale
    const cell = Math.max(1, Math.min((size - left - 4) / n, (size - top - bottom) / n));
    return { size, font, top, left, cell, grid: cell * n };
  }

  function draw() {
    layout = computeLayout();
    const { size, font, top, left, cell, grid } = layout;
    const dpr = window.devicePixelRatio || 1;
    const pixels = Math.round(size * dpr);
    if (canvas.width !== pixels || canvas.height !== pixels) {
      canvas.width = pixels;
      canvas.height = pixels;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    ctx.fillStyle = colors.surface;
    ctx.fillRect(0, 0, size, size);

    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < n; j += 1) {
        const x = left + j * cell;
        const y = top + i * cell;
        if (rowTotals[i] === 0) {
          ctx.fillStyle = colors.border; // no test pictures for this letter
          ctx.globalAlpha = 0.35;
          ctx.fillRect(x, y, cell, cell);
          ctx.globalAlpha = 1;
        } else {
          ctx.fillStyle = heat(matrix[i][j] / rowTotals[i]);
          ctx.fillRect(x, y, cell + 0.5, cell + 0.5);
        }
      }
    }
    ctx.strokeStyle = colors.border;
    ctx.lineWidth = 1;
    ctx.strokeRect(left, top, grid, grid);

    if (selected) {
      ctx.strokeStyle = colors.accent2;
      ctx.lineWidth = 2;
      ctx.strokeRect(left + selected.j * cell + 1, top + selected.i * cell + 1, cell - 2, cell - 2);
    }

    // Axis letters and titles.
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = `${font}px ${colors.fontFamily}`;
    for (let k = 0; k < n; k += 1) {
      const label = letters[k].toUpperCase();
      ctx.fillStyle = selected && selected.j === k ? colors.accent2 : colors.text;
      ctx.fillText(label, left + (k + 0.5) * cell, top - font * 0.8);
      ctx.fillStyle = selected && selected.i === k ? colors.accent2 : (rowTotals[k] ? colors.text : colors.muted);
      ctx.fillText(label, left - font * 0.9, top + (k + 0.5) * cell);
    }
    ctx.fillStyle = colors.muted;
    ctx.font = `600 ${font}px ${colors.fontFamily}`;
    ctx.fillText(message("confusion_predicted_axis"), left + grid / 2, font * 0.9);
    ctx.save();
    ctx.translate(font * 0.9, top + grid / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(message("confusion_true_axis"), 0, 0);
    ctx.restore();

    // Colour scale: share of the row, 0% to 100%.
    const scaleY = top + grid + font * 1.1;
    const scaleWidth = Math.min(grid, 240);
    const scaleX = left + (grid - scaleWidth) / 2;
    const steps = 40;
    for (let s = 0; s < steps; s += 1) {
      ctx.fillStyle = heat(s / (steps - 1));
      ctx.fillRect(scaleX + (s * scaleWidth) / steps, scaleY, scaleWidth / steps + 0.5, font * 0.8);
    }
    ctx.strokeStyle = colors.border;
    ctx.lineWidth = 1;
    ctx.strokeRect(scaleX, scaleY, scaleWidth, font * 0.8);
    ctx.font = `${font * 0.9}px ${colors.fontFamily}`;
    ctx.fillStyle = colors.muted;
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText(formatPercent(0, 0), scaleX, scaleY + font);
    ctx.textAlign = "center";
    ctx.fillText(message("confusion_scale"), scaleX + scaleWidth / 2, scaleY + font);
    ctx.textAlign = "right";
    ctx.fillText(formatPercent(1, 0), scaleX + scaleWidth, scaleY + font);
  }

  function cellAt(event) {
    if (!layout) {
      return null;
    }
    const rect = canvas.getBoundingClientRect();
    const j = Math.floor((event.clientX - rect.left - layout.left) / layout.cell);
    const i = Math.floor((event.clientY - rect.top - layout.top) / layout.cell);
    return i >= 0 && i < n && j >= 0 && j < n ? { i, j } : null;
  }

  const letterPair = (letter) => `${letter.toUpperCase()} ${letter}`;

  function describe(cell) {
    if (!rowTotals[cell.i]) {
      return message("confusion_no_pictures", { letter: letterPair(letters[cell.i]) });
    }
    const count = matrix[cell.i][cell.j];
    return message("confusion_cell", {
      truth: letterPair(letters[cell.i]),
      guess: letterPair(letters[cell.j]),
      count: formatNumber(count),
      total: formatNumber(rowTotals[cell.i]),
      share: formatPercent(count / rowTotals[cell.i], 1),
    });
  }

  function select(cell) {
    const same = cell && selected && cell.i === selected.i && cell.j === selected.j;
    if (same || (!cell && !selected)) {
      return;
    }
    selected = cell;
    if (readout) {
      readout.textContent = cell ? describe(cell) : defaultReadout;
    }
    draw();
  }

  const onPoint = (event) => select(cellAt(event));
  canvas.addEventListener("pointermove", onPoint);
  canvas.addEventListener("pointerdown", onPoint); // a tap on a touch screen
  canvas.addEventListener("pointerleave", () => {
    if (document.activeElement !== canvas) {
      select(null);
    }
  });

  // The keyboard path: the focus starts on the first square of the diagonal with pictures.
  canvas.addEventListener("focus", () => {
    if (!selected) {
      const first = Math.max(0, rowTotals.findIndex((total) => total > 0));
      select({ i: first, j: first });
    }
  });
  canvas.addEventListener("blur", () => select(null));

  const moves = {
    ArrowLeft: (c) => ({ i: c.i, j: c.j - 1 }),
    ArrowRight: (c) => ({ i: c.i, j: c.j + 1 }),
    ArrowUp: (c) => ({ i: c.i - 1, j: c.j }),
    ArrowDown: (c) => ({ i: c.i + 1, j: c.j }),
    Home: (c) => ({ i: c.i, j: 0 }),
    End: (c) => ({ i: c.i, j: n - 1 }),
  };
  canvas.addEventListener("keydown", (event) => {
    const move = moves[event.key];
    if (!move || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    event.preventDefault(); // no page scrolling
    const next = move(selected || { i: 0, j: 0 });
    const clamp = (k) => Math.min(n - 1, Math.max(0, k));
    select({ i: clamp(next.i), j: clamp(next.j) });
  });

  if (typeof ResizeObserver === "function") {
    let lastWidth = 0;
    new ResizeObserver(() => {
      if (canvas.clientWidth !== lastWidth) {
        lastWidth = canvas.clientWidth;
        draw();
      }
    }).observe(canvas);
  }
  window.addEventListener("resize", draw);
  draw();
})();
