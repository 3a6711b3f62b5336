/* shanchuan HTML report: draws the map and the charts from the embedded data (ECharts). */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var L = JSON.parse(document.getElementById('report-labels').textContent);
  var FONT = D.fonts;
  var charts = [];
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"]/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c];
    });
  }
  function fmt(x, d) {
    if (x == null || isNaN(x)) return '–';
    return Number(x).toLocaleString(D.lang === 'zh' ? 'zh-CN' : 'en-US',
      {minimumFractionDigits: d, maximumFractionDigits: d});
  }
  function make(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    var c = echarts.init(el, null, {renderer: 'svg', locale: D.lang === 'zh' ? 'ZH' : 'EN'});
    charts.push(c);
    return c;
  }
  var base = {textStyle: {fontFamily: FONT}, animation: false};
  function opt(o) { return Object.assign({}, base, o); }
  var CRIT = ['strength', 'industry', 'resource', 'distance', 'willingness', 'plan'];

  function pairTip(p) {
    var s = '<b>' + esc(p.recipient) + ' – ' + esc(p.supporter) + '</b>';
    if (p.score != null) s += '<br>' + esc(L.score) + ': ' + fmt(p.score, 3);
    if (p.distance_km != null) s += '<br>' + esc(L.distance_km) + ': ' + fmt(p.distance_km, 0);
    CRIT.forEach(function (c) {
      if (p.criteria && p.criteria[c] != null) s += '<br>' + esc(L['crit_' + c]) + ': ' + fmt(p.criteria[c], 2);
    });
    if (p.special_fund_wan != null) s += '<br>' + esc(L.special_fund) + ': ' + fmt(p.special_fund_wan, 0) + ' ' + esc(L.wan);
    if (p.reasons) s += '<div style="max-width:420px;white-space:normal">' + esc(L.reasons) + ': ' + esc(p.reasons) + '</div>';
    return s;
  }

  function drawMap() {
    var M = D.map, el = document.getElementById('map');
    if (!el) return;
    var chart = make('map');
    var geo = !!M.geojson;
    var cs = geo ? 'geo' : 'cartesian2d';
    var series = [];
    if (geo) {
      echarts.registerMap('province', M.geojson);
      series.push({type: 'lines', coordinateSystem: 'geo', polyline: true, silent: true, z: 3,
        data: M.borders.map(function (c) { return {coords: c}; }),
        lineStyle: {color: '#5a5a5a', width: 1.1, opacity: 0.9}});
      series.push({type: 'scatter', coordinateSystem: 'geo', silent: true, symbolSize: 0, z: 4,
        data: M.prefectures, label: {show: true, formatter: '{b}', color: '#555', fontSize: 13,
        fontWeight: 'bold', fontFamily: FONT, textBorderColor: '#fff', textBorderWidth: 2}});
    }
    series.push({type: 'lines', coordinateSystem: cs, z: 5,
      data: M.lines.map(function (l) {
        return {coords: l.coords, pair: l.pair, lineStyle: {color: l.colour}};
      }),
      lineStyle: {width: 2.4, opacity: 0.95, curveness: 0.15},
      emphasis: {lineStyle: {width: 4.5}},
      tooltip: {formatter: function (p) { return pairTip(p.data.pair); }}});
    series.push({type: 'scatter', coordinateSystem: cs, z: 6,
      data: M.seats.map(function (s) {
        return {name: s.name, value: s.value, role: s.role,
          symbol: s.role === 'recipient' ? 'circle' : 'diamond',
          itemStyle: {color: s.role === 'recipient' ? '#b3361b' : '#23415f'}};
      }),
      symbolSize: 7,
      label: {show: true, formatter: '{b}', fontSize: 10, fontFamily: FONT, position: 'right',
        color: '#222', textBorderColor: '#fff', textBorderWidth: 2},
      labelLayout: {hideOverlap: true},
      tooltip: {formatter: function (p) {
        return '<b>' + esc(p.name) + '</b><br>' + esc(L[p.data.role]);
      }}});
    var o = {tooltip: {trigger: 'item', confine: true}, series: series};
    if (geo) {
      o.geo = {map: 'province', roam: true, z: 1, aspectScale: 0.86,
        top: 8, bottom: 8, left: 8, right: 8,
        itemStyle: {areaColor: M.colours.other, borderColor: '#c8c8c8', borderWidth: 0.5},
        emphasis: {label: {show: false}, itemStyle: {areaColor: '#ffe9a8'}},
        select: {disabled: true},
        label: {show: false},
        tooltip: {show: true, formatter: function (p) {
          var r = M.regions[p.name];
          var s = '<b>' + esc(p.name) + '</b>';
          if (M.county_prefecture[p.name]) s += '<br>' + esc(L.prefecture) + ': ' + esc(M.county_prefecture[p.name]);
          if (!r) return s;
          if (r.county !== p.name) s += '<br>' + esc(r.county);
          s += '<br>' + esc(L[r.role]) + ' · ' + esc(L.partner) + ': ' + esc(r.partner);
          if (r.per_head != null) s += '<br>' + esc(L.funds_per_head) + ': ' + fmt(r.per_head, 1);
          if (r.fund != null) s += '<br>' + esc(L.special_fund) + ': ' + fmt(r.fund, 0) + ' ' + esc(L.wan);
          return s;
        }},
        regions: Object.keys(M.regions).map(function (n) {
          return {name: n, itemStyle: {areaColor: M.regions[n].colour}};
        })};
    } else {
      var xs = M.seats.map(function (s) { return s.value[0]; });
      var ys = M.seats.map(function (s) { return s.value[1]; });
      o.xAxis = {type: 'value', scale: true, min: Math.floor(Math.min.apply(null, xs) - 0.3),
        max: Math.ceil(Math.max.apply(null, xs) + 0.3), name: 'lon'};
      o.yAxis = {type: 'value', scale: true, min: Math.floor(Math.min.apply(null, ys) - 0.3),
        max: Math.ceil(Math.max.apply(null, ys) + 0.3), name: 'lat'};
    }
    chart.setOption(opt(o));
  }

  function stackedBars(id, title, cats, series, horizontal) {
    var c = make(id);
    if (!c) return;
    var cat = {type: 'category', data: cats, axisLabel: {fontFamily: FONT, interval: 0,
      rotate: horizontal ? 0 : (cats.length > 8 ? 45 : 0)}};
    var val = {type: 'value', name: L.wan};
    c.setOption(opt({
      title: {text: title, textStyle: {fontSize: 14, fontFamily: FONT}},
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
      legend: {bottom: 0, textStyle: {fontFamily: FONT, fontSize: 11}, itemWidth: 14, itemHeight: 9},
      grid: {top: 50, left: horizontal ? 90 : 60, right: 20,
        bottom: (horizontal ? 40 : (cats.length > 8 ? 100 : 60)) + (series.length > 4 ? 40 : 0)},
      xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
      series: series.map(function (s) {
        return {name: s.name, type: 'bar', stack: 'all', data: s.data, emphasis: {focus: 'series'}};
      })
    }));
  }

  function drawCharts() {
    var C = D.charts;
    if (C.by_year) {
      stackedBars('chart-by_year', L.chart_by_year, C.by_year.years,
        [{name: L.special_fund, data: C.by_year.special}, {name: L.supporter_aid, data: C.by_year.aid}]);
      var b = make('chart-budget');
      if (b) b.setOption(opt({
        title: {text: L.chart_budget, textStyle: {fontSize: 14, fontFamily: FONT}},
        tooltip: {trigger: 'axis'},
        legend: {bottom: 0, textStyle: {fontFamily: FONT}},
        grid: {top: 50, left: 60, right: 60, bottom: 60},
        xAxis: {type: 'category', data: C.by_year.years},
        yAxis: [{type: 'value', name: L.wan}, {type: 'value', name: L.budget_use, max: 1,
          axisLabel: {formatter: function (v) { return Math.round(v * 100) + '%'; }}}],
        series: [
          {name: L.budget, type: 'bar', data: C.by_year.budget, itemStyle: {color: '#c9d6e8'}},
          {name: L.special_fund, type: 'bar', data: C.by_year.special, itemStyle: {color: '#4f7cc3'}},
          {name: L.budget_use, type: 'line', yAxisIndex: 1, data: C.by_year.use,
            label: {show: true, formatter: function (p) { return fmt(100 * p.value, 1) + '%'; }}}
        ]
      }));
    }
    if (C.by_category) stackedBars('chart-by_category', L.chart_by_category, C.by_category.years, C.by_category.series);
    if (C.by_recipient) stackedBars('chart-by_recipient', L.chart_by_recipient, C.by_recipient.recipients,
      [{name: L.special_fund, data: C.by_recipient.special}, {name: L.supporter_aid, data: C.by_recipient.aid}]);
    if (C.lorenz) {
      var lz = make('chart-lorenz');
      lz.setOption(opt({
        title: {text: L.chart_lorenz, subtext: C.lorenz.gini != null ? L.gini + ' ' + fmt(C.lorenz.gini, 3) : '',
          textStyle: {fontSize: 14, fontFamily: FONT}},
        tooltip: {trigger: 'item', formatter: function (p) {
          var n = C.lorenz.names[p.dataIndex] || '';
          return esc(n) + '<br>' + fmt(100 * p.value[0], 1) + '%, ' + fmt(100 * p.value[1], 1) + '%';
        }},
        legend: {bottom: 0, textStyle: {fontFamily: FONT}},
        grid: {top: 60, left: 60, right: 20, bottom: 70},
        xAxis: {type: 'value', min: 0, max: 1, name: L.lorenz_x, nameLocation: 'middle', nameGap: 28},
        yAxis: {type: 'value', min: 0, max: 1, name: L.lorenz_y},
        series: [
          {name: L.equality, type: 'line', data: [[0, 0], [1, 1]], symbol: 'none',
            lineStyle: {type: 'dashed', color: '#999'}},
          {name: L.chart_lorenz.split(/[:：]/)[0], type: 'line', data: C.lorenz.points, areaStyle: {opacity: 0.15},
            itemStyle: {color: '#b3361b'}}
        ]
      }));
    }
    if (C.forcing) {
      var F = C.forcing, f = make('chart-forcing');
      var vals = F.cells.map(function (c) { return c[2]; }).filter(function (v) { return v != null; });
      f.setOption(opt({
        title: {text: L.chart_forcing, textStyle: {fontSize: 14, fontFamily: FONT}},
        tooltip: {formatter: function (p) {
          var c = p.data;
          return esc(F.recipients[c[1]]) + ' – ' + esc(F.supporters[c[0]]) + '<br>' + esc(L.loss) + ': ' +
            (c[2] == null ? '–' : fmt(c[2], 4)) + (c[3] ? '<br>' + esc(L.chosen) : '');
        }},
        grid: {top: 40, left: 80, right: 30, bottom: 130},
        xAxis: {type: 'category', data: F.supporters, axisLabel: {rotate: 60, interval: 0, fontSize: 10, fontFamily: FONT}},
        yAxis: {type: 'category', data: F.recipients, axisLabel: {interval: 0, fontSize: 10, fontFamily: FONT}},
        visualMap: {dimension: 2, min: 0, max: vals.length ? Math.max.apply(null, vals) : 1, calculable: true,
          orient: 'horizontal', left: 'center', bottom: 0, text: [L.high, L.low],
          inRange: {color: ['#f7fbff', '#6baed6', '#08306b']}},
        series: [{type: 'heatmap', data: F.cells.map(function (c) {
          return {value: [c[0], c[1], c[2] == null ? '-' : c[2], c[3] ? 1 : 0], itemStyle: c[3] ? {borderColor: '#d62728', borderWidth: 2} : {}};
        })}]
      }));
    }
    if (C.robustness) {
      var R = C.robustness, r = make('chart-robustness');
      r.setOption(opt({
        title: {text: L.chart_robustness, subtext: L.samples + ' ' + R.samples + ' · ' + L.reproduced + ' ' +
          fmt(100 * R.reproduced, 0) + '%', textStyle: {fontSize: 14, fontFamily: FONT}},
        tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
        grid: {top: 60, left: 60, right: 20, bottom: 110},
        xAxis: {type: 'category', data: R.pairs, axisLabel: {rotate: 55, interval: 0, fontSize: 10, fontFamily: FONT}},
        yAxis: {type: 'value', min: 0, max: 1, name: L.frequency},
        series: [{type: 'bar', data: R.frequency, itemStyle: {color: '#1b7f3b'}}]
      }));
    }
  }
  drawMap();
  drawCharts();
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-charts', String(charts.length));
})();
