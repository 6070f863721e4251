// Every failure of the player visible, and answers never lost: an answer that cannot be sent now (no connection,
// logged out, an expired page) is kept in IndexedDB under an id fixed on this device and sent later, exactly once:
// the server makes that id the statement's id and treats a second arrival as already done.
// A step read from the service worker's copy is queued too, as a "seen" entry, so it is reported `experienced` once
// back online; those entries are invisible to the learner (the count is about answers only).
// All words come translated from the page (#vtc-offline-text); none are written here.
(function () {
  "use strict";
  var text = {};
  var DB_NAME = "vtc-offline";
  var STORE = "queue";
  var sending = false;
  var STEP_PATH = /^(\/modules\/[^/]+)\/step\/(\d+)$/;

  function say(key) { return text[key] || key; }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // --- the queue in IndexedDB: entries in the order they were made, so a finish follows its answers ---
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  // Only the logged-in learner's own entries: on a shared device, another person's answers wait for that person.
  function queued() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (entries) {
      return entries.filter(function (entry) { return entry.user === text.user; });
    });
  }

  function enqueue(entry) {
    entry.user = text.user;
    return withStore("readwrite", function (store) {
      // The same answer (same id) is kept once, however often it failed; a step read twice offline, once.
      store.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) { store.add(entry); return; }
        if (entry.id && cursor.value.id === entry.id) { cursor.update(Object.assign({}, entry, { seq: cursor.value.seq })); return; }
        if (sameStepSeen(cursor.value, entry)) return;
        cursor.continue();
      };
    }).then(showCount);
  }

  function sameStepSeen(kept, entry) {
    return entry.kind === "seen" && kept.kind === "seen" && kept.user === entry.user && kept.url === entry.url &&
      kept.registration === entry.registration;
  }

  function remove(seq) { return withStore("readwrite", function (store) { store.delete(seq); }); }

  function showCount() {
    return queued().then(function (entries) {
      var status = document.getElementById("offline-status");
      if (!status) return;
      var n = entries.filter(function (entry) { return entry.kind === "answer"; }).length;
      var finishing = entries.some(function (entry) { return entry.kind === "finish"; });
      status.textContent = n ? say(n === 1 ? "one" : "other").replace("{n}", String(n)) : finishing ? say("finishQueued") : "";
      status.hidden = !n && !finishing;
    });
  }

  // --- messages next to the question ---
  function clearAlert(form) {
    var old = form.querySelector("[data-player-alert]");
    if (old) old.remove();
  }

  function showAlert(form, key, withLogin) {
    clearAlert(form);
    var box = document.createElement("div");
    box.className = "player-alert error";
    box.setAttribute("role", "alert");
    box.setAttribute("data-player-alert", "");
    var p = document.createElement("p");
    p.textContent = say(key);
    box.appendChild(p);
    if (withLogin) {
      var link = document.createElement("a");
      link.href = say("login") + "?next=" + encodeURIComponent(location.pathname);
      link.textContent = say("loginLink");
      box.appendChild(link);
    }
    var button = form.querySelector("button[type=submit], button:not([type])");
    form.insertBefore(box, button || null);
  }

  // Something was entered: a tick, a select chosen, text typed. The server judges the rest (a step used twice,
  // a select left open) and says what to do in its 400 answer.
  function hasAnswer(form) {
    if (form.querySelector("input[name=choice]:checked")) return true;
    var selects = form.querySelectorAll("select[name=choice]");
    if (selects.length) {
      return Array.prototype.every.call(selects, function (select) { return select.value !== ""; });
    }
    var text = form.querySelector("input[type=text][name=choice]");
    return !!(text && text.value.trim() !== "");
  }

  function isAnswerForm(element) { return element && element.matches && element.matches("form.item"); }

  function answerEntry(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token") fields.push([name, String(value)]);
    });
    return { kind: "answer", id: form.elements.answer_id.value, url: form.getAttribute("action"), fields: fields };
  }

  function ensureAnswerId(form) {
    var field = form.elements.answer_id;
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "answer_id";
      form.appendChild(field);
    }
    if (!field.value) field.value = newId();
    return field.value;
  }

  function queueAnswer(form, key, withLogin) {
    enqueue(answerEntry(form)).then(registerSync);
    showAlert(form, key, withLogin);
  }

  function pointsToLogin(xhr) {
    var login = say("login");
    return !!(xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === login);
  }

  // No choice made: say so before anything is sent; the server says the same if it ever gets an empty answer.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!isAnswerForm(form)) return;
    if (!hasAnswer(form)) {
      event.preventDefault();
      showAlert(form, "noChoice");
      return;
    }
    clearAlert(form);
  });

  // The id is fixed before the first try, and stays the same for every retry and for the queue.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (isAnswerForm(form)) event.detail.parameters.answer_id = ensureAnswerId(form);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.elt;
    var xhr = event.detail.xhr;
    if (!isAnswerForm(form)) {
      if (pointsToLogin(xhr) && event.detail.target && event.detail.target.id === "player") {
        event.detail.shouldSwap = false;
        location.assign(xhr.responseURL);  // a step asked for while logged out: show the log-in page itself
      }
      return;
    }
    if (pointsToLogin(xhr) || xhr.getResponseHeader("X-VTC-Form-Error") === "logged-out") {
      event.detail.shouldSwap = false;  // never the log-in page inside the question
      queueAnswer(form, "loggedOut", true);
    } else if (xhr.status === 409) {
      event.detail.shouldSwap = true;  // an earlier try of the module: the form says to reload the page
    } else if (xhr.status === 400) {
      if (xhr.responseText.indexOf('id="' + form.id + '"') === -1) {
        event.detail.shouldSwap = false;  // keep the learner's choice on screen
        queueAnswer(form, "expired");
      } else {
        // The server's own form: it says what to do (a step used twice, an answer too long) and shows the
        // learner's answer as they sent it.
        event.detail.shouldSwap = true;
      }
    } else if (xhr.status >= 500 || xhr.status === 0) {
      event.detail.shouldSwap = false;
      showAlert(form, "serverError");
    } else {
      return;
    }
    event.detail.isError = false;  // handled and shown in the page: not a script error for the console
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (isAnswerForm(form)) {
      queueAnswer(form, "queued");
    } else {
      var status = document.getElementById("offline-status");
      if (status) { status.hidden = false; status.textContent = say("stepOffline"); }
    }
  });

  // Finishing is a plain form; sent by script it can be queued when there is no connection.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-finish]")) return;
    event.preventDefault();
    var entry = { kind: "finish", id: newId(), url: form.getAttribute("action"), fields: [] };
    var done = function () {
      enqueue(entry).then(registerSync);
      var note = form.querySelector("[data-player-alert]") ? null : document.createElement("p");
      if (note) {
        note.className = "player-alert";
        note.setAttribute("role", "alert");
        note.setAttribute("data-player-alert", "");
        note.textContent = say("finishQueued");
        form.appendChild(note);
      }
    };
    send(entry).then(function (outcome) {
      if (outcome.sent) location.assign(outcome.url);
      else done();
    }, done);
  });

  // --- steps read from the worker's copy: queued as "seen", reported `experienced` once back online ---
  // The id is fixed here and becomes the statement's id; the time is this device's (the server keeps it within
  // the attempt and never in the future).
  function queueSeen(path, registration) {
    var match = STEP_PATH.exec(path || "");
    if (!match || !text.user) return;
    var id = newId();
    var fields = [["seen_id", id], ["seen_at", new Date().toISOString()]];
    if (registration) fields.push(["registration", registration]);
    enqueue({ kind: "seen", id: id, url: match[1] + "/seen/" + match[2], registration: registration || "", fields: fields })
      .then(registerSync);
  }

  function shownRegistration() {
    var player = document.getElementById("player");
    return player ? player.getAttribute("data-registration") : null;
  }

  // "Next" offline: htmx got the step from the worker, which marks such answers with a header.
  document.addEventListener("htmx:afterSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.getResponseHeader("X-VTC-Offline-Copy") !== "1") return;
    var info = event.detail.pathInfo || {};
    var path = info.requestPath || (event.detail.requestConfig && event.detail.requestConfig.path) || "";
    queueSeen(new URL(path, location.href).pathname, shownRegistration());
  });

  // --- sending the queue: on page load, when the connection returns, and when the worker's sync fires ---
  function send(entry) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("csrf_token", csrfToken());
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (new URL(response.url).pathname === say("login")) return { sent: false, stop: true, loggedOut: true };
      if (entry.kind === "seen") return seenOutcome(response);
      if (response.ok) return { sent: true, url: response.url };
      // 409: the answer belongs to an attempt that was finished or restarted meanwhile; 404: no such question.
      if (response.status === 409 || response.status === 404) return { sent: true, url: response.url };
      if (response.status === 400) {
        // The question itself refused it (its form came back): sending again will not help.
        return response.text().then(function (html) {
          if (html.indexOf('id="item-') !== -1) return { sent: true, url: response.url };
          var loggedOut = response.headers.get("X-VTC-Form-Error") === "logged-out";
          return { sent: false, stop: true, loggedOut: loggedOut };
        });
      }
      return { sent: false, stop: true };
    });
  }

  // A seen entry the server refuses for good (404: no such attempt or step, 409: that attempt is finished, 400 with
  // its JSON reason) is dropped; an expired form token or a logged-out session stops the run like an answer's.
  function seenOutcome(response) {
    var formError = response.headers.get("X-VTC-Form-Error");
    if (response.ok || response.status === 404 || response.status === 409 || (response.status === 400 && !formError)) {
      return { sent: true };
    }
    return { sent: false, stop: true, loggedOut: formError === "logged-out" };
  }

  function flush() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    var finishedAt = null;
    return queued().then(function (entries) {
      var chain = Promise.resolve(true);
      entries.forEach(function (entry) {
        chain = chain.then(function (go) {
          if (!go) return false;
          return send(entry).then(function (outcome) {
            if (outcome.loggedOut) {
              var status = document.getElementById("offline-status");
              if (status) status.setAttribute("data-logged-out", "");
            }
            if (!outcome.sent) return false;
            if (entry.kind === "finish") finishedAt = outcome.url;
            return remove(entry.seq).then(function () { return true; });
          }, function () { return false; });
        });
      });
      return chain;
    }).then(function () {
      sending = false;
      // A module finished offline: now that it is sent, show its result as finishing online would.
      if (finishedAt && location.pathname.indexOf(new URL(finishedAt).pathname.split("/result/")[0]) === 0) {
        location.assign(finishedAt);
        return;
      }
      return showCount().then(function () {
        document.documentElement.setAttribute("data-queue-checked", "");  // tests wait for this, people do not
      });
    }, function () { sending = false; });
  }

  function registerSync() {
    if (navigator.serviceWorker && navigator.serviceWorker.ready && "SyncManager" in window) {
      navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("vtc-answers"); }).catch(function () {});
    }
  }

  function keepModule() {
    var holder = document.querySelector("[data-offline-steps]");
    if (!holder || !navigator.serviceWorker) return;
    var urls = holder.getAttribute("data-offline-steps").trim().split(/\s+/);
    navigator.serviceWorker.ready.then(function (reg) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        if (event.data && event.data.kept) document.documentElement.setAttribute("data-offline-ready", "");
      };
      reg.active.postMessage({ type: "keep-steps", urls: urls }, [channel.port2]);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("vtc-offline-text");
    if (block) text = JSON.parse(block.textContent);
    var finish = document.querySelector("form[action$='/finish']");
    if (finish) finish.setAttribute("data-finish", "");
    if ("indexedDB" in window) {
      // A whole step page from the worker's copy (a reload offline): the worker marked it, see sw.js.
      if (document.documentElement.hasAttribute("data-offline-copy")) queueSeen(location.pathname, shownRegistration());
      showCount().then(flush);
    }
    if (navigator.serviceWorker && text.worker) {
      navigator.serviceWorker.register(text.worker, { scope: "/" }).then(keepModule).catch(function () {});
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "send-queue") flush();
      });
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var finish = document.querySelector("form[action$='/finish']");
    if (finish) finish.setAttribute("data-finish", "");
  });
  window.addEventListener("online", flush);

  // Logging out on a shared device: the kept module pages go; answers still waiting stay for their owner.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[action$='/logout']") || !window.caches) return;
    caches.keys().then(function (names) {
      names.filter(function (name) { return /-steps$/.test(name); }).forEach(function (name) { caches.delete(name); });
    });
  });
})();
