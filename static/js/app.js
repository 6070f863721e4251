// Progressive enhancements: read-aloud with the browser's own speech, a larger-text switch, focus after swaps.
(function () {
  "use strict";
  var root = document.documentElement;
  // Large text is a stored preference: the server renders it on <html> and the toggle is a plain form (no JS).
  localStorage.removeItem("vtc-large-text");

  function syncToggle() {
    var toggle = document.querySelector(".large-text-toggle");
    if (toggle) toggle.setAttribute("aria-pressed", root.classList.contains("large-text") ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var speak = event.target.closest("[data-read-aloud-button]");
    if (speak && "speechSynthesis" in window) {
      if (speechSynthesis.speaking) {
        speechSynthesis.cancel();
        speak.setAttribute("aria-pressed", "false");
        return;
      }
      var article = speak.closest("[data-read-aloud]");
      var utterance = new SpeechSynthesisUtterance(article ? article.innerText : "");
      utterance.lang = root.lang === "en" ? "en-GB" : "nl-NL";
      utterance.rate = 0.9;
      utterance.onend = function () { speak.setAttribute("aria-pressed", "false"); };
      speak.setAttribute("aria-pressed", "true");
      speechSynthesis.speak(utterance);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncToggle();
    if (!("speechSynthesis" in window)) {
      document.querySelectorAll("[data-read-aloud-button]").forEach(function (b) { b.hidden = true; });
    }
  });

  // htmx swaps steps and pushes their URL without reloading the header: a form that returns to "this page"
  // (the language switch) must take the address shown now, not the one the page was first loaded with.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-return-here]");
    if (form && form.elements.next) form.elements.next.value = location.pathname + location.search;
  });

  // After htmx swaps in a new step, move focus to its heading so screen readers announce it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    if (!config || config.verb !== "get") return;
    if ("speechSynthesis" in window) speechSynthesis.cancel();
    var heading = document.getElementById("step-title");
    if (heading) heading.focus();
  });
})();
