// Draws the dashboard charts from the JSON the page embeds (no inline scripts: CSP).
(function () {
  var holder = document.getElementById("chart-by-county");
  var data = document.getElementById("chart-data");
  if (!holder || !data || typeof echarts === "undefined") return;
  var d = JSON.parse(data.textContent);
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  echarts.init(holder).setOption({
    tooltip: { trigger: "axis" },
    legend: { data: zh ? ["家庭", "人口"] : ["Households", "People"] },
    xAxis: { type: "category", data: d.labels },
    yAxis: { type: "value" },
    series: [
      { name: zh ? "家庭" : "Households", type: "bar", data: d.households, itemStyle: { color: "#c0392b" } },
      { name: zh ? "人口" : "People", type: "bar", data: d.people, itemStyle: { color: "#2c6e9b" } }
    ]
  });
})();
