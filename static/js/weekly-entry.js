// Progressive enhancement of the weekly return form; the form works without it.
// "None this week" fills a real 0 into the count; typing a number above 0 unticks it.
for (const box of document.querySelectorAll("[data-none-for]")) {
  const input = document.getElementById(box.dataset.noneFor);
  if (!input) continue;
  box.addEventListener("change", () => {
    if (box.checked && input.value.trim() === "") input.value = "0";
    if (!box.checked && input.value.trim() === "0") input.value = "";
  });
  input.addEventListener("input", () => {
    const value = input.value.trim();
    if (value !== "" && value !== "0") box.checked = false;
    if (value === "0") box.checked = true;
  });
}
