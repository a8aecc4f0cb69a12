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

// "Not collected this week" is an answer without a count: it unticks "none" (and clears the
// 0 that "none" filled in); typing a count unticks it. A typed number is never cleared.
for (const box of document.querySelectorAll("[data-not-collected-for]")) {
  const input = document.getElementById(box.dataset.notCollectedFor);
  const none = document.querySelector(`[data-none-for="${box.dataset.notCollectedFor}"]`);
  if (!input) continue;
  box.addEventListener("change", () => {
    if (!box.checked) return;
    if (none && none.checked) none.checked = false;
    if (input.value.trim() === "0") input.value = "";
    input.dispatchEvent(new Event("input"));
  });
  input.addEventListener("input", () => {
    if (input.value.trim() !== "") box.checked = false;
  });
  if (none) none.addEventListener("change", () => { if (none.checked) box.checked = false; });
}

// Enter in a box moves to the next box (an accidental Enter after the bed days must not send
// a return); only the Submit return and Save as draft buttons send the form.
for (const form of document.querySelectorAll("[data-module=mhsip-weekly-entry]")) {
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter" || !(target instanceof HTMLInputElement)) return;
    if (["submit", "button", "checkbox", "radio"].includes(target.type)) return;
    event.preventDefault();
    const boxes = [...form.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([disabled])")]
      .filter((box) => box.checkVisibility());
    const next = boxes[boxes.indexOf(target) + 1] || form.querySelector("button[name=submit]");
    if (next) next.focus();
  });
}
