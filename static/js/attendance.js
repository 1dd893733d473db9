// Närvaro: "Alla närvarande" ticks everyone present (and clears "anmäld frånvaro", which
// would contradict it). A plain button, so Enter and Space work; the page still saves only
// when "Spara närvaro" is pressed.
(function () {
  var button = document.querySelector("[data-all-present]");
  if (!button) {
    return;
  }
  var form = button.closest("form");
  var status = form.querySelector("[data-all-present-status]");
  button.hidden = false;
  button.addEventListener("click", function () {
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = box.classList.contains("present");
    });
    if (status) {
      status.textContent = status.dataset.message;
    }
  });
})();
