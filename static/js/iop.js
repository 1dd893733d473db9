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

// Errors you cannot miss: when a form comes back with errors, open every collapsed
// section that holds one and move focus to the summary at the top of the page. A link in
// the summary opens the field's section and puts focus in the field.
function openSectionsAround(el) {
  for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
    d.open = true;
  }
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".has-error, .errorlist, [aria-invalid='true']").forEach(openSectionsAround);
  // A form refused after a redirect reports through an error message instead: focus that.
  var summary = document.querySelector("[data-error-summary]") || document.querySelector(".message.error");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }
});
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("[data-error-summary] a[href^='#']") : null;
  if (!link) {
    return;
  }
  var target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) {
    return;
  }
  event.preventDefault();
  openSectionsAround(target);
  var label = target.id && document.querySelector("label[for='" + target.id + "']");
  (label || target).scrollIntoView({ block: "start" });
  target.focus();
});

// Forms marked data-warn-unsaved ask before the page is left with changes not yet saved;
// with data-autosave-url they also post their draft there every 20 seconds and when a
// changed field loses focus, so a closed tab or a lost connection costs at most a moment.
(function () {
  function watch(form) {
    // Count changes rather than keep a flag: a change made while a save is on its way is
    // not covered by that save, and a save still on its way does not yet protect anything.
    var changes = 0;
    var saved = 0;
    var sending = false;
    var status = form.querySelector("[data-autosave-status]");
    var url = form.getAttribute("data-autosave-url");
    function say(text) {
      if (status && text) {
        status.textContent = text;
      }
    }
    function save() {
      if (!url || sending || changes === saved) {
        return;
      }
      sending = true;
      var sent = changes;
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      })
        .then(function (response) {
          return response.json().then(function (data) {
            if (response.ok) {
              saved = sent;
            }
            say(data.message);
          });
        })
        .catch(function () {
          say(status && status.getAttribute("data-failed"));
        })
        .then(function () {
          sending = false;
        });
    }
    form.addEventListener("input", function () { changes += 1; });
    form.addEventListener("change", function () { changes += 1; });
    form.addEventListener("focusout", save);
    form.addEventListener("submit", function () { saved = changes; });
    if (url) {
      window.setInterval(save, 20000);
    }
    window.addEventListener("beforeunload", function (event) {
      if (changes !== saved) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-warn-unsaved]").forEach(watch);
  });
})();

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
