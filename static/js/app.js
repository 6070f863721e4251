// Progressive enhancements: a larger-text switch, forms that return here. Read-aloud and focus: read-aloud.js.
(function () {
  "use strict";
  var root = document.documentElement;
  if (localStorage.getItem("vtc-large-text") === "1") root.classList.add("large-text");

  function syncToggle() {
    var toggle = document.querySelector(".large-text-toggle");
    if (toggle) toggle.setAttribute("aria-pressed", root.classList.contains("large-text") ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".large-text-toggle");
    if (toggle) {
      root.classList.toggle("large-text");
      localStorage.setItem("vtc-large-text", root.classList.contains("large-text") ? "1" : "0");
      syncToggle();
      return;
    }
  });

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
