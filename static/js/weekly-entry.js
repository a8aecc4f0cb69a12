// Progressive enhancement of the weekly return form; the form works without it.
// "None this week" fills a real 0 into the count; typing a number above 0 unticks it.
for (const box of document.querySelectorAll("[data-none-for]")) {
  const input = document.getElementById(box.dataset.noneFor);
  if (!input) continue;
  box.addEventListener("change", () => {
    if (box.checked && input.value.trim() === "") input.value = "0";
    if (!box.checked && input.value.trim() === "0") input.value = "";
    input.dispatchEvent(new Event("input"));
  });
  input.addEventListener("input", () => {
    const value = input.value.trim();
    if (value !== "" && value !== "0") box.checked = false;
    if (value === "0") box.checked = true;
  });
}

// The day of each incident: as many date boxes as the count typed (up to data-max). Only
// empty boxes are ever taken away: a typed day stays (the server then says if there are more
// days than incidents), so nothing typed is lost.
function syncDates(block, count) {
  const slots = block.querySelector("[data-date-slots]");
  const template = block.querySelector("template[data-date-slot]");
  const max = Number(block.dataset.max);
  const value = count.value.trim();
  const number = /^\d+$/.test(value) ? Number(value) : 0;
  const wanted = number <= max ? number : 0;
  let items = slots.querySelectorAll(".mhsip-date-slot");
  for (let index = items.length; index < wanted; index++) {
    const html = template.innerHTML.replaceAll("__i__", index).replaceAll("__n__", index + 1);
    slots.insertAdjacentHTML("beforeend", html);
  }
  items = [...slots.querySelectorAll(".mhsip-date-slot")];
  for (let index = items.length - 1; index >= wanted; index--) {
    const item = items[index];
    if (item.querySelector("input").value || item.classList.contains("nhsuk-form-group--error")) break;
    item.remove();
  }
  const shown = slots.querySelectorAll(".mhsip-date-slot").length;
  block.querySelector("details").hidden = shown === 0;
  block.querySelector("[data-dates-over]").hidden = !(number > max && shown === 0);
}

for (const block of document.querySelectorAll("[data-dates-for]")) {
  const count = document.getElementById(block.dataset.datesFor);
  if (!count) continue;
  count.addEventListener("input", () => syncDates(block, count));
}
for (const note of document.querySelectorAll("[data-dates-note-nojs]")) note.hidden = true;
for (const note of document.querySelectorAll("[data-dates-note-js]")) note.hidden = false;
