// Draws every dashboard chart from the JSON the page embeds (no inline scripts: CSP), and
// prints the whole page or one chart. A bar of a region chart drills down like its table link.
(function () {
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  var palette = ["#c0392b", "#2c6e9b", "#27ae60", "#e67e22", "#8e44ad", "#16a085", "#7f8c8d",
    "#d35400", "#2980b9", "#f1c40f"];
  var drawn = [];

  function num(v) { return typeof v === "string" ? parseFloat(v) : v; }

  function option(d) {
    var money = d.series.map(function (s) { return s.value === "amount"; });
    // money on its own axis beside counts (a project's yuan would flatten its people)
    var twoAxes = money.indexOf(true) >= 0 && money.indexOf(false) >= 0;
    var many = d.x.length > (d.kind === "projects" ? 3 : 6);
    var series = d.series.map(function (s, i) {
      var line = d.kind === "trend" && twoAxes && money[i];
      return {
        name: s.name,
        type: line ? "line" : "bar",
        stack: d.stack ? "all" : undefined,
        yAxisIndex: twoAxes && money[i] ? 1 : 0,
        data: s.data.map(num),
        itemStyle: { color: palette[i % palette.length] }
      };
    });
    var yAxis = [{ type: "value", minInterval: money[0] && !twoAxes ? 0 : 1 }];
    if (twoAxes) yAxis.push({ type: "value", name: zh ? "元" : "yuan", splitLine: { show: false } });
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      // a plain legend wraps (a scrolling one would hide categories on paper)
      legend: { type: "plain", top: 0 },
      grid: { left: 8, right: 16, top: 30 + 22 * Math.ceil(series.length / 4), bottom: 8, containLabel: true },
      // every region's name shows: none is hidden when the axis is crowded (rotate instead)
      xAxis: { type: "category", data: d.x, axisLabel: { interval: 0, rotate: many ? 35 : 0, hideOverlap: false } },
      yAxis: yAxis,
      series: series
    };
  }

  function draw(holder) {
    var code = holder.getAttribute("data-chart");
    var script = document.getElementById(code);
    if (!script) return;
    var d = JSON.parse(script.textContent);
    // SVG: crisp when printed, and readable by tests and assistive tools
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption(option(d));
    holder.setAttribute("data-rendered", String(d.x.length));
    if (d.kind === "regions") {
      chart.on("click", function (p) {
        var table = document.querySelector('[data-table="' + code + '"]');
        var row = table && table.tBodies[0].rows[p.dataIndex];
        var link = row && row.querySelector("a");
        if (link) window.location.href = link.href;
      });
    }
    drawn.push(chart);
  }

  if (typeof echarts !== "undefined") {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
    var resize = function () { drawn.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", resize);
    // the printed page (A4 less margins) is narrower than the screen: draw to its width, and
    // back to the screen's after
    window.addEventListener("beforeprint", function () {
      drawn.forEach(function (c) { c.resize({ width: 680 }); });
    });
    window.addEventListener("afterprint", resize);
  }

  document.addEventListener("click", function (event) {
    var one = event.target.closest("[data-print-card]");
    if (one) {
      var card = document.getElementById(one.getAttribute("data-print-card"));
      document.body.classList.add("print-one");
      card.classList.add("print-target");
      window.print();
      document.body.classList.remove("print-one");
      card.classList.remove("print-target");
      return;
    }
    if (event.target.closest("[data-print]")) window.print();
  });
})();
