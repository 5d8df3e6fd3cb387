/* Chart.js charts: training history (#accuracy-chart, #loss-chart, data in #history-data)
   and accuracy per letter (#per-letter-chart, data in #per-letter-data).
   Needs static/vendor/chart.js/chart.umd.min.js loaded first. */
(function () {
  "use strict";

  const Chart = window.Chart;
  if (typeof Chart !== "function") {
    return;
  }

  const rootStyle = getComputedStyle(document.documentElement);
  const cssVar = (name, fallback) => rootStyle.getPropertyValue(name).trim() || fallback;
  const theme = {
    text: cssVar("--text", "#1d2233"),
    muted: cssVar("--muted", "#5b6275"),
    border: cssVar("--border", "#dde1ec"),
    accent: cssVar("--accent", "#4f46e5"),
    accent2: cssVar("--accent-2", "#e0620d"),
  };
  const palette = [theme.accent, theme.accent2, "#0e9f6e", "#c026d3"];

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = theme.muted;
  Chart.defaults.borderColor = theme.border;
  Chart.defaults.maintainAspectRatio = false;
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }

  // JSON from a <script type="application/json"> block; NaN or Infinity (which Python's
  // json module may write) become null.
  function readJson(id) {
    const element = document.getElementById(id);
    if (!element) {
      return null;
    }
    const text = element.textContent;
    try {
      return JSON.parse(text);
    } catch (error) {
      try {
        return JSON.parse(text.replace(/-?\bInfinity\b|\bNaN\b/g, "null"));
      } catch (error2) {
        return null;
      }
    }
  }

  const numberOrNull = (value) => (typeof value === "number" && Number.isFinite(value) ? value : null);
  const percent = (value, digits) => `${(value * 100).toFixed(digits)}%`;

  function percentTicks(value) {
    const rounded = Math.round(value * 1000) / 10;
    return `${rounded}%`;
  }

  function historyChart(canvasId, history, trainKey, validationKey, isAccuracy) {
    const canvas = document.getElementById(canvasId);
    if (!canvas) {
      return;
    }
    const series = (key) => history.map((row) => numberOrNull(row[key]));
    const line = (label, key, color, dashed) => ({
      label,
      data: series(key),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      borderDash: dashed ? [6, 4] : [],
      pointRadius: history.length > 30 ? 0 : 2,
      pointHoverRadius: 4,
      pointHitRadius: 8,
      tension: 0.2,
      spanGaps: true,
    });
    const format = (value) => (isAccuracy ? percent(value, 1) : value.toFixed(3));
    const yAxis = { title: { display: true, text: isAccuracy ? "Accuracy" : "Loss" } };
    if (isAccuracy) {
      yAxis.max = 1;
      yAxis.ticks = { callback: percentTicks };
    } else {
      yAxis.beginAtZero = true;
    }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: history.map((row, i) => (row.epoch === undefined || row.epoch === null ? i + 1 : row.epoch)),
        datasets: [
          line("Train", trainKey, theme.accent, false),
          line("Validation", validationKey, theme.accent2, true),
        ],
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: "Epoch" }, ticks: { maxTicksLimit: 10 } },
          y: yAxis,
        },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true, pointStyle: "line" } },
          tooltip: {
            callbacks: {
              title: (items) => `Epoch ${items[0].label}`,
              label: (item) => `${item.dataset.label}: ${format(item.parsed.y)}`,
            },
          },
        },
      },
    });
  }

  function perLetterChart(canvasId, data) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || !data || !Array.isArray(data.letters) || !data.sets) {
      return;
    }
    const names = Object.keys(data.sets);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.letters.map((letter) => letter.toUpperCase()),
        datasets: names.map((name, i) => ({
          label: name,
          data: data.letters.map((letter) => numberOrNull((data.sets[name] || {})[letter])),
          backgroundColor: palette[i % palette.length],
          borderRadius: 4,
          maxBarThickness: 28,
        })),
      },
      options: {
        scales: {
          x: { grid: { display: false }, ticks: { autoSkip: false, maxRotation: 0 } },
          y: { min: 0, max: 1, title: { display: true, text: "Right answers" }, ticks: { callback: percentTicks } },
        },
        plugins: {
          legend: { display: names.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              title: (items) => `Letter ${items[0].label} ${items[0].label.toLowerCase()}`,
              label: (item) => `${item.dataset.label}: ${percent(item.parsed.y, 1)}`,
            },
          },
        },
      },
    });
  }

  const history = readJson("history-data");
  if (Array.isArray(history) && history.length) {
    const rows = history.filter((row) => row && typeof row === "object");
    historyChart("accuracy-chart", rows, "accuracy", "val_accuracy", true);
    historyChart("loss-chart", rows, "loss", "val_loss", false);
  }
  perLetterChart("per-letter-chart", readJson("per-letter-data"));
})();
