// "Lägg till rad" on forms with Django formsets (the budget's cost lines and shares): adds
// an empty row in place from the formset's <template> (its empty_form), counts it in
// TOTAL_FORMS, moves focus to the row's first field and says so in a live region.
// The buttons stay hidden without JavaScript; the form's "Fler rader" button (in
// <noscript>, after "Spara" so that Enter still saves) then asks the server for more rows.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    button.hidden = false;
  });
});
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-formset-add]") : null;
  if (!button) {
    return;
  }
  var prefix = button.getAttribute("data-formset-add");
  var form = button.form;
  var total = form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
  var template = form.querySelector('template[data-formset-template="' + prefix + '"]');
  var body = form.querySelector('[data-formset-body="' + prefix + '"]');
  if (!total || !template || !body) {
    return; // let the button post the form instead
  }
  event.preventDefault();
  var index = parseInt(total.value, 10);
  var html = template.innerHTML
    .replace(/__prefix__/g, String(index))
    .replace(/__number__/g, String(index + 1));
  body.insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
  var row = body.lastElementChild;
  var first = row.querySelector("input:not([type=hidden]), select, textarea");
  if (first) {
    first.focus();
  }
  var status = document.getElementById("formset-status");
  if (status) {
    status.textContent = button.getAttribute("data-added") || "";
  }
});
