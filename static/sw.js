// The VTC service worker: keeps the app's own files and the steps of the modules a learner opened, so a module can
// be finished without a connection. Answers are not its business: offline.js queues them in IndexedDB and sends
// them itself (Background Sync exists only in Chromium), here a "sync" event only asks open pages to send.
// A step it serves from its copy is marked, so the page can queue it as read (a "seen" entry, see offline.js).
"use strict";

var VERSION = "vtc-v1";
var STATIC = VERSION + "-static";
var STEPS = VERSION + "-steps";
var ASSETS = [
  "/static/css/app.css",
  "/static/vendor/htmx.min.js",
  "/static/js/app.js",
  "/static/js/offline.js",
  "/static/manifest.webmanifest",
  "/static/icons/icon.svg",
];
var STEP_PATH = /^\/modules\/[^/]+\/step\/\d+$/;

// A step is kept twice under two keys: Chromium's cache holds one entry per URL whatever the Vary header says,
// so the htmx fragment would otherwise replace the whole page.
function cacheKey(url, fragment) {
  return fragment ? url + "?vtc-fragment=1" : url;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf(VERSION) !== 0; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

// Each step twice: as a whole page (a reload) and as the fragment htmx asks for (the "Next" button). The header
// tells the server this is a prefetch, so no step is marked as seen.
function keepSteps(urls) {
  return caches.open(STEPS).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return Promise.all([false, true].map(function (fragment) {
        var headers = { "X-VTC-Prefetch": "1" };
        if (fragment) headers["HX-Request"] = "true";
        var request = new Request(url, { headers: headers, credentials: "same-origin" });
        return fetch(request).then(function (response) {
          if (response.ok && !response.redirected) return cache.put(cacheKey(request.url, fragment), response);
        });
      }));
    }));
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep-steps") return;
  var port = event.ports && event.ports[0];
  event.waitUntil(keepSteps(data.urls || []).then(function () {
    if (port) port.postMessage({ kept: true });
  }, function () {
    if (port) port.postMessage({ kept: false });
  }));
});

// A step served from the copy was read without the server knowing: the page must say so, so that offline.js
// queues a "seen" entry for it. htmx reads the header; a whole page cannot read its own headers, so its <html>
// element carries the mark instead.
function markedCopy(hit, fragment) {
  var headers = new Headers(hit.headers);
  headers.set("X-VTC-Offline-Copy", "1");
  var init = { status: hit.status, statusText: hit.statusText, headers: headers };
  if (fragment) return new Response(hit.body, init);
  headers.delete("Content-Length");  // the body grows by the mark; it is already decoded
  headers.delete("Content-Encoding");
  return hit.text().then(function (html) {
    return new Response(html.replace(/<html\b/i, "<html data-offline-copy"), init);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    // Network first as well: a changed stylesheet must reach learners online; the copy serves when offline.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }, function () {
      return caches.match(request, { ignoreSearch: true });
    }));
    return;
  }
  if (STEP_PATH.test(url.pathname)) {
    var fragment = request.headers.get("HX-Request") === "true";
    var key = cacheKey(url.origin + url.pathname, fragment);
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(STEPS).then(function (cache) { cache.put(key, copy); });
      }
      return response;
    }, function () {
      return caches.match(key, { ignoreVary: true }).then(function (hit) {
        return hit ? markedCopy(hit, fragment) : Response.error();
      });
    }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "vtc-answers") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage({ type: "send-queue" }); });
  }));
});
