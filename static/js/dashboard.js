// The dashboard's charts, drawn with ECharts (installed by the setup, served locally) from
// the area's stats endpoint and its children's boundaries. The page itself carries the same
// figures as tables, so without the library or the endpoint nothing is lost.
"use strict";

(() => {
  const board = document.getElementById("dashboard");
  if (!board) return;

  // Choosing an area below reloads the page at once; the button remains for keyboards.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  if (!window.echarts) return;
  const echarts = window.echarts;
  const labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  const locale = document.documentElement.lang === "en" ? "EN" : "ZH";
  const palette = [
    "#0b5cad", "#1a7f37", "#b54708", "#b42318", "#6941c6", "#0e9384", "#c11574", "#667085",
  ];
  const text = { fontFamily: getComputedStyle(document.documentElement).fontFamily };
  const drawn = [];

  const load = async (url) => {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  };
  const cache = new Map();
  const loadOnce = (url) => {
    if (!cache.has(url)) cache.set(url, load(url));
    return cache.get(url);
  };

  const container = (name) => board.querySelector(`[data-chart="${name}"]`);
  const draw = (name, option) => {
    const element = container(name);
    if (!element) return null;
    const chart = echarts.getInstanceByDom(element) || echarts.init(element, null, { locale });
    // Tooltips drawn on the canvas (rich text), not as HTML: ECharts' HTML tooltips carry
    // inline style attributes, which the site's Content-Security-Policy refuses. Plain text,
    // so names from the database need no escaping.
    const tooltip = option.tooltip && { ...option.tooltip, renderMode: "richText" };
    chart.setOption(
      { color: palette, textStyle: text, animation: false, ...option, ...(tooltip && { tooltip }) },
      true,
    );
    if (!drawn.includes(chart)) drawn.push(chart);
    return chart;
  };
  const percent = (value) => (value === null || value === undefined ? "—" : `${value}%`);
  const drillTo = (id) => {
    window.location.href = board.dataset.drillUrl + encodeURIComponent(id);
  };

  function pieOf(name, counts, names) {
    const data = Object.keys(names)
      .filter((key) => counts[key])
      .map((key) => ({ name: names[key], value: counts[key] }));
    draw(name, {
      tooltip: {
        trigger: "item",
        formatter: ({ name, value, percent: share }) => `${name}: ${value} (${share}%)`,
      },
      legend: { bottom: 0, type: "scroll" },
      series: [
        {
          type: "pie",
          radius: ["30%", "54%"],
          center: ["50%", "44%"],
          label: { formatter: "{b}\n{c}", overflow: "none" },
          labelLine: { length: 8, length2: 6 },
          data,
        },
      ],
    });
  }

  function barsOf(name, rows, { horizontal = false } = {}) {
    const names = rows.map((row) => row.name);
    const values = rows.map((row) => row.value);
    const category = {
      type: "category",
      data: horizontal ? names.slice().reverse() : names,
      // Every label shown; a long one (重点人员动态) breaks into lines instead of overlapping.
      axisLabel: horizontal ? { interval: 0 } : { interval: 0, width: 56, overflow: "break" },
    };
    const value = { type: "value", minInterval: 1 };
    draw(name, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [
        {
          type: "bar",
          data: horizontal ? values.slice().reverse() : values,
          barMaxWidth: 36,
          label: { show: true, position: horizontal ? "right" : "top" },
        },
      ],
    });
  }

  function drawPeriod(stats) {
    pieOf("status", stats.by_status, labels.status);
    barsOf(
      "kind",
      Object.keys(labels.kind)
        .filter((key) => stats.by_kind[key])
        .map((key) => ({ name: labels.kind[key], value: stats.by_kind[key] })),
    );
    barsOf(
      "categories",
      stats.top_categories.map((row) => ({ name: row.name, value: row.count })),
      { horizontal: true },
    );
    barsOf(
      "escalations",
      Object.entries(stats.escalated).map(([level, count]) => ({
        name: labels.level[level],
        value: count,
      })),
    );
    drawWeakest(stats.children);
  }

  function drawTrend(trend) {
    const element = container("trend");
    if (!element) return;
    const says = element.dataset;
    const months = trend.by_month;
    draw("trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: months.map((month) => month.month) },
      yAxis: [
        { type: "value", minInterval: 1 },
        {
          type: "value",
          min: 0,
          max: 100,
          axisLabel: { formatter: "{value}%" },
          splitLine: { show: false },
        },
      ],
      series: [
        {
          type: "bar",
          name: says.labelReported,
          data: months.map((month) => month.total),
          barMaxWidth: 28,
        },
        {
          type: "bar",
          name: says.labelResolved,
          data: months.map((month) => month.resolved),
          barMaxWidth: 28,
        },
        {
          type: "line",
          name: says.labelResolutionRate,
          yAxisIndex: 1,
          connectNulls: true,
          data: months.map((month) => month.resolution_rate),
          tooltip: { valueFormatter: percent },
        },
        {
          type: "line",
          name: says.labelOnTimeRate,
          yAxisIndex: 1,
          connectNulls: true,
          lineStyle: { type: "dashed" },
          data: months.map((month) => month.on_time_rate),
          tooltip: { valueFormatter: percent },
        },
      ],
    });
  }

  function drawWeakest(children) {
    const element = container("weakest");
    if (!element) return;
    const rated = children.filter((child) => child.resolution_rate !== null);
    if (!rated.length) {
      element.classList.add("empty");
      element.textContent = element.dataset.empty;
      return;
    }
    // Lowest first, at the top: the payload comes weakest first.
    const shown = rated.slice(0, 15).reverse();
    element.style.height = `${Math.max(220, 34 * shown.length + 60)}px`;
    const chart = draw("weakest", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: percent },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: shown.map((child) => child.name) },
      visualMap: {
        show: false,
        dimension: 0, // the value axis: the bars lie along x
        min: 0,
        max: 100,
        inRange: { color: ["#b42318", "#f79009", "#1a7f37"] },
      },
      series: [
        {
          type: "bar",
          name: element.dataset.labelRate,
          data: shown.map((child) => ({ value: child.resolution_rate, id: child.id })),
          barMaxWidth: 22,
          label: { show: true, position: "right", formatter: ({ value }) => percent(value) },
          cursor: "pointer",
        },
      ],
    });
    chart.off("click");
    chart.on("click", (params) => drillTo(params.data.id));
  }

  function drawMap(stats, boundaries) {
    const element = container("map");
    if (!element) return;
    const section = element.closest("section");
    if (!boundaries.features.length) {
      element.hidden = true;
      section.querySelector(".map-empty").hidden = false;
      section.querySelector("#map-indicator").disabled = true;
      return;
    }
    // Regions are keyed by id: two villages of a county may share a name.
    const geoJSON = {
      type: "FeatureCollection",
      features: boundaries.features.map((feature) => ({
        ...feature,
        properties: { ...feature.properties, key: String(feature.properties.id) },
      })),
    };
    const mapName = `areas-below-${board.dataset.boundariesUrl}`;
    echarts.registerMap(mapName, geoJSON);
    const byKey = new Map(stats.children.map((child) => [String(child.id), child]));
    const select = section.querySelector("#map-indicator");

    const paint = () => {
      const narrow = element.clientWidth < 560;
      const option = select.selectedOptions[0];
      const indicator = select.value;
      const unit = option.dataset.unit || "";
      const values = stats.children
        .map((child) => child[indicator])
        .filter((value) => value !== null);
      const colours = ["#b42318", "#fdb022", "#d1fadf", "#1a7f37"];
      const show = (value) => (value === null || value === undefined || Number.isNaN(value)
        ? element.dataset.noValue : `${value}${unit}`);
      const chart = draw("map", {
        tooltip: {
          trigger: "item",
          formatter: (params) => {
            const child = byKey.get(params.name);
            if (!child) return "";
            return `${child.name}\n${option.textContent}: ${show(child[indicator])}`;
          },
        },
        visualMap: {
          type: "continuous",
          min: values.length ? Math.min(...values) : 0,
          max: values.length ? Math.max(...values, Math.min(...values) + 1) : 1,
          // Beside the map on a desk, under it on a phone.
          orient: narrow ? "horizontal" : "vertical",
          left: narrow ? "center" : 8,
          bottom: 8,
          calculable: !narrow,
          text: [option.textContent, ""],
          formatter: (value) => `${Math.round(value * 10) / 10}${unit}`,
          inRange: { color: option.dataset.good === "high" ? colours : colours.slice().reverse() },
        },
        series: [
          {
            type: "map",
            map: mapName,
            nameProperty: "key",
            roam: false,
            layoutCenter: ["50%", narrow ? "44%" : "50%"],
            layoutSize: narrow ? "86%" : "95%",
            label: {
              show: true,
              fontSize: 12,
              color: "#1f2933",
              textBorderColor: "#ffffff",
              textBorderWidth: 2,
              formatter: (params) => byKey.get(params.name)?.name ?? "",
            },
            itemStyle: { borderColor: "#ffffff", borderWidth: 1, areaColor: "#e4e7ec" },
            emphasis: { label: { show: true }, itemStyle: { areaColor: "#84caff" } },
            data: stats.children
              .filter((child) => child.has_boundary)
              .map((child) => ({ name: String(child.id), value: child[indicator] })),
          },
        ],
      });
      chart.off("click");
      chart.on("click", (params) => byKey.has(params.name) && drillTo(params.name));
    };
    select.addEventListener("change", paint);
    paint();
  }

  const failed = (error) => {
    console.error(error);
    board.querySelectorAll(".chart").forEach((element) => {
      if (!echarts.getInstanceByDom(element)) {
        element.classList.add("empty");
        element.textContent = board.dataset.loadError;
      }
    });
  };

  // One request after the other, the period's figures first: a dashboard opened by a whole
  // centre at nine o'clock asks the database for one thing at a time (and the test server,
  // which shares one SQLite connection between its threads, hangs on concurrent queries).
  (async () => {
    const stats = await loadOnce(board.dataset.statsUrl);
    drawPeriod(stats);
    drawTrend(await loadOnce(board.dataset.trendUrl));
    drawMap(stats, await loadOnce(board.dataset.boundariesUrl));
  })().catch(failed);

  let pending;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => drawn.forEach((chart) => chart.resize()), 150);
  });
})();
