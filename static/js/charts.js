/* Chart.js charts: training history (#accuracy-chart, #loss-chart, data in #history-data)
   and accuracy per letter (#per-letter-chart, data in #per-letter-data).
   Needs static/vendor/chart.js/chart.umd.min.js loaded first. */
(function () {
  "use strict";

  const Chart = window.Chart;
  if (typeof Chart !== "function") {
    return;
  }

  const { readJson, message, formatNumber, formatPercent } = window.LetterScanner;
  const theme = window.LetterScanner.theme();
  const palette = [theme.accent, theme.accent2, theme.chart3, theme.chart4];

  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.color = theme.muted;
  Chart.defaults.borderColor = theme.border;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.locale = document.documentElement.lang || undefined; // Chart.js's own tick numbers
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }

  const numberOrNull = (value) => (typeof value === "number" && Number.isFinite(value) ? value : null);
  const percentTicks = (value) => formatNumber(value, { style: "percent", maximumFractionDigits: 1 });
  const letterPair = (letter) => `${letter.toUpperCase()} ${letter.toLowerCase()}`;

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
    const format = (value) => (isAccuracy ? formatPercent(value, 1)
      : formatNumber(value, { minimumFractionDigits: 3, maximumFractionDigits: 3 }));
    const yAxis = { title: { display: true, text: message(isAccuracy ? "chart_accuracy" : "chart_loss") } };
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
          line(message("chart_train"), trainKey, theme.accent, false),
          line(message("chart_validation"), validationKey, theme.accent2, true),
        ],
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: message("chart_epoch") }, ticks: { maxTicksLimit: 10 } },
          y: yAxis,
        },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true, pointStyle: "line" } },
          tooltip: {
            callbacks: {
              title: (items) => message("chart_epoch_number", { epoch: items[0].label }),
              label: (item) => message("chart_value", { series: item.dataset.label, value: format(item.parsed.y) }),
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
    // On a narrow screen the bars lie down, a row per letter (the box is tall there, style.css):
    // 26 letters side by side would leave each bar a pixel or two.
    const lying = window.matchMedia("(max-width: 40rem)").matches;
    const letterAxis = { grid: { display: false }, ticks: { autoSkip: false, maxRotation: 0 } };
    const shareAxis = { min: 0, max: 1, title: { display: true, text: message("chart_right_answers") }, ticks: { callback: percentTicks } };
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
        indexAxis: lying ? "y" : "x",
        scales: lying ? { x: shareAxis, y: letterAxis } : { x: letterAxis, y: shareAxis },
        plugins: {
          legend: { display: names.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              title: (items) => message("chart_letter", { letter: letterPair(items[0].label) }),
              label: (item) => message("chart_value", { series: item.dataset.label,
                                                        value: formatPercent(lying ? item.parsed.x : item.parsed.y, 1) }),
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
