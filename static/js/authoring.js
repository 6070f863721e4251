/* Autosave of the draft editor: every few seconds after a change, and when the page is left; every language on
   the page (side by side) is saved this way.
   The server checks the revision on every save, so an autosave never overwrites someone else's text: on a
   conflict the page says so and stops saving until the author reloads (their text stays in the textarea and in
   localStorage). The draft has one revision for all its files, so the page's own saves (texts and uploads) run
   one after another and each success gives every form the new revision: one language's save is no conflict for
   the other's. */
(function () {
  "use strict";
  var settings = document.querySelector("[data-autosave-for]");
  if (!settings) { return; }
  var urls = (settings.getAttribute("data-autosave-for") || "").split(" ").filter(Boolean);
  var status = document.getElementById(settings.getAttribute("data-autosave-status"));
  var stopped = false;
  var chain = Promise.resolve();

  function say(text, alert) {
    if (!status) { return; }
    status.textContent = text;
    if (alert) { status.setAttribute("role", "alert"); }
  }

  function setRevision(value) {
    document.querySelectorAll("[data-draft-revision]").forEach(function (input) { input.value = String(value); });
  }

  // Run a save (a function returning a promise) after every save before it, whatever became of those.
  function queue(task) {
    var run = chain.then(task, task);
    chain = run.catch(function () { /* the task reported its own failure */ });
    return run;
  }
  window.vtcDraft = { queue: queue, setRevision: setRevision };

  function watch(form) {
    var source = form.querySelector("textarea[name=source]");
    var revision = form.querySelector("input[name=revision]");
    if (!source || !revision || source.readOnly) { return; }
    var key = "vtc-draft:" + form.action;
    var saved = source.value;
    var timer = null;
    var backup = null;
    try { backup = window.localStorage.getItem(key); } catch (e) { backup = null; }
    if (backup && backup !== saved) {
      // a text typed but never saved (the browser closed): offer it back rather than lose it
      source.value = backup;
      say(settings.getAttribute("data-restored") || "Your unsaved text was restored. Save it, or reload to drop it.");
    }

    function body() {
      var data = new FormData();  // only what a save reads: the editor's form also holds preview settings
      data.set("csrf_token", form.querySelector("input[name=csrf_token]").value);
      data.set("source", source.value);
      data.set("revision", revision.value);
      return data;
    }

    function save() {
      timer = null;
      if (stopped || source.value === saved) { return Promise.resolve(); }
      var text = source.value;
      return fetch(form.action, { method: "POST", body: body(), headers: { "Accept": "application/json" },
        credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (json) { return { ok: response.ok, code: response.status, json: json }; });
        })
        .then(function (result) {
          if (result.ok) {
            setRevision(result.json.revision);
            saved = text;
            try { window.localStorage.removeItem(key); } catch (e) { /* private mode: nothing kept */ }
            say(settings.getAttribute("data-saved") || "Saved.");
          } else {
            if (result.code === 409) { stopped = true; }
            say(result.json.error || "Not saved.", true);
          }
        })
        .catch(function () { say(settings.getAttribute("data-offline") || "Not saved: no connection. Your text is kept on this device."); });
    }

    source.addEventListener("input", function () {
      try { window.localStorage.setItem(key, source.value); } catch (e) { /* full or private: the server copy counts */ }
      if (timer === null) { timer = window.setTimeout(function () { queue(save); }, 3000); }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && !stopped && source.value !== saved && navigator.sendBeacon) {
        navigator.sendBeacon(form.action, body());
      }
    });
    form.addEventListener("submit", function () { try { window.localStorage.removeItem(key); } catch (e) { /* */ } });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (urls.indexOf(form.getAttribute("action")) !== -1) { watch(form); }
  });
})();
