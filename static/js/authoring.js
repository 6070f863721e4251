/* Autosave of the draft editor: every few seconds after a change, and when the page is left.
   The server checks the revision on every save, so an autosave never overwrites someone else's text: on a
   conflict the page says so and stops saving until the author reloads (their text stays in the textarea and in
   localStorage). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var source = form.querySelector("#source");
  var revision = form.querySelector("input[name=revision]");
  var status = document.getElementById(form.getAttribute("data-autosave-status"));
  if (!source || !revision || source.readOnly) { return; }
  var key = "vtc-draft:" + form.action;
  var saved = source.value;
  var stopped = false;
  var timer = null;
  var backup = null;
  try { backup = window.localStorage.getItem(key); } catch (e) { backup = null; }
  if (backup && backup !== saved) {
    // a text typed but never saved (the browser closed): offer it back rather than lose it
    source.value = backup;
    say(form.getAttribute("data-restored") || "Your unsaved text was restored. Save it, or reload to drop it.");
  }

  function say(text) { if (status) { status.textContent = text; } }

  function body() {
    var data = new FormData(form);
    data.set("source", source.value);
    data.set("revision", revision.value);
    return data;
  }

  function save() {
    timer = null;
    if (stopped || source.value === saved) { return; }
    var text = source.value;
    fetch(form.action, { method: "POST", body: body(), headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, code: response.status, json: json }; });
      })
      .then(function (result) {
        if (result.ok) {
          revision.value = result.json.revision;
          saved = text;
          try { window.localStorage.removeItem(key); } catch (e) { /* private mode: nothing kept */ }
          say(form.getAttribute("data-saved") || "Saved.");
        } else {
          if (result.code === 409) { stopped = true; }
          say(result.json.error || "Not saved.");
          status.setAttribute("role", "alert");
        }
      })
      .catch(function () { say(form.getAttribute("data-offline") || "Not saved: no connection. Your text is kept on this device."); });
  }

  source.addEventListener("input", function () {
    try { window.localStorage.setItem(key, source.value); } catch (e) { /* full or private: the server copy counts */ }
    if (timer === null) { timer = window.setTimeout(save, 3000); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !stopped && source.value !== saved && navigator.sendBeacon) {
      navigator.sendBeacon(form.action, body());
    }
  });
  form.addEventListener("submit", function () { try { window.localStorage.removeItem(key); } catch (e) { /* */ } });
})();
