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

  // A closed <select> cannot wrap its text: with large text on a phone a chosen step such as "Rust 5 minuten uit
  // op een stoel" is cut off. Under a select whose chosen text does not fit, show it whole (the select itself still
  // tells a screen reader its value, so the copy is aria-hidden).
  var measure = document.createElement("canvas").getContext("2d");

  function showChosen(select) {
    var line = select.parentNode.querySelector(".chosen");
    if (!line) return;
    var option = select.options[select.selectedIndex];
    var text = option && option.value ? option.text : "";
    var style = getComputedStyle(select);
    measure.font = style.font;
    var room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24; // arrow
    var cut = text !== "" && measure.measureText(text).width > room;
    line.textContent = cut ? text : "";
    line.hidden = !cut;
  }

  function showAllChosen(scope) {
    scope.querySelectorAll(".pick select").forEach(showChosen);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches(".pick select")) showChosen(event.target);
  });
  var resizing = false;
  window.addEventListener("resize", function () {  // a phone turned or zoomed: what fits changes
    if (resizing) return;
    resizing = true;
    requestAnimationFrame(function () { resizing = false; showAllChosen(document); });
  });
  document.addEventListener("htmx:afterSwap", function (event) { showAllChosen(event.target); });

  document.addEventListener("DOMContentLoaded", function () {
    syncToggle();
    showAllChosen(document);
    // A refused form answers with the same long page: take the reader to what went wrong (and tell a screen
    // reader), instead of leaving them at the top with the message out of sight.
    var problem = document.querySelector("[data-focus-on-load]");
    if (problem) problem.focus();
  });

  // htmx swaps steps and pushes their URL without reloading the header: a form that returns to "this page"
  // (the language switch) must take the address shown now, not the one the page was first loaded with.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-return-here]");
    if (form && form.elements.next) form.elements.next.value = location.pathname + location.search;
  });
})();
