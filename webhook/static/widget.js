/* Proofhook widget. Paste: <script src="https://your-proofhook/widget.js" data-key="PUBLIC_KEY" async></script>
   It must never break the host page: everything runs inside try/catch, styles live in a Shadow DOM,
   data goes in with textContent only, and only http(s) URLs become links or images. */
(function () {
  "use strict";
  var CLOSED = "proofhook-closed";
  var POSITIONS = { "bottom-left": 1, "bottom-right": 1, "top-left": 1, "top-right": 1 };
  var CSS =
    ":host{all:initial}" +
    ".stack{position:fixed;z-index:2147483000;display:flex;flex-direction:column;gap:10px;width:340px;" +
    "max-width:calc(100vw - 24px);font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330}" +
    ".bottom-left{left:12px;bottom:12px}.bottom-right{right:12px;bottom:12px}" +
    ".top-left{left:12px;top:12px}.top-right{right:12px;top:12px}" +
    ".pop{position:relative;display:flex;gap:12px;align-items:center;box-sizing:border-box;padding:12px 34px 12px 12px;" +
    "background:#fff;border:1px solid #dfe3ea;border-radius:12px;box-shadow:0 6px 24px rgba(15,23,42,.18);" +
    "opacity:0;transform:translateY(12px);transition:opacity .3s,transform .3s}" +
    ".pop.on{opacity:1;transform:none}" +
    ".av{flex:0 0 48px;width:48px;height:48px;border-radius:50%;object-fit:cover;background:#e0e7ff;color:#3730a3;" +
    "display:flex;align-items:center;justify-content:center;font-weight:700}" +
    ".count{border-radius:10px}.tx{min-width:0;overflow-wrap:anywhere}p{margin:0}" +
    "a{color:#3046c5;font-weight:600}.t{color:#5d6678;font-size:12px}" +
    ".x{position:absolute;top:4px;right:4px;width:28px;height:28px;border:0;border-radius:50%;background:none;" +
    "color:#5d6678;font:20px/1 sans-serif;cursor:pointer}.x:hover,.x:focus-visible{background:#eef1fd}" +
    ".vf{color:#067647;font-size:12px;text-decoration:none}" +
    "@media (max-width:480px){.stack{left:8px;right:8px;width:auto;max-width:none}}" +
    "@media (prefers-reduced-motion:reduce){.pop{transition:none;transform:none}}";

  var stacks = {};
  var widgets = [];
  var closedNow = false;

  function closed() {
    if (closedNow) return true;
    try { return window.sessionStorage.getItem(CLOSED) === "1"; } catch (e) { return false; }
  }

  function closeAll() {
    closedNow = true;
    try { window.sessionStorage.setItem(CLOSED, "1"); } catch (e) { /* storage may be off: hide for this page */ }
    for (var p in stacks) if (stacks[p].host.parentNode) stacks[p].host.parentNode.removeChild(stacks[p].host);
    stacks = {};
  }

  function seconds(value, fallback) {
    var n = parseFloat(value);
    return isFinite(n) && n >= 0 ? Math.min(n, 3600) * 1000 : fallback * 1000;
  }

  function httpUrl(value) {
    if (typeof value !== "string") return null;
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = String(text);
    return node;
  }

  function stack(position) {
    if (!stacks[position]) {
      var host = el("proofhook-popups");
      var root = host.attachShadow({ mode: "open" });
      root.appendChild(el("style", null, CSS));
      var box = el("div", "stack " + position);
      root.appendChild(box);
      document.body.appendChild(host);
      stacks[position] = { host: host, box: box };
    }
    return stacks[position].box;
  }

  function avatar(item) {
    var image = item.product && httpUrl(item.product.image);
    if (!image) return el("div", "av", item.initials || "?");
    var img = el("img", "av");
    img.alt = "";
    img.referrerPolicy = "no-referrer";
    img.onerror = function () { img.replaceWith(el("div", "av", item.initials || "?")); };
    img.src = image;
    return img;
  }

  function streamBody(item, text) {
    var who = el("p");
    who.appendChild(el("strong", null, item.name || "Someone"));
    if (item.place) who.appendChild(document.createTextNode(" from " + item.place));
    // A template's text replaces the message and product line (as in the preview).
    var what = el("p", null, item.text || item.message || "");
    var product = item.text ? {} : item.product || {};
    if (product.name) {
      what.appendChild(document.createTextNode(" "));
      var link = httpUrl(product.link);
      var name = el(link ? "a" : "span", null, product.name);
      if (link) { name.href = link; name.target = "_blank"; name.rel = "nofollow noopener"; }
      what.appendChild(name);
    }
    text.appendChild(who);
    text.appendChild(what);
    if (item.timeAgo) text.appendChild(el("p", "t", item.timeAgo));
  }

  function popup(item) {
    var box = el("div", "pop");
    box.setAttribute("role", "status");
    var text = el("div", "tx");
    if (item.type === "conversion") {
      box.appendChild(el("div", "av count", item.count));
      text.appendChild(el("p", null, item.text));
    } else {
      box.appendChild(avatar(item));
      streamBody(item, text);
    }
    box.appendChild(text);
    var close = el("button", "x", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    box.appendChild(close);
    return box;
  }

  function proofMark(item, base) { // the Verified mark, to its proof page
    var p = item.proof, a = p && typeof item.id === "string" && el("a", "vf", p.label);
    if (a) { a.href = base + encodeURIComponent(item.id); a.target = "_blank"; a.rel = "noopener"; }
    return a;
  }

  // One widget per data-key: fetch its feed, then show its items one after another.
  // show() and onClick() report impressions and clicks.
  function Widget(script) {
    var d = script.dataset;
    var base = new URL("feed/" + encodeURIComponent(d.key), script.src).href;
    this.feedUrl = new URL(base + ".json");
    this.activityUrl = base + "/activity";
    this.proofBase = new URL("proof/" + encodeURIComponent(d.key) + "/", script.src).href;
    this.flushMs = seconds(d.flush, 10);
    this.guid = d.guid;
    this.queue = [];
    if (d.guid) this.feedUrl.searchParams.set("guid", d.guid);
    this.position = POSITIONS[d.position] ? d.position : "bottom-left";
    this.delay = seconds(d.delay, 3);
    this.display = seconds(d.display, 6);
    this.gap = seconds(d.gap, 4);
    this.key = d.key;
  }

  Widget.prototype.start = function () {
    var self = this;
    fetch(self.feedUrl.href, { credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error("feed answered " + r.status); return r.json(); })
      .then(function (feed) {
        self.items = feed && Array.isArray(feed.items) ? feed.items : [];
        self.later(function () { self.next(0); }, self.delay);
      })
      .catch(quiet);
  };

  Widget.prototype.later = function (fn, ms) {
    return setTimeout(function () { try { fn(); } catch (e) { quiet(e); } }, ms);
  };

  Widget.prototype.next = function (i) {
    var self = this;
    if (i >= self.items.length || closed()) return;
    self.show(self.items[i]);
    self.later(function () { self.hide(); self.later(function () { self.next(i + 1); }, self.gap); }, self.display);
  };

  Widget.prototype.show = function (item) {
    var self = this;
    var node = popup(item), mark = proofMark(item, self.proofBase);
    if (mark) node.querySelector(".tx").appendChild(mark);
    node.setAttribute("data-key", self.key);
    node.addEventListener("click", function (event) { try { self.onClick(event, item); } catch (e) { quiet(e); } });
    stack(self.position).appendChild(node);
    self.node = node;
    node.getBoundingClientRect(); // lay out once so the fade-in transition runs
    node.className += " on";
    if (!document.hidden) self.report(item, "impression");
  };

  Widget.prototype.onClick = function (event, item) {
    if (event.target.className === "x") closeAll();
    else if (!item.clicked) { item.clicked = 1; this.report(item, "click"); this.flush(); }
  };

  // Impressions and clicks leave in batches by sendBeacon: text/plain (no preflight), no answer awaited.
  Widget.prototype.report = function (item, kind) {
    var self = this;
    if (typeof item.id !== "string" || !navigator.sendBeacon) return;
    self.queue.push({ id: item.id, kind: kind });
    if (!self.timer) self.timer = self.later(function () { self.flush(); }, self.flushMs);
  };

  Widget.prototype.flush = function () {
    clearTimeout(this.timer);
    this.timer = 0;
    while (this.queue.length) {
      var items = this.queue.splice(0, 50);
      navigator.sendBeacon(this.activityUrl, JSON.stringify({ v: 1, guid: this.guid, items: items }));
    }
  };

  function flushAll() {
    for (var i = 0; i < widgets.length; i++) try { widgets[i].flush(); } catch (e) { quiet(e); }
  }

  Widget.prototype.hide = function () {
    var node = this.node;
    this.node = null;
    if (!node) return;
    node.className = "pop";
    this.later(function () { if (node.parentNode) node.parentNode.removeChild(node); }, 300);
  };

  function quiet(error) {
    try { if (window.console) console.warn("Proofhook widget:", error && error.message ? error.message : error); }
    catch (e) { /* nothing left to do */ }
  }

  // Each run of this file starts every snippet not started yet.
  function startAll() {
    if (closed() || !window.fetch || !document.body || !document.body.attachShadow) return;
    var scripts = document.querySelectorAll("script[data-key]");
    for (var i = 0; i < scripts.length; i++) {
      var script = scripts[i];
      if (script.proofhookStarted || !/\/widget\.js(\?|#|$)/.test(script.src)) continue;
      script.proofhookStarted = true;
      try { var w = new Widget(script); widgets.push(w); w.start(); } catch (e) { quiet(e); }
    }
  }

  try {
    // Leaving or switching tabs: send what is queued now.
    window.addEventListener("pagehide", flushAll);
    document.addEventListener("visibilitychange", function () { if (document.hidden) flushAll(); });
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
    else startAll();
  } catch (e) { quiet(e); }
})();
