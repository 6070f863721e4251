// Progressive enhancements: a larger-text switch, forms that return here. Read-aloud and focus: read-aloud.js.
(function () {
  "use strict";
  var root = document.documentElement;
  // Large text is a stored preference: the server renders it on <html> and the toggle is a plain form (no JS).
  localStorage.removeItem("vtc-large-text");

  function syncToggle() {
    var toggle = document.querySelector(".large-text-toggle");
    if (toggle) toggle.setAttribute("aria-pressed", root.classList.contains("large-text") ? "true" : "false");
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncToggle();
  });

  // htmx swaps steps and pushes their URL without reloading the header: a form that returns to "this page"
  // (the language switch) must take the address shown now, not the one the page was first loaded with.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-return-here]");
    if (form && form.elements.next) form.elements.next.value = location.pathname + location.search;
  });
})();
