// The notification page's live preview: the language and look chosen in the settings form, shown before saving.
// The server renders the preview (the same template as the page); this fetches it and paints its colours.
(function () {
  var holder = document.getElementById("preview");
  if (!holder || !window.fetch) return;
  var timer;

  function paint() {
    var previews = document.getElementById("previews");
    var look = JSON.parse(previews.getAttribute("data-look") || "{}");
    ["light", "dark"].forEach(function (theme) {
      var colours = look[theme] || {};
      for (var name in colours) previews.style.setProperty("--" + theme + "-" + name, colours[name]);
    });
  }

  function refresh() {
    var chosen = new URLSearchParams();
    document.querySelectorAll("[data-preview]").forEach(function (field) { chosen.set(field.name, field.value); });
    fetch(holder.getAttribute("data-url") + "?" + chosen, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) { if (html) { holder.innerHTML = html; paint(); } });
  }

  document.addEventListener("input", function (event) {
    if (!event.target.hasAttribute || !event.target.hasAttribute("data-preview")) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  paint();
})();
