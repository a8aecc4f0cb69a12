// Sortable tables: a button in each header sorts the body by that column; the pinned row
// (the trust's own aggregate) stays on top. Cells give their sort key in data-sort-value.
function sortBy(table, index, type, header) {
  const body = table.tBodies[0];
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("th[aria-sort]").forEach((th) => th.setAttribute("aria-sort", "none"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const rows = Array.from(body.rows).filter((row) => !row.hasAttribute("data-pinned"));
  const key = (row) => row.cells[index].dataset.sortValue ?? row.cells[index].textContent.trim();
  rows.sort((a, b) => {
    let x = key(a), y = key(b);
    if (type === "number") {
      // Empty cells (no data) sort last whichever the direction.
      if (x === "" || y === "") return (x === "") - (y === "");
      x = Number(x); y = Number(y);
      return ascending ? x - y : y - x;
    }
    return ascending ? x.localeCompare(y) : y.localeCompare(x);
  });
  rows.forEach((row) => body.appendChild(row));
}

document.querySelectorAll("table[data-sortable]").forEach((table) => {
  table.querySelectorAll("thead th").forEach((header, index) => {
    const button = header.querySelector("button");
    if (button) button.addEventListener("click", () => sortBy(table, index, button.dataset.sortType, header));
  });
});
