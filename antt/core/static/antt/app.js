// Behaviour of the pages, from a file (the Content-Security-Policy allows no inline script).
"use strict";

// A checkbox with data-select-all ticks or clears every "selected" box of its form
// (the decide page's list of appraised dossiers).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-select-all") || !box.form) {
    return;
  }
  box.form.querySelectorAll('input[name="selected"]').forEach(function (item) {
    item.checked = box.checked;
  });
});
