// The village list shows only the villages of the chosen township (no inline scripts: CSP).
(function () {
  var township = document.getElementById("township");
  var village = document.getElementById("village");
  if (!township || !village) return;
  var all = Array.prototype.slice.call(village.options, 1);
  function filter() {
    var code = township.value;
    var chosen = village.value;
    while (village.options.length > 1) village.remove(1);
    all.forEach(function (option) {
      if (!code || option.getAttribute("data-township") === code) village.add(option);
    });
    village.value = chosen;
    if (village.value !== chosen) village.value = "";
  }
  township.addEventListener("change", filter);
  filter();
})();
