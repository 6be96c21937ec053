/* TAK integration map: search over the prebuilt index and row filters. Nothing is fetched from the network:
   the index is a set of local scripts (search/index.js, search/sN.js) added with <script> tags, which also
   works when the site is opened from the file system. */
(function () {
  "use strict";
  var body = document.body;
  var envRoot = body.getAttribute("data-env-root");

  /* Row filters: by status, and by text on this page. */
  document.querySelectorAll(".filters input[data-status]").forEach(function (box) {
    box.addEventListener("change", function () {
      body.classList.toggle("hide-" + box.getAttribute("data-status"), !box.checked);
    });
  });
  var rowFilter = document.getElementById("rowfilter");
  if (rowFilter) {
    rowFilter.addEventListener("input", function () {
      var text = fold(rowFilter.value.trim());
      document.querySelectorAll("main .row").forEach(function (row) {
        row.classList.toggle("filtered-out", text !== "" && fold(row.textContent).indexOf(text) < 0);
      });
      if (text !== "") {
        document.querySelectorAll("main details.group").forEach(function (d) { d.open = true; });
      }
    });
  }

  function fold(s) {
    return s.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  function words(s) {
    return fold(s).split(/[^0-9a-z]+/).filter(function (w) { return w.length >= 2; });
  }

  /* Search. */
  var input = document.getElementById("q");
  var box = document.getElementById("results");
  if (envRoot === null || !input || !box) { return; }
  var manifest = null, loading = {}, shards = {}, waiting = [], timer = null;
  var LIMIT = 50, MAX_SHARDS = 24;

  window.TAK_SEARCH = {
    manifest: function (m) { manifest = m; flush(); },
    add: function (name, data) {
      data.h = data.e.map(function (e) { return fold(e[1] + " " + e[2] + " " + e[3]); });
      shards[name] = data;
      flush();
    }
  };
  function flush() {
    var jobs = waiting;
    waiting = [];
    jobs.forEach(function (job) { if (!job()) { waiting.push(job); } });
  }
  function load(file) {
    if (loading[file]) { return; }
    loading[file] = true;
    var s = document.createElement("script");
    s.src = envRoot + "search/" + file;
    s.onerror = function () { show([], "The search index is missing (" + file + ")."); };
    document.head.appendChild(s);
  }
  function shardsFor(word) {
    return manifest.shards.filter(function (p) {
      return word.indexOf(p[0]) === 0 || p[0].indexOf(word) === 0;
    }).map(function (p) { return p[1]; });
  }
  function search(query) {
    var ws = words(query);
    if (!ws.length) { box.hidden = true; return; }
    var common = manifest.common;
    var usable = ws.filter(function (w) { return common.indexOf(w) < 0; });
    if (!usable.length) { show([], "Too common: add a word."); return; }
    var main = usable.slice().sort(function (a, b) { return b.length - a.length; })[0];
    var files = shardsFor(main);
    var capped = files.length > MAX_SHARDS;
    files = files.slice(0, MAX_SHARDS);
    files.forEach(load);
    var started = performance.now();
    waiting.push(function () {
      if (input.value !== query) { return true; }
      if (!files.every(function (f) { return shards[f]; })) { return false; }
      var seen = {}, found = [];
      files.forEach(function (f) {
        var shard = shards[f];
        shard.t.forEach(function (t) {
          if (t[0].indexOf(main) !== 0) { return; }
          t[1].forEach(function (i) {
            var e = shard.e[i], key = e[0] + " " + e[1] + " " + e[3];
            if (seen[key]) { return; }
            var hay = shard.h[i];
            if (ws.every(function (w) { return hay.indexOf(w) >= 0; })) { seen[key] = true; found.push(e); }
          });
        });
      });
      found.sort(function (a, b) { return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0; });
      var note = capped ? "Showing matches from part of the index: type more." : "";
      show(found, note, performance.now() - started, query);
      return true;
    });
    flush();
  }
  function show(found, note, ms, query) {
    box.textContent = "";
    box.setAttribute("data-query", query === undefined ? "" : query);
    found.slice(0, LIMIT).forEach(function (e) {
      var a = document.createElement("a");
      a.href = envRoot + e[3];
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e[0];
      a.appendChild(kind);
      a.appendChild(document.createTextNode(e[1] + (e[2] ? " · " + e[2] : "")));
      box.appendChild(a);
    });
    var p = document.createElement("p");
    p.className = "note";
    p.textContent = (found.length ? found.length + " found" : "Nothing found") +
      (found.length > LIMIT ? ", first " + LIMIT + " shown" : "") + (note ? ". " + note : "");
    if (ms !== undefined) { box.setAttribute("data-ms", ms.toFixed(1)); }
    box.appendChild(p);
    box.hidden = false;
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var query = input.value;
    timer = setTimeout(function () {
      if (!manifest) {
        waiting.push(function () { if (!manifest) { return false; } search(query); return true; });
        load("index.js");
      } else {
        search(query);
      }
    }, 60);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { box.hidden = true; }
    if (ev.key === "Enter") { var first = box.querySelector("a"); if (first) { first.click(); } }
  });
})();
