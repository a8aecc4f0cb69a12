// Draws every chart whose figure the page carries as a JSON data block (no inline script).

// Undoes spc/compact.py: arrays sent as {"$d"}, {"$r"}, {"$k"} or {"$l"} objects, expanded
// in the order they were encoded (a {"$r": i} names the i-th array of at least MIN_LENGTH).
const MIN_LENGTH = 8;
const isObject = (v) => v !== null && typeof v === "object";

function dates([first, step, n]) {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) =>
    new Date(start + i * step * 86400000).toISOString().slice(0, 10));
}

function expand(value, seen) {
  if (Array.isArray(value)) {
    if (value.length >= MIN_LENGTH && !value.some(isObject)) {
      seen.push(value);
      return value;
    }
    return value.map((v) => expand(v, seen));
  }
  if (!isObject(value)) return value;
  if ("$r" in value) return seen[value.$r].slice();
  let array = null;
  if ("$d" in value) array = dates(value.$d);
  else if ("$k" in value) array = value.$i.map((i) => value.$k[i]);
  else if ("$l" in value) array = value.$l.flatMap(([v, times]) => Array(times).fill(v));
  if (array) {
    seen.push(array);
    return array.slice();
  }
  const out = {};
  for (const [key, v] of Object.entries(value)) out[key] = expand(v, seen);
  return out;
}

function draw(element) {
  const figure = expand(JSON.parse(document.getElementById(element.dataset.figure).textContent), []);
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
