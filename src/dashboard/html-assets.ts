// Static CSS and the boot script of the offline dashboard (no data in here: data arrives as escaped JSON).

export const DASHBOARD_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b3139; }
body { margin: 0; background: #f6f7f9; }
header { padding: 16px 24px 0; }
h1 { font-size: 22px; margin: 0 0 8px; }
.grid { display: grid; grid-template-columns: repeat(6, 200px); grid-auto-rows: 72px; gap: 12px; padding: 12px 24px 24px; }
.card { background: #fff; border: 1px solid #dfe3e6; border-radius: 6px; padding: 8px 12px; overflow: hidden; box-sizing: border-box; }
.card h2 { font-size: 14px; font-weight: 600; margin: 0 0 6px; }
.counter { font-size: 34px; font-weight: 600; margin: 4px 0; color: #077a9d; }
.table-wrap { overflow: auto; max-height: calc(100% - 26px); }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eef0f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.summary { font-size: 14px; line-height: 1.5; overflow: auto; max-height: calc(100% - 26px); }
.summary p { margin: 0 0 8px; }
.summary .caption, .empty { color: #6b7c85; font-size: 12px; }
`;

/**
 * Draws every chart with the inlined Vega runtime (SVG renderer). Exposes the views and any errors on window so a
 * headless browser can check the result, and marks <body data-charts="ready|error"> when done. `replace` swaps in
 * a new grid (a live page's update): the old views are finalized, the new cards put in place and their charts drawn.
 */
export const DASHBOARD_BOOT_SCRIPT = `
(function () {
  var views = {};
  var errors = [];
  function draw(charts) {
    return Promise.all(charts.map(function (chart) {
      try {
        var view = new vega.View(vega.parse(chart.spec), { renderer: 'svg', container: '#' + chart.id, hover: true });
        views[chart.name] = view;
        return view.runAsync().catch(function (e) { errors.push(chart.name + ': ' + e); });
      } catch (e) {
        errors.push(chart.name + ': ' + e);
        return null;
      }
    })).then(function () {
      document.body.setAttribute('data-charts', errors.length ? 'error' : 'ready');
    });
  }
  function replace(cards, charts) {
    Object.keys(views).forEach(function (name) { views[name].finalize(); delete views[name]; });
    errors.length = 0;
    document.querySelector('main.grid').innerHTML = cards;
    return draw(charts);
  }
  window.dbxDashboard = { views: views, errors: errors, replace: replace };
  window.dbxDashboard.ready = draw(JSON.parse(document.getElementById('dbx-charts').textContent));
})();
`;

/**
 * A served page listens for new grids (server-sent events named `grid`: { version, cards, charts }) and swaps
 * each one in once the first drawing is done; <body data-version> names the version shown. EventSource
 * reconnects by itself when the server restarts, and the server sends its current grid on every connect.
 */
export const DASHBOARD_LIVE_SCRIPT = `
(function () {
  var config = JSON.parse(document.getElementById('dbx-live').textContent);
  var dashboard = window.dbxDashboard;
  var shown = Promise.resolve(dashboard.ready);
  dashboard.updates = 0;
  var source = new EventSource(config.events);
  dashboard.source = source;
  source.addEventListener('grid', function (event) {
    var grid = JSON.parse(event.data);
    shown = shown.then(function () {
      if (grid.version === document.body.getAttribute('data-version')) return;
      return dashboard.replace(grid.cards, grid.charts).then(function () {
        document.body.setAttribute('data-version', grid.version);
        dashboard.updates += 1;
      });
    });
  });
})();
`;
