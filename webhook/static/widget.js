/* Proofhook widget. Paste: <script src="https://your-proofhook/widget.js" data-key="PUBLIC_KEY" async></script>
   Options (data-*): position (bottom-left|bottom-right|top-left|top-right), delay, display, gap, flush (seconds), guid,
   lang (a language tag, or auto for the visitor's browser language); narrowing the notification's own rules for
   this page: devices (mobile|desktop), max (popups of this notification), max-total (popups of all on the page).
   Where, when and how often come with the feed, and are checked here, on the page: the server never learns it.
   It must never break the host page: everything runs inside try/catch, styles live in a Shadow DOM,
   data goes in with textContent only, and only http(s) URLs become links or images.
   It carries no words of its own: the feed brings them in its language, with the notification's look.
   Parts a site may restyle with ::part(): popup, picture, text, name, product, time, close. */
(function () {
  "use strict";
  var CLOSED = "proofhook-closed";
  var MEMORY = "proofhook";
  var MOBILE_BELOW = 768; // viewport width in CSS pixels, as webhook/rules.py says
  var POSITIONS = { "bottom-left": 1, "bottom-right": 1, "top-left": 1, "top-right": 1 };
  // Each theme's colours come from the feed as --l-* (light) and --d-* (dark); these are the light defaults.
  var VARS = ["bg", "fg", "mu", "bd", "ac", "on"];
  var LOOK_KEYS = ["background", "text", "muted", "border", "accent", "onAccent"];
  var use = function (t) { return VARS.map(function (v) { return "--" + v + ":var(--" + t + "-" + v + ")"; }).join(";"); };
  var CSS =
    ":host{all:initial}" +
    ".stack{position:fixed;z-index:2147483000;display:flex;flex-direction:column;gap:10px;width:340px;" +
    "max-width:calc(100vw - 24px);font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    ".bottom-left{left:12px;bottom:12px}.bottom-right{right:12px;bottom:12px}" +
    ".top-left{left:12px;top:12px}.top-right{right:12px;top:12px}" +
    ".pop{--l-bg:#fff;--l-fg:#1d2330;--l-mu:#5d6678;--l-bd:#e4e7ee;--l-ac:#3046c5;--l-on:#fff;" +
    "position:relative;display:flex;gap:12px;align-items:center;box-sizing:border-box;padding:12px 34px 12px 12px;" +
    "background:var(--bg);color:var(--fg);border:1px solid var(--bd);border-radius:12px;" +
    "box-shadow:0 6px 24px rgba(15,23,42,.18);opacity:0;transform:translateY(12px);transition:opacity .3s,transform .3s}" +
    ".light,.auto{" + use("l") + "}.dark{" + use("d") + "}" +
    "@media (prefers-color-scheme:dark){.auto{" + use("d") + "}}" +
    ".pop.on{opacity:1;transform:none}.square,.square .count{border-radius:0}" +
    "[dir=rtl].pop{padding:12px 12px 12px 34px}[dir=rtl] .x{right:auto;left:4px}" +
    ".av{flex:0 0 48px;width:48px;height:48px;border-radius:50%;object-fit:cover;background:var(--ac);color:var(--on);" +
    "display:flex;align-items:center;justify-content:center;font-weight:700}" +
    ".compact{gap:8px;padding-top:8px;padding-bottom:8px}.compact .av{flex-basis:36px;width:36px;height:36px}" +
    ".count{border-radius:10px}.tx{min-width:0;overflow-wrap:anywhere}p{margin:0}.n{font-weight:700}" +
    "a{color:var(--ac);font-weight:600}.t{color:var(--mu);font-size:12px}" +
    ".x{position:absolute;top:4px;right:4px;width:28px;height:28px;border:0;border-radius:50%;background:none;" +
    "color:var(--mu);font:20px/1 sans-serif;cursor:pointer}.x:hover{background:var(--bd)}" +
    ".x:focus-visible{outline:2px solid var(--ac);outline-offset:1px}" +
    ".vf{display:block;font-size:12px;text-decoration:none}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "@media (max-width:480px){.stack{left:8px;right:8px;width:auto;max-width:none}}" +
    "@media (prefers-reduced-motion:reduce){.pop{transition:none;transform:none}}";

  var stacks = {};
  var widgets = [];
  var closedNow = false;
  // One queue per page: its notifications take turns, highest priority first, one popup at a time. Every run of
  // this file on the page (a snippet added later loads it again) shares it.
  var queue = window.Proofhook && window.Proofhook.queue || { turns: [], turn: 0, running: false, shown: 0, max: 1e9 };

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

  // What this device remembers, in localStorage alone (no cookie; never sent): when each popup was seen, and
  // closes that last days. With storage off, nothing is remembered and the widget works as without it.
  function memory(change) {
    try {
      var m = JSON.parse(localStorage.getItem(MEMORY)) || {};
      if (change) { change(m); localStorage.setItem(MEMORY, JSON.stringify(m)); }
      return m;
    } catch (e) { return {}; }
  }

  // Would the feed's rules show popups on this page (a location), at this moment, this wide? The same cases as
  // webhook/rules.py's (tests/fixtures/display_rules.json) run through it as window.Proofhook.fits.
  function fits(rules, where, now, width) {
    var url = where.pathname + where.search;
    var any = function (list) { return (list || []).some(function (re) { return new RegExp(re, "i").test(url); }); };
    return !((rules.include || []).length && !any(rules.include)) && !any(rules.exclude) &&
      device(rules.devices, width) && inSchedule(rules.schedule, now);
  }

  // Phones are the viewports narrower than MOBILE_BELOW; anything but mobile or desktop means both.
  function device(devices, width) {
    return devices !== "mobile" && devices !== "desktop" || (devices === "mobile") === (width < MOBILE_BELOW);
  }

  // The owner's date, weekday and clock at this moment, read in their time zone from the browser's own zone data.
  function inSchedule(s, now) {
    if (!s) return true;
    var p = {};
    new Intl.DateTimeFormat("en-US", { timeZone: s.tz, hourCycle: "h23", weekday: "short", year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(new Date(now)).forEach(function (x) { p[x.type] = x.value; });
    var day = p.year + "-" + p.month + "-" + p.day, clock = p.hour + ":" + p.minute;
    if (s.start && day < s.start || s.end && day > s.end || s.days.indexOf(p.weekday.toLowerCase()) < 0) return false;
    // From 22:00 until 02:00 runs over midnight.
    return !s.from || (s.from < s.until ? s.from <= clock && clock < s.until : clock >= s.from || clock < s.until);
  }

  // A notification whose feed has come joins the page's queue, which starts after its delay if it was idle.
  function join(widget) {
    queue.turns.push(widget);
    queue.turns.sort(function (a, b) { return b.priority - a.priority || a.order - b.order; }); // ties: snippet order
    if (!queue.running) { queue.running = true; widget.later(run, widget.delay); }
  }

  // Show the next popup of the page: each notification in turn gives its next one, until none has any left.
  function run() {
    var turns = queue.turns;
    if (closed() || queue.shown >= queue.max) return (queue.running = false);
    for (var n = 0; n < turns.length; n++) {
      var widget = turns[(queue.turn + n) % turns.length], item = widget.take();
      if (item) { queue.turn = (queue.turn + n + 1) % turns.length; queue.shown++; return widget.play(item); }
    }
    queue.running = false;
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

  function el(tag, className, text, part) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = String(text);
    if (part) node.setAttribute("part", part);
    return node;
  }

  // Run fn once the tab is visible: a hidden tab gets no requests and no popups.
  function whenVisible(fn) {
    if (!document.hidden) return fn();
    document.addEventListener("visibilitychange", function wait() {
      if (document.hidden) return;
      document.removeEventListener("visibilitychange", wait);
      fn();
    });
  }

  // Each stack holds the popups of one corner and one polite live region that reads each popup once.
  function stack(position, labels) {
    if (!stacks[position]) {
      var host = el("proofhook-popups");
      var root = host.attachShadow({ mode: "open" });
      root.appendChild(el("style", null, CSS));
      var box = el("div", "stack " + position);
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", labels.region || "Proofhook");
      var live = el("div", "sr");
      live.setAttribute("aria-live", "polite");
      box.appendChild(live);
      root.appendChild(box);
      document.body.appendChild(host);
      stacks[position] = { host: host, box: box, live: live };
    }
    return stacks[position];
  }

  function initialsPicture(item) {
    var node = el("div", "av", item.initials || "?", "picture");
    node.setAttribute("aria-hidden", "true");
    return node;
  }

  // What the round picture shows: the product image (initials without one), the initials, or nothing.
  function picture(item, look) {
    if (look.picture === "none") return null;
    var image = look.picture !== "initials" && item.product && httpUrl(item.product.image);
    if (!image) return initialsPicture(item);
    var img = el("img", "av", null, "picture");
    img.alt = "";
    img.width = img.height = 48;
    img.referrerPolicy = "no-referrer";
    img.onerror = function () { img.replaceWith(initialsPicture(item)); };
    img.src = image;
    return img;
  }

  // Fill a sentence of the feed's language ("{name} aus {place}") with isolated pieces, so mixed directions never scramble.
  function sentence(pattern, slots) {
    var line = el("p");
    var pieces = String(pattern).split(/\{(\w+)\}/);
    for (var i = 0; i < pieces.length; i++) {
      if (i % 2 === 0) { if (pieces[i]) line.appendChild(document.createTextNode(pieces[i])); }
      else if (slots[pieces[i]]) line.appendChild(slots[pieces[i]]);
    }
    return line;
  }

  function product(item) {
    var shown = item.product || {};
    if (!shown.name) return null;
    var link = httpUrl(shown.link);
    var node = el(link ? "a" : "bdi", null, shown.name, "product");
    if (link) { node.href = link; node.target = "_blank"; node.rel = "nofollow noopener"; node.dir = "auto"; }
    return node;
  }

  function streamBody(item, text) {
    var place = item.place ? el("bdi", null, item.place) : null;
    text.appendChild(sentence(item.who || (place ? "{name} {place}" : "{name}"),
      { name: el("bdi", "n", item.name || "?", "name"), place: place }));
    // A template's text replaces the message and product line, as in the server-rendered preview.
    if (item.text) text.appendChild(el("p", null, item.text));
    else text.appendChild(sentence(item.what || "{message} {product}",
      { message: el("bdi", null, item.message || ""), product: product(item) }));
    if (item.timeAgo) text.appendChild(el("p", "t", item.timeAgo, "time"));
  }

  function popup(item, feed) {
    var look = feed.look || {};
    var box = el("div", "pop " + ({ dark: 1, auto: 1 }[look.theme] ? look.theme : "light"), null, "popup");
    if (look.corners === "square") box.className += " square";
    if (look.size === "compact") box.className += " compact";
    ["l", "d"].forEach(function (t) {
      var colours = look[t === "l" ? "light" : "dark"] || {};
      VARS.forEach(function (v, i) { if (colours[LOOK_KEYS[i]]) box.style.setProperty("--" + t + "-" + v, colours[LOOK_KEYS[i]]); });
    });
    if (feed.lang) box.lang = feed.lang;
    box.dir = feed.dir === "rtl" ? "rtl" : "ltr";
    var text = el("div", "tx", null, "text");
    var pic;
    if (item.type === "conversion") {
      pic = look.picture === "none" ? null : el("div", "av count", item.count, "picture");
      if (pic) pic.setAttribute("aria-hidden", "true");
      text.appendChild(el("p", null, item.text));
    } else {
      pic = picture(item, look);
      streamBody(item, text);
    }
    if (pic) box.appendChild(pic);
    box.appendChild(text);
    var close = el("button", "x", "\u00d7", "close");
    close.type = "button";
    close.setAttribute("aria-label", (feed.labels || {}).close || "Close");
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
    this.goalsUrl = base + "/goals";
    this.proofBase = new URL("proof/" + encodeURIComponent(d.key) + "/", script.src).href;
    this.flushMs = seconds(d.flush, 10);
    this.guid = d.guid;
    this.queue = [];
    if (d.guid) this.feedUrl.searchParams.set("guid", d.guid);
    // The server answers in this language when it speaks it, else in the notification's own.
    var lang = d.lang === "auto" ? navigator.language : d.lang;
    if (lang) this.feedUrl.searchParams.set("lang", lang);
    this.position = POSITIONS[d.position] ? d.position : "bottom-left";
    this.delay = seconds(d.delay, 3);
    this.display = seconds(d.display, 6);
    this.gap = seconds(d.gap, 4);
    this.key = d.key;
    this.devices = d.devices;
    this.max = whole(d.max);
    queue.max = Math.min(queue.max, whole(d.maxTotal));
    this.i = this.count = 0;
    this.order = [].indexOf.call(document.scripts, script);
  }

  // A data-max… attribute as a whole number; absent or nonsense is no limit.
  function whole(value) {
    var n = parseInt(value, 10);
    return n >= 0 ? n : 1e9;
  }

  Widget.prototype.start = function () {
    var self = this;
    fetch(self.feedUrl.href, { credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error("feed answered " + r.status); return r.json(); })
      .then(function (feed) {
        self.feed = feed && typeof feed === "object" ? feed : {};
        var rules = self.rules = self.feed.rules || {}, now = Date.now();
        if (self.goals(rules, now)) return; // a holdout browser never sees this notification's popups
        var m = memory(), seen = m.seen || {};
        if (!fits(rules, location, now, innerWidth) || !device(self.devices, innerWidth)) return;
        if ((m.closed || {})[self.key] > now) return;
        var hours = rules.repeatHours || 0;
        self.items = (Array.isArray(self.feed.items) ? self.feed.items : []).filter(function (item) {
          return !(seen[self.key + " " + item.id] > now - hours * 36e5);
        });
        if (rules.order === "shuffle") {
          for (var i = self.items.length - 1; i > 0; i--) {
            var j = Math.floor(Math.random() * (i + 1)), t = self.items[i];
            self.items[i] = self.items[j];
            self.items[j] = t;
          }
        }
        self.max = Math.min(self.max, rules.maxPerView || 1e9);
        self.priority = rules.priority || 0;
        join(self);
      })
      .catch(quiet);
  };

  // This browser's group (drawn once), one visit a day and each goal page reached once a day, with whether a
  // popup was seen or clicked within the window. Only group, goal and kind are sent; the draw, the day stamps
  // and the times stay in localStorage. Returns whether this browser is in the holdout.
  Widget.prototype.goals = function (r, now) {
    var key = this.key, url = location.pathname + location.search, items = [], group = "shown", goals = r.goals || [];
    if (goals.length || r.holdout) memory(function (m) { // nothing is remembered for a notification without them
      var g = m.group = m.group || {}, d = m.day = m.day || {}, day = Math.floor(now / 864e5);
      var since = now - (r.attributionDays || 0) * 864e5, clicked = (m.clicked || {})[key] > since, seen = clicked;
      if (r.holdout) group = g[key] = g[key] || (Math.random() * 100 < r.holdout ? "holdout" : "shown");
      for (var k in m.seen) if (!k.indexOf(key + " ") && m.seen[k] > since) seen = true;
      [{ name: "", page: "" }].concat(goals).forEach(function (goal, i) {
        if (!goals.length || d[key + " " + goal.name] === day || !new RegExp(goal.page, "i").test(url)) return;
        d[key + " " + goal.name] = day;
        items.push({ goal: goal.name, kind: i ? "goal" : "visit" });
        if (i && seen) items.push({ goal: goal.name, kind: "seen" });
        if (i && clicked) items.push({ goal: goal.name, kind: "clicked" });
      });
    });
    if (items.length && navigator.sendBeacon) navigator.sendBeacon(this.goalsUrl, JSON.stringify({ v: 1, group: group, items: items }));
    return group === "holdout";
  };

  Widget.prototype.later = function (fn, ms) {
    return setTimeout(function () { try { fn(); } catch (e) { quiet(e); } }, ms);
  };

  // This notification's next popup, or null: none left (after the last it stops, or starts over), or enough shown.
  Widget.prototype.take = function () {
    if (this.stopped || this.count >= this.max || !this.items.length) return null;
    if (this.i >= this.items.length) {
      if (this.rules.afterLast !== "loop") return null;
      this.i = 0;
    }
    this.count++;
    return this.items[this.i++];
  };

  // Show one popup, then hand the turn back to the queue once it is gone.
  Widget.prototype.play = function (item) {
    var self = this;
    whenVisible(function () {
      self.show(item);
      // The next popup comes once this one is gone, so none ever moves another: no layout shift. The gap is
      // between any two popups of the page.
      self.step = function () { self.hide(function () { self.later(run, self.gap); }); };
      self.left = self.display;
      self.hold({});
    });
  };

  // Hovering or focusing a popup stops its clock (WCAG 2.2.2); leaving both starts it again with the time left.
  Widget.prototype.hold = function (change) {
    for (var k in change) this[k] = change[k];
    var held = this.hovered || this.focused;
    if (held && this.showTimer) {
      clearTimeout(this.showTimer);
      this.showTimer = 0;
      this.left -= Date.now() - this.since;
    } else if (!held && !this.showTimer && this.step) {
      this.since = Date.now();
      this.showTimer = this.later(this.step, Math.max(this.left, 0));
    }
  };

  Widget.prototype.show = function (item) {
    var self = this;
    var node = popup(item, self.feed), mark = proofMark(item, self.proofBase);
    if (mark) node.querySelector(".tx").appendChild(mark);
    var place = stack(self.position, self.feed.labels || {});
    node.setAttribute("data-key", self.key);
    node.addEventListener("click", function (event) { try { self.onClick(event, item); } catch (e) { quiet(e); } });
    node.addEventListener("mouseenter", function () { self.hold({ hovered: true }); });
    node.addEventListener("mouseleave", function () { self.hold({ hovered: false }); });
    node.addEventListener("focusin", function () { self.hold({ focused: true }); });
    node.addEventListener("focusout", function () { self.hold({ focused: false }); });
    place.box.appendChild(node);
    place.live.textContent = node.querySelector(".tx").textContent;
    self.node = node;
    node.getBoundingClientRect(); // lay out once so the fade-in transition runs
    node.className += " on";
    var seenAt = Date.now(), id = self.key + " " + item.id;
    if (typeof item.id === "string") {
      memory(function (m) {
        var seen = m.seen = m.seen || {};
        for (var k in seen) if (seen[k] < seenAt - 366 * 864e5) delete seen[k]; // past any window
        seen[id] = seenAt;
      });
    }
    self.report(item, "impression");
  };

  Widget.prototype.onClick = function (event, item) {
    if (event.target.className === "x") {
      closeAll();
      var key = this.key, until = Date.now() + (this.rules.closeDays || 0) * 864e5;
      if (this.rules.closeDays) memory(function (m) { (m.closed = m.closed || {})[key] = until; });
    } else if (!item.clicked) {
      item.clicked = 1;
      var k = this.key;
      memory(function (m) { (m.clicked = m.clicked || {})[k] = Date.now(); }); this.report(item, "click"); this.flush(); }
  };

  // Escape takes the popups away for this page view (the close button, for the whole visit).
  Widget.prototype.dismiss = function () {
    this.stopped = true;
    clearTimeout(this.showTimer);
    this.step = null;
    this.hide();
  };

  // Impressions and clicks leave in batches, by sendBeacon: a text/plain string (no CORS preflight), no answer
  // awaited, nothing that could slow the page. The server counts only ids of popups its feed shows.
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

  function each(method) {
    for (var i = 0; i < widgets.length; i++) try { widgets[i][method](); } catch (e) { quiet(e); }
  }

  Widget.prototype.hide = function (then) {
    var node = this.node;
    this.node = null;
    this.showTimer = 0;
    this.hovered = this.focused = false;
    if (!node) return;
    node.className = node.className.replace(" on", "");
    this.later(function () { if (node.parentNode) node.parentNode.removeChild(node); if (then) then(); }, 300);
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

  // The page's own work comes first: start after it has loaded, when the browser is idle, and only in a shown tab.
  function whenIdle() {
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 1); };
    idle(function () { try { whenVisible(startAll); } catch (e) { quiet(e); } }, { timeout: 2000 });
  }

  try {
    window.Proofhook = { fits: fits, queue: queue };
    // A visitor leaving or switching tabs: send what is queued now, while the page can still send.
    window.addEventListener("pagehide", function () { each("flush"); });
    document.addEventListener("visibilitychange", function () { if (document.hidden) each("flush"); });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") each("dismiss"); });
    if (document.readyState === "complete") whenIdle();
    else window.addEventListener("load", whenIdle);
  } catch (e) { quiet(e); }
})();
