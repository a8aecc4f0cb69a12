// Draws every chart whose figure the page carries as a JSON data block (no inline script).
function draw(element) {
  const figure = JSON.parse(document.getElementById(element.dataset.figure).textContent);
  window.Plotly.newPlot(element, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    toImageButtonOptions: { format: "png", filename: element.dataset.filename || "chart", scale: 2 },
  });
}

function drawAll() {
  document.querySelectorAll("[data-figure]").forEach(draw);
  document.body.dataset.chartsReady = "true";
}

// plotly-basic.min.js is a deferred classic script; it has run before module scripts execute.
if (window.Plotly) {
  drawAll();
} else {
  window.addEventListener("load", drawAll);
}
