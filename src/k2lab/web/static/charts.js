// Draw every chart of the page (and of fragments htmx swaps in) with Plotly, from the JSON
// data block the server rendered next to it. Loaded only by pages with charts.
function k2labDrawCharts(root) {
  if (!window.Plotly) return;
  root.querySelectorAll("[data-chart]").forEach((el) => {
    if (el.dataset.drawn) return;
    const block = document.getElementById(el.dataset.chart);
    if (!block) return;
    const fig = JSON.parse(block.textContent);
    el.dataset.drawn = "1";
    Plotly.newPlot(el, fig.data, fig.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
      toImageButtonOptions: { format: "png", filename: el.dataset.chart.replace("chart-data-", "k2lab-"), scale: 2 },
    });
  });
}
document.addEventListener("DOMContentLoaded", () => k2labDrawCharts(document));
document.addEventListener("htmx:afterSettle", (event) => k2labDrawCharts(event.target));
