// The claim list's "Made by or about" box: as a reader types, ask /claims/entities.json for a
// few matching entities and offer them in the box's <datalist> (value: the slug the filter
// reads; label: the name). Without JavaScript the box still takes a name or a slug.
(function () {
  "use strict";
  function start() {
    var input = document.querySelector("input[data-suggestions='entity']");
    var list = document.getElementById("entity-suggestions");
    if (!input || !list) return;
    var source = list.getAttribute("data-source");
    var timer = null;
    var asked = "";
    function fill(entities) {
      list.textContent = "";
      entities.forEach(function (entity) {
        var option = document.createElement("option");
        option.value = entity.slug;
        option.label = entity.name;
        option.textContent = entity.name;
        list.appendChild(option);
      });
    }
    function ask() {
      var typed = input.value.trim();
      if (typed === asked) return;
      asked = typed;
      if (!typed) { fill([]); return; }
      fetch(source + "?q=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { entities: [] }; })
        .then(function (body) { if (asked === typed) fill(body.entities || []); })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
