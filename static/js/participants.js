// Mina deltagare: Escape closes the contact form that opened in a row (same as "Avbryt").
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape" || !event.target.closest) {
    return;
  }
  var form = event.target.closest("form.contact-form");
  var cancel = form ? form.querySelector("[data-cancel]") : null;
  if (cancel) {
    event.preventDefault();
    // The browser may focus the form's autofocus field before htmx has processed the
    // freshly swapped form (htmx does that when the swap settles); without this, an early
    // Escape would follow the link's plain href and reload the whole list.
    if (window.htmx) {
      window.htmx.process(form);
    }
    cancel.click();
  }
});

// After a row comes back (saved, or the form cancelled with "Avbryt" or Escape), focus goes
// to that row's "Logga kontakt" instead of dropping to the page body.
document.addEventListener("htmx:load", function (event) {
  var row = event.target;
  if (!row.matches || !row.matches("tr.participant-row:not(.editing)")) {
    return;
  }
  var button = row.querySelector(".log-contact");
  if (button) {
    button.focus();
  }
});
