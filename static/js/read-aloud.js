// Read-aloud: speaks what a learner sees on the step (text, picture alt texts, questions, choices, feedback) with
// the browser's voice, block by block, marking the block being read. Where the browser has no voice for the
// content's language, it says so and plays the recording the server made with espeak-ng instead.
(function () {
  "use strict";
  var root = document.documentElement;
  var BLOCKS = "h1, h2, h3, h4, p, li, legend, figcaption, dt, dd, td, th, blockquote, summary, .choice > span, .pick > span, img[alt]";
  var SKIP = "button, [aria-hidden='true'], [hidden], [data-read-aloud-controls], .progress, nav, script, style, audio";
  var reading = null; // {blocks, marked} while speaking

  function available() { return "speechSynthesis" in window && "SpeechSynthesisUtterance" in window; }
  function scope() { return document.getElementById("player"); }

  function visible(element) {
    return !element.closest(SKIP) && element.getClientRects().length > 0;
  }

  // Blocks in DOM order; a block inside another (a picture in a paragraph) is read as part of the outer one.
  function blocks(container) {
    var found = [];
    container.querySelectorAll(BLOCKS).forEach(function (element) {
      if (!visible(element) && !(element.matches("img") && !element.closest(SKIP))) return;
      if (found.some(function (outer) { return outer.element.contains(element); })) return;
      var parts = segments(element);
      if (parts.length) found.push({ element: element, segments: parts, lang: langOf(element) });
    });
    return found;
  }

  // A block as sentences, each with the Range it covers on the page (for the highlight); a picture is its own
  // segment, spoken as its alt text.
  function segments(element) {
    var result = [];
    var run = [];
    function flush() {
      var raw = run.map(function (piece) { return piece.node.data; }).join("");
      var pattern = /[^.!?]+[.!?]*["')\]]*\s*/g;
      var match;
      while ((match = pattern.exec(raw))) {
        var text = match[0].replace(/[\u00AD\u200B]/g, "").replace(/\s+/g, " ").trim(); // soft hyphens are for line breaks only
        if (!text) continue;
        var range = document.createRange();
        var start = locate(run, match.index), end = locate(run, match.index + match[0].length);
        range.setStart(start.node, start.offset);
        range.setEnd(end.node, end.offset);
        result.push({ text: text, range: range });
      }
      run = [];
    }
    function picture(img) {
      var alt = (img.getAttribute("alt") || "").trim();
      if (!alt) return;
      var range = document.createRange();
      range.selectNode(img);
      result.push({ text: alt, range: range });
    }
    function walk(node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) run.push({ node: child });
        else if (child.nodeType === Node.ELEMENT_NODE && !child.matches(SKIP)) {
          if (child.matches("img")) { flush(); picture(child); } else walk(child);
        }
      });
    }
    if (element.matches("img")) picture(element); else { walk(element); flush(); }
    return result;
  }

  function locate(run, offset) {
    var at = 0;
    for (var i = 0; i < run.length; i++) {
      var length = run[i].node.data.length;
      if (offset <= at + length) return { node: run[i].node, offset: offset - at };
      at += length;
    }
    var last = run[run.length - 1];
    return { node: last.node, offset: last.node.data.length };
  }

  function langOf(element) {
    var holder = element.closest("[lang]");
    return (holder ? holder.getAttribute("lang") : root.lang) || "nl";
  }

  function voiceFor(lang) {
    var voices = speechSynthesis.getVoices() || [];
    var wanted = root.dataset.speechVoice;
    var prefix = lang.slice(0, 2).toLowerCase();
    var matching = voices.filter(function (v) { return (v.lang || "").toLowerCase().slice(0, 2) === prefix; });
    return matching.filter(function (v) { return v.voiceURI === wanted || v.name === wanted; })[0] || matching[0] || null;
  }

  // The sentence being read: the CSS Custom Highlight API where there is one; its block gets a class as well
  // (and alone on older browsers), so the place stays visible in forced colours.
  function mark(element, range) {
    document.querySelectorAll(".is-reading").forEach(function (e) { e.classList.remove("is-reading"); });
    if (window.CSS && CSS.highlights) {
      if (range && window.Highlight) CSS.highlights.set("read-aloud", new Highlight(range));
      else CSS.highlights.delete("read-aloud");
    }
    if (element) element.classList.add("is-reading");
  }

  function controls() {
    var player = scope();
    return player ? {
      speak: player.querySelector("[data-read-aloud-button]"),
      pause: player.querySelector("[data-read-aloud-pause]"),
      status: player.querySelector("[data-read-aloud-status]"),
      audio: player.querySelector("[data-read-aloud-audio]")
    } : null;
  }

  function stop() {
    if (available()) speechSynthesis.cancel();
    reading = null;
    mark(null);
    var c = controls();
    if (!c) return;
    if (c.speak) c.speak.setAttribute("aria-pressed", "false");
    if (c.pause) { c.pause.hidden = true; c.pause.setAttribute("aria-pressed", "false"); }
    if (c.audio && !c.audio.paused) c.audio.pause();
  }

  // Each sentence is its own utterance: pausing works between sentences on every engine, and the highlight moves.
  function speak(list) {
    var rate = parseFloat(root.dataset.speechRate) || 0.9;
    list.forEach(function (block, index) {
      var voice = voiceFor(block.lang);
      block.segments.forEach(function (segment, partIndex) {
        var utterance = new SpeechSynthesisUtterance(segment.text);
        utterance.lang = block.lang;
        if (voice) utterance.voice = voice;
        utterance.rate = rate;
        utterance.onstart = function () { if (reading) mark(block.element, segment.range); };
        if (index === list.length - 1 && partIndex === block.segments.length - 1) {
          utterance.onend = function () { stop(); };
        }
        speechSynthesis.speak(utterance);
      });
    });
  }

  function fallback(c) {
    if (c.status) c.status.textContent = c.status.dataset.noVoice;
    if (c.audio) {
      c.audio.hidden = false;
      var playing = c.audio.play();
      if (playing && playing.catch) playing.catch(function () { c.audio.focus(); }); // autoplay refused: let them press play
    }
  }

  function start(speakButton) {
    var player = scope();
    var c = controls();
    if (!player || !c) return;
    var list = blocks(player);
    if (!available() || !voiceFor(list.length ? list[0].lang : root.lang)) { fallback(c); return; }
    stop();
    reading = { blocks: list };
    speakButton.setAttribute("aria-pressed", "true");
    if (c.pause) c.pause.hidden = false;
    speak(list);
  }

  function togglePause(button) {
    if (!reading) return;
    if (button.getAttribute("aria-pressed") === "true") {
      speechSynthesis.resume();
      button.setAttribute("aria-pressed", "false");
    } else {
      speechSynthesis.pause();
      button.setAttribute("aria-pressed", "true");
    }
  }

  document.addEventListener("click", function (event) {
    var speakButton = event.target.closest("[data-read-aloud-button]");
    if (speakButton) {
      if (speakButton.getAttribute("aria-pressed") === "true") stop(); else start(speakButton);
      return;
    }
    var pauseButton = event.target.closest("[data-read-aloud-pause]");
    if (pauseButton) togglePause(pauseButton);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && reading) stop();
  });

  // Settings page: offer the browser's Dutch, English and German voices, keeping the stored choice selected.
  function fillVoiceSelects() {
    if (!available()) return;
    var voices = speechSynthesis.getVoices() || [];
    document.querySelectorAll("select[data-voice-select]").forEach(function (select) {
      var current = select.dataset.current || select.value;
      voices.forEach(function (voice) {
        var prefix = (voice.lang || "").toLowerCase().slice(0, 2);
        if (["nl", "en", "de"].indexOf(prefix) < 0) return;
        if ([].some.call(select.options, function (o) { return o.value === voice.voiceURI; })) return;
        var option = new Option(voice.name + " (" + voice.lang + ")", voice.voiceURI);
        option.selected = voice.voiceURI === current || voice.name === current;
        select.add(option);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    fillVoiceSelects();
    if (available() && speechSynthesis.addEventListener) speechSynthesis.addEventListener("voiceschanged", fillVoiceSelects);
  });

  // htmx: a new step stops the reading and focuses its heading; an answer focuses (and, while reading is on,
  // reads) the feedback that replaced the question.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    if (!config) return;
    if (config.verb === "get") {
      stop();
      var heading = document.getElementById("step-title");
      if (heading) heading.focus();
      return;
    }
    var form = event.detail.elt && event.detail.elt.closest ? document.getElementById(event.detail.elt.id) : null;
    var feedback = form ? form.querySelector(".feedback") : null;
    if (!feedback || !feedback.textContent.trim()) return;
    feedback.setAttribute("tabindex", "-1");
    feedback.focus();
    var wasReading = reading !== null || (controls() && controls().speak.dataset.used === "1");
    if (wasReading && available() && voiceFor(langOf(feedback))) {
      speechSynthesis.cancel();
      reading = { blocks: [] };
      speak(blocks(feedback));
    }
  });

  document.addEventListener("click", function (event) {
    var speakButton = event.target.closest("[data-read-aloud-button]");
    if (speakButton) speakButton.dataset.used = "1"; // learners who use read-aloud hear their feedback too
  }, true);
})();
