// The module editor (templates/editor/_editor.html): block forms that insert Markdown at the cursor, problems that
// jump to their line, the cursor's line and step, and a preview that never submits. The live preview itself is
// htmx (hx-post on the textarea); this file only helps it. Loaded once even when the editor is on a page twice.
(function () {
  "use strict";
  if (window.vtcEditor) return;
  window.vtcEditor = true;

  function editorOf(el) { return el.closest("[data-editor]"); }
  function sourceOf(editor) { return editor.querySelector("[data-editor-source]"); }

  // --- YAML: every text goes out as a JSON string, which is a valid YAML double-quoted scalar (no escaping to
  // get wrong: quotes, colons, '#' and line breaks in a teacher's text stay text).
  function q(text) { return JSON.stringify(String(text).trim()); }
  function lines(text) { return String(text).split("\n").map(function (l) { return l.trim(); }).filter(Boolean); }
  function makeId(text) {
    var id = String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").split("-").slice(0, 5).join("-");
    return id || "question";
  }
  function fence(kind, body) { return "```" + kind + "\n" + body.join("\n") + "\n```"; }
  function feedback(v) { return ["feedback:", "  right: " + q(v.right), "  wrong: " + q(v.wrong)]; }

  var BUILD = {
    quiz: function (v, dialog) {
      var body = ["id: " + v.id, "question: " + q(v.question), "choices:"];
      v.choices.forEach(function (c) {
        body.push("  - text: " + q(c.text));
        if (c.correct) body.push("    correct: true");
        body.push("    feedback: " + q(c.feedback));
      });
      return fence("quiz", body);
    },
    "true-false": function (v) {
      return fence("true-false", ["id: " + v.id, "question: " + q(v.question), "answer: " + v.answer].concat(feedback(v)));
    },
    sequencing: function (v) {
      var body = ["id: " + v.id, "question: " + q(v.question), "steps:"];
      lines(v.steps).forEach(function (s) { body.push("  - " + q(s)); });
      return fence("sequencing", body.concat(feedback(v)));
    },
    matching: function (v) {
      var body = ["id: " + v.id, "question: " + q(v.question), "pairs:"];
      lines(v.pairs).forEach(function (p) {
        var parts = p.split("=");
        body.push("  - left: " + q(parts[0]), "    right: " + q(parts.slice(1).join("=")));
      });
      return fence("matching", body.concat(feedback(v)));
    },
    "fill-in": function (v) {
      var accepted = lines(v.accepted).map(q).join(", ");
      return fence("fill-in", ["id: " + v.id, "question: " + q(v.question), "accepted: [" + accepted + "]"].concat(feedback(v)));
    },
    likert: function (v) { return fence("likert", ["id: " + v.id, "question: " + q(v.question)]); },
    video: function (v) {
      var sources = v.sources.split(",").map(function (s) { return s.trim(); }).filter(Boolean).map(q).join(", ");
      var body = ["id: " + v.id, "title: " + q(v.title), "sources: [" + sources + "]",
        "captions: {nl: " + q(v.captions_nl) + ", en: " + q(v.captions_en) + "}"];
      if (v.poster.trim()) body.push("poster: " + q(v.poster));
      body.push("transcript: |");
      String(v.transcript).trim().split("\n").forEach(function (l) { body.push(l.trim() ? "  " + l.trim() : ""); });
      return fence("video", body);
    },
    callout: function (v) { return "::: " + v.kind + "\n" + String(v.text).trim() + "\n:::"; },
    picture: function (v) {
      return "![" + String(v.alt).replace(/[\[\]\\\n]+/g, " ").trim() + "](" + String(v.file).trim().replace(/[\s()]/g, "") + ")";
    }
  };

  function showError(dialog, message, field) {
    var box = dialog.querySelector("[data-dialog-error]");
    box.textContent = message;
    if (field) { field.setAttribute("aria-invalid", "true"); field.focus(); }
    return null;
  }

  // Read the dialog's fields; null (with the message shown and the field focused) when something is missing.
  function read(dialog) {
    var kind = dialog.getAttribute("data-editor-dialog");
    var v = {};
    dialog.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
    var fields = dialog.querySelectorAll("[data-field]");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "radio") { if (f.checked) v[f.getAttribute("data-field")] = f.value; continue; }
      v[f.getAttribute("data-field")] = f.value;
      if (f.hasAttribute("data-required") && !f.value.trim()) return showError(dialog, f.getAttribute("data-required"), f);
    }
    if (kind === "quiz") {
      var box = dialog.querySelector("[data-choices]");
      v.choices = [];
      var firstText = dialog.querySelector("[data-choice-text]");
      dialog.querySelectorAll(".editor-choice").forEach(function (set) {
        var text = set.querySelector("[data-choice-text]");
        if (text.value.trim()) {
          v.choices.push({ text: text.value, correct: set.querySelector("[data-choice-correct]").checked,
            feedback: set.querySelector("[data-choice-feedback]").value, feedbackField: set.querySelector("[data-choice-feedback]") });
        }
      });
      if (v.choices.length < 2) return showError(dialog, box.getAttribute("data-need-choices"), firstText);
      if (!v.choices.some(function (c) { return c.correct; })) {
        return showError(dialog, box.getAttribute("data-need-correct"), dialog.querySelector("[data-choice-correct]"));
      }
      var silent = v.choices.filter(function (c) { return !c.feedback.trim(); })[0];
      if (silent) return showError(dialog, box.getAttribute("data-need-feedback"), silent.feedbackField);
    }
    if ("id" in v) {
      v.id = v.id.trim() || (kind === "likert" ? "confidence-" : "") + makeId(v.question || v.title || "");
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(v.id)) {
        return showError(dialog, dialog.getAttribute("data-bad-id"), dialog.querySelector('[data-field="id"]'));
      }
    }
    return BUILD[kind](v, dialog);
  }

  // Put a block on lines of its own at the cursor, select nothing, and let htmx refresh the preview.
  function insert(textarea, markdown) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, text = textarea.value;
    var before = text.slice(0, start), after = text.slice(end);
    var lead = before === "" ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    var trail = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    var block = lead + markdown + trail;
    textarea.setRangeText(block, start, end, "end");
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    updatePosition(textarea);
  }

  function lineOf(textarea) { return textarea.value.slice(0, textarea.selectionStart).split("\n").length; }
  function stepOf(text, line) {
    var number = 0, fenced = false;
    text.split("\n").slice(0, line).forEach(function (l) {
      if (l.startsWith("```")) fenced = !fenced;
      else if (!fenced && l.startsWith("## ")) number += 1;
    });
    return number;
  }

  function updatePosition(textarea) {
    var editor = editorOf(textarea);
    var line = lineOf(textarea), step = stepOf(textarea.value, line);
    var input = editor.querySelector("[data-editor-cursor-line]");
    var changed = input.value !== String(line);
    input.value = String(line);
    var out = editor.querySelector("[data-editor-position]");
    if (out) {
      var template = step ? out.getAttribute("data-template") : out.getAttribute("data-before");
      out.textContent = template.replace("{line}", line).replace("{step}", step);
    }
    var scope = editor.querySelector('input[name="scope"]:checked');
    if (changed && scope && scope.value === "cursor") textarea.dispatchEvent(new Event("editor-refresh"));
  }

  function goToLine(textarea, line) {
    var all = textarea.value.split("\n");
    var start = all.slice(0, line - 1).reduce(function (n, l) { return n + l.length + 1; }, 0);
    var end = start + (all[line - 1] || "").length;
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var height = parseFloat(getComputedStyle(textarea).lineHeight) || 24;
    textarea.scrollTop = Math.max(0, (line - 3) * height);
    updatePosition(textarea);
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-editor-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-editor-open"));
      dialog.querySelectorAll("[data-dialog-error], [data-upload-error]").forEach(function (p) { p.textContent = ""; });
      dialog.opener = opener;
      dialog.showModal();
      return;
    }
    var sender = event.target.closest("[data-upload-send]");
    if (sender) { sendGroup(sender.closest("[data-upload-group]")); return; }
    var cancel = event.target.closest("[data-dialog-cancel]");
    if (cancel) { cancel.closest("dialog").close(); return; }
    var jump = event.target.closest("[data-editor-line]");
    if (jump) goToLine(sourceOf(editorOf(jump)), parseInt(jump.getAttribute("data-editor-line"), 10));
  });

  // The draft page (authoring.js) runs its saves one after another and keeps every form's revision current; the
  // try-out page has neither, so an upload there is sent at once and names no revision.
  function queued(task) { return window.vtcDraft ? window.vtcDraft.queue(task) : task(); }

  // Send one upload of a block form to the upload URL: on the try-out page a check that stores nothing, on a draft
  // the draft's own store, which names the revision the page has (a save never overwrites someone else's) and
  // answers the new one. `stored(files)` gets the stored files (another name when a different file had theirs);
  // `fail(message)` the reason it was refused, or what to do when the answer never came.
  function send(dialog, el, data, fail, stored) {
    var editor = document.getElementById(dialog.getAttribute("data-editor"));
    var slug = editor.querySelector('input[name="slug"]');
    if (slug) data.set("slug", slug.value);
    var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    queued(function () {
      var revision = editor.querySelector('input[name="revision"]');
      if (revision && revision.value) data.set("revision", revision.value);
      return fetch(el.getAttribute("data-upload-url"), { method: "POST", body: data,
        headers: { "X-CSRFToken": token, "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          // a file over the request limit is refused before the app sees it: the answer is then a page, not JSON
          return response.json().then(function (body) { return [response.ok, body]; }, function () {
            return [false, { error: response.status === 413 ? el.getAttribute("data-upload-too-large") : null }];
          });
        })
        .then(function (answer) {
          if (!answer[0]) { fail(answer[1].error || el.getAttribute("data-upload-failed")); return; }
          if (answer[1].revision !== undefined) {
            document.querySelectorAll("[data-draft-revision]").forEach(function (r) { r.value = String(answer[1].revision); });
          }
          stored(answer[1].files);
        })
        .catch(function () { fail(el.getAttribute("data-upload-failed")); });
    });
  }

  function described(files) {
    return files.map(function (f) { return [f.filename].concat(f.notes || []).join(" "); }).join("; ");
  }

  // A picture, or a film with its captions, chosen in the form goes up when the form is sent (alt text included:
  // it is required there too); the stored names fill the fields, then the block is inserted.
  function upload(dialog, input, done) {
    var scope = input.closest("fieldset") || dialog;
    var data = new FormData();
    var kind = input.getAttribute("data-upload");
    data.append("kind", kind);
    data.append("file", input.files[0]);
    var alt = dialog.querySelector('[data-field="alt"]');
    if (alt) data.append("alt", alt.value);
    scope.querySelectorAll("input[type=file][data-upload-part]").forEach(function (part) {
      if (part.files.length) data.append(part.getAttribute("data-upload-part"), part.files[0]);
    });
    send(dialog, input, data, function (message) { showError(dialog, message, input); }, function (files) {
      var file = files[0];
      if (kind === "video") {  // the film, then its Dutch and English captions
        dialog.querySelector('[data-field="sources"]').value = file.filename;
        dialog.querySelector('[data-field="captions_nl"]').value = files[1].filename;
        dialog.querySelector('[data-field="captions_en"]').value = files[2].filename;
      } else {
        dialog.querySelector('[data-field="file"]').value = file.filename;
      }
      scope.querySelector("[data-upload-status]").textContent = described(files);
      scope.querySelectorAll("input[type=file]").forEach(function (f) { f.value = ""; });
      done();
    });
  }

  function chosenIn(group) {
    return Array.prototype.filter.call(group.querySelectorAll("input[type=file][data-upload-part]"),
      function (input) { return input.files.length > 0; });
  }

  // A part of a block uploaded on its own, with its own button (a film's new captions, a film's poster): the
  // stored name fills the block's field (captions_nl / captions_en / poster). A refusal is said next to the button,
  // the field it is about gets the focus, and every choice and field stays as it was.
  function sendGroup(group, done) {
    var dialog = group.closest("[data-editor-dialog]");
    var button = group.querySelector("[data-upload-send]");
    var kind = button.getAttribute("data-upload-send");
    var box = group.querySelector("[data-upload-error]");
    var inputs = group.querySelectorAll("input[type=file][data-upload-part]");
    var chosen = chosenIn(group);
    box.textContent = "";
    inputs.forEach(function (input) { input.removeAttribute("aria-invalid"); });
    function fail(message) {
      var language = /^(nl|en): /.exec(message || "");
      var field = (language && group.querySelector('[data-upload-part="captions_' + language[1] + '"]')) || chosen[0] || inputs[0];
      box.textContent = message;
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
    if (!chosen.length) { fail(button.getAttribute("data-upload-none")); return; }
    var data = new FormData();
    data.append("kind", kind);
    chosen.forEach(function (input) { data.append(input.getAttribute("data-upload-part"), input.files[0]); });
    var title = dialog.querySelector('[data-field="title"]');
    if (kind === "poster" && title) data.append("alt", title.value);
    send(dialog, button, data, fail, function (files) {
      files.forEach(function (file) {
        var language = /\.(nl|en)\.vtt$/.exec(file.filename);
        var name = kind === "poster" ? "poster" : language ? "captions_" + language[1] : null;
        if (name) dialog.querySelector('[data-field="' + name + '"]').value = file.filename;
      });
      group.querySelector("[data-upload-status]").textContent = described(files);
      inputs.forEach(function (input) { input.value = ""; });
      if (done) done();
    });
  }

  function finish(dialog, form) {
    var markdown = read(dialog);
    if (markdown === null) return;
    var textarea = sourceOf(document.getElementById(dialog.getAttribute("data-editor")));
    dialog.close();
    form.reset();
    dialog.querySelectorAll("[data-upload-status], [data-upload-error]").forEach(function (p) { p.textContent = ""; });
    insert(textarea, markdown);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.closest("[data-preview]")) { event.preventDefault(); return; }  // the preview answers nothing
    var dialog = form.closest("[data-editor-dialog]");
    if (!dialog) return;
    event.preventDefault();
    // new captions or a poster chosen but not yet uploaded go up first (one after another), never silently left
    var pending = Array.prototype.filter.call(dialog.querySelectorAll("[data-upload-group]"), function (group) {
      return chosenIn(group).length > 0;
    });
    if (pending.length) { sendGroup(pending[0], function () { form.requestSubmit(); }); return; }
    var chosen = dialog.querySelector("input[type=file][data-upload]");
    if (chosen && chosen.files.length) {
      var alt = dialog.querySelector('[data-field="alt"]');
      if (alt && !alt.value.trim()) { showError(dialog, alt.getAttribute("data-required"), alt); return; }
      var parts = (chosen.closest("fieldset") || dialog).querySelectorAll("input[type=file][data-upload-part]");
      for (var i = 0; i < parts.length; i++) {
        if (!parts[i].files.length) { showError(dialog, parts[i].getAttribute("data-required"), parts[i]); return; }
      }
      dialog.querySelector("[data-dialog-error]").textContent = "";
      upload(dialog, chosen, function () { finish(dialog, form); });
      return;
    }
    finish(dialog, form);
  });

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog.opener && dialog.hasAttribute("data-editor-dialog") && !dialog.contains(document.activeElement)) {
      var textarea = sourceOf(document.getElementById(dialog.getAttribute("data-editor")));
      if (document.activeElement !== textarea) dialog.opener.focus();
    }
  }, true);

  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-editor-refresh")) {
      sourceOf(editorOf(event.target)).dispatchEvent(new Event("editor-refresh"));
    }
  });

  ["keyup", "click", "focus"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (event.target.matches && event.target.matches("[data-editor-source]")) updatePosition(event.target);
    }, true);
  });

  // Languages side by side: each preview is sent the other editors' text as it is now (not as the page was
  // loaded), so ids and steps are compared across languages while typing; a change in one language refreshes the
  // others' problems too.
  function editors() { return Array.prototype.slice.call(document.querySelectorAll(".editor[data-editor]")); }
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (!source.matches || !source.matches("[data-editor-source]")) return;
    var own = source.closest(".editor[data-editor]");
    editors().forEach(function (other) {
      if (other === own) return;
      var name = "other_" + other.getAttribute("data-editor");
      var text = sourceOf(other).value;
      if (event.detail.formData) event.detail.formData.set(name, text); else event.detail.parameters[name] = text;
    });
  });
  var othersTimer = null;
  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-editor-source]") || editors().length < 2) return;
    var own = event.target.closest(".editor[data-editor]");
    window.clearTimeout(othersTimer);
    othersTimer = window.setTimeout(function () {
      editors().forEach(function (other) { if (other !== own) sourceOf(other).dispatchEvent(new Event("editor-refresh")); });
    }, 800);
  });

  // A preview that fails (connection gone, session ended) says so; the text in the textarea is never touched.
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail.elt;
    if (!source.matches || !source.matches("[data-editor-source]")) return;
    var box = editorOf(source).querySelector("[data-editor-error]");
    var failed = !event.detail.successful;
    box.hidden = !failed;
    box.textContent = failed ? box.getAttribute("data-message") : "";
  });

  // Say the number of problems when it changes (not after every preview: that would talk over the typing).
  document.addEventListener("htmx:afterSwap", function (event) {
    var editor = editorOf(event.detail.target);
    var count = editor && event.detail.target.querySelector("[data-editor-count]");
    if (!count) return;
    var region = editor.querySelector("[data-editor-announce]");
    var text = count.textContent.replace(/\s+/g, " ").trim();
    if (region.getAttribute("data-said") !== text) { region.textContent = text; region.setAttribute("data-said", text); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-editor-source]").forEach(updatePosition);
    // The item analysis links a step or question as #line-N: open the text on that line, cursor there.
    var wanted = /^#line-(\d+)$/.exec(window.location.hash);
    var source = document.querySelector("[data-editor-source]");
    if (wanted && source) goToLine(source, parseInt(wanted[1], 10));
  });
})();
