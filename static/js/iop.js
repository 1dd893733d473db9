// Small behaviours without inline scripts (the Content Security Policy forbids those).
// Never on a <select>: Chrome fires "change" for every arrow key on a closed menu, so the
// page would change while the user is still choosing (WCAG 3.2.2); those get a button.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]") && el.tagName !== "SELECT") {
    el.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Wide tables scroll inside their own box instead of pushing the page sideways (WCAG 1.4.10
// allows two-dimensional scrolling for data tables). The box takes the keyboard focus only
// while it actually scrolls, so a table that fits adds no Tab stop.
function iopWrapTables(root) {
  root.querySelectorAll("main table").forEach(function (table) {
    if (table.parentElement.classList.contains("table-scroll")) return;
    var box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  iopMarkScrollingTables();
}
function iopMarkScrollingTables() {
  document.querySelectorAll(".table-scroll").forEach(function (box) {
    var table = box.querySelector("table");
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var caption = table && table.querySelector("caption");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : (document.documentElement.lang === "en" ? "Table" : "Tabell"));
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}
document.addEventListener("DOMContentLoaded", function () { iopWrapTables(document); });
document.addEventListener("htmx:afterSettle", function () { iopWrapTables(document); });
window.addEventListener("resize", iopMarkScrollingTables);
