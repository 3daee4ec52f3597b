// The report's page script: draws the charts from the data inlined as JSON
// (#report-data, a ClientData) with uPlot (inlined before it, the global
// `uPlot`). Compiled at build time by its own tsconfig (DOM, no Node) to a
// plain script and inlined by report-html.ts; typed against the data it is
// given (data.ts) instead of living in a String.raw template. Marks each
// chart's div with data-points and the body with data-rendered (the report
// test waits for them).

type ClientData = import('./data.js').ClientData;
type ChartSpec = import('./data.js').ChartSpec;
type Num = import('./data.js').Num;
type Fmt = 'count' | 'dur' | 'pct';
type Made = { opts: uPlot.Options; data: uPlot.AlignedData };

(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('report-data')!.textContent ?? '{}') as ClientData;
  const HEIGHT = 290;
  let pending = 0;
  let started = false;
  function finish(): void {
    if (started && pending === 0) document.body.dataset['rendered'] = 'true';
  }
  function compact(v: Num | undefined): string {
    if (v == null || !isFinite(v)) return '-';
    const a = Math.abs(v);
    if (a >= 1e9) return +(v / 1e9).toFixed(2) + 'G';
    if (a >= 1e6) return +(v / 1e6).toFixed(2) + 'M';
    if (a >= 1e4) return +(v / 1e3).toFixed(1) + 'k';
    if (a >= 100 || v === Math.round(v)) return String(Math.round(v));
    return String(+v.toFixed(2));
  }
  function dur(ms: Num | undefined): string {
    if (ms == null || !isFinite(ms)) return '-';
    const a = Math.abs(ms);
    if (a === 0) return '0';
    if (a < 1000) return +ms.toFixed(a < 10 ? 2 : 1) + ' ms';
    if (a < 60000) return +(ms / 1000).toFixed(2) + ' s';
    if (a < 3600000) return +(ms / 60000).toFixed(1) + ' min';
    if (a < 86400000) return +(ms / 3600000).toFixed(2) + ' h';
    return +(ms / 86400000).toFixed(2) + ' d';
  }
  function pct(v: Num | undefined): string {
    return v == null || !isFinite(v) ? '-' : +v.toFixed(1) + '%';
  }
  const FMT: Record<Fmt, (v: Num | undefined) => string> = { count: compact, dur: dur, pct: pct };
  function nines(x: number): string {
    if (x <= 0) return '0';
    const p = 100 * (1 - Math.pow(10, -x));
    let d = Math.max(0, Math.ceil(x - 1e-9) - 2);
    if (Math.abs(x - Math.round(x)) > 1e-9) d += 1;
    return p.toFixed(d);
  }
  function widthOf(el: HTMLElement): number {
    return Math.max(300, el.clientWidth);
  }
  function zeroUp(_u: uPlot, _min: number, max: number): uPlot.Range.MinMax {
    return [0, max > 0 ? max * 1.06 : 1];
  }
  // durations are drawn on an arcsinh scale (logarithmic but zero-safe: milliseconds to hours in one
  // chart); their ticks are round durations, thinned to about eight
  const DUR_TICKS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5,
    18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5, 2592e6];
  function durSplits(_u: uPlot, _ai: number, min: number, max: number): number[] {
    const span = Math.asinh(max) - Math.asinh(Math.max(0, min));
    const out: number[] = [];
    let last = -Infinity;
    DUR_TICKS.forEach(function (v) {
      if (v < min || v > max) return;
      const a = Math.asinh(v);
      if (a - last >= span / 8) {
        out.push(v);
        last = a;
      }
    });
    return out;
  }
  function yScale(fmt: Fmt, range: uPlot.Scale.Range): uPlot.Scale {
    return fmt === 'dur' ? { distr: 4, asinh: 1, range: range } : { range: range };
  }
  function yAxis(scale: string, fmt: Fmt, label: string, side: uPlot.Axis.Side): uPlot.Axis {
    const f = FMT[fmt] || compact;
    return {
      scale: scale, side: side, splits: fmt === 'dur' ? durSplits : undefined,
      // a log-like scale's default filter keeps only powers of ten: every round duration is labelled instead
      filter: fmt === 'dur' ? function (_u: uPlot, splits: number[]) { return splits; } : undefined,
      label: label, labelSize: 22, size: 62, stroke: '#1b1f24',
      grid: { show: side !== 1, stroke: '#e6e9ed', width: 1 }, ticks: { stroke: '#c9ced4', width: 1 },
      values: function (_u: uPlot, splits: number[]) { return splits.map(f); },
    };
  }
  let X: number[] | null = null;
  function timeX(): number[] {
    if (X === null) {
      X = new Array<number>(D.n);
      for (let i = 0; i < D.n; i++) X[i] = D.t0 + i * D.step;
    }
    return X;
  }
  function utc(ts: number): Date {
    return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
  }
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function two(n: number): string {
    return n < 10 ? '0' + n : String(n);
  }
  // UTC, 24-hour; the date under the first tick of each day
  function timeLabels(_u: uPlot, splits: number[], _ai: number, _space: number, incr: number): string[] {
    let prev: string | null = null;
    return splits.map(function (s) {
      const d = new Date(s * 1e3);
      const day = MONTHS[d.getUTCMonth()] + ' ' + d.getUTCDate();
      const hm = two(d.getUTCHours()) + ':' + two(d.getUTCMinutes());
      // wall-time charts of a short run tick every few seconds: seconds shown then
      const t = incr < 60 ? hm + ':' + two(d.getUTCSeconds()) : hm;
      const out = incr >= 86400 ? day : prev !== day ? t + '\n' + day : t;
      prev = day;
      return out;
    });
  }
  function xTimeAxis(): uPlot.Axis {
    return { stroke: '#1b1f24', grid: { stroke: '#e6e9ed', width: 1 }, ticks: { stroke: '#c9ced4', width: 1 }, values: timeLabels, size: 46 };
  }
  function countPoints(data: uPlot.AlignedData): number {
    let c = 0;
    for (let s = 1; s < data.length; s++) {
      const a = data[s]!;
      for (let i = 0; i < a.length; i++) if (a[i] != null) c++;
    }
    return c;
  }
  function alpha(hex: string, a: number): string {
    const n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  const seriesOf = (key: string): Num[] => D.series[key] ?? [];

  /**
   * Binned for drawing: a series with more points than the chart has pixels
   * (a 30-day run at one minute: 43,200) would be drawn as a comb of 1-pixel
   * spikes; instead each bin of k points is drawn as its mean (the line) and
   * its min..max (a light band), so a spike stays visible as band height.
   * k = 1 (no bins) while there are fewer than two points per pixel.
   */
  function binOf(n: number, px: number): number {
    return n > 2 * px ? Math.ceil(n / px) : 1;
  }
  function binned(a: Num[], n: number, k: number): { mean: Num[]; min: Num[]; max: Num[] } {
    const m = Math.ceil(n / k);
    const mean = new Array<Num>(m), min = new Array<Num>(m), max = new Array<Num>(m);
    for (let b = 0; b < m; b++) {
      let sum = 0, c = 0, lo = Infinity, hi = -Infinity;
      for (let i = b * k; i < Math.min(n, (b + 1) * k); i++) {
        const v = a[i];
        if (v == null) continue;
        sum += v;
        c++;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      mean[b] = c > 0 ? sum / c : null;
      min[b] = c > 0 ? lo : null;
      max[b] = c > 0 ? hi : null;
    }
    return { mean: mean, min: min, max: max };
  }

  function timeChart(c: ChartSpec, px: number): Made & { hide: number[]; k: number } {
    const ax = c.clock === 'wall' && D.wall ? D.wall : { t0: D.t0, step: D.step, n: D.n };
    const k = binOf(ax.n, px);
    const xs = new Array<number>(Math.ceil(ax.n / k));
    for (let b = 0; b < xs.length; b++) xs[b] = ax.t0 + b * k * ax.step;
    const data: (number[] | Num[])[] = [xs];
    const fmtX = ax.step < 60 ? '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' : '{YYYY}-{MM}-{DD} {HH}:{mm}';
    const series: uPlot.Series[] = [{ label: c.clock === 'wall' ? 'wall time (UTC)' : 'time (UTC)', value: fmtX }];
    const bands: uPlot.Band[] = [];
    const hide: number[] = [];
    let y2 = false;
    c.series.forEach(function (s) {
      const f = FMT[s.y2 && c.y2 ? c.y2.fmt : c.y.fmt];
      if (s.y2) y2 = true;
      const raw = seriesOf(s.key);
      const b = k > 1 ? binned(raw, ax.n, k) : null;
      series.push({
        label: b ? s.label + ' (mean; band: min..max)' : s.label, stroke: s.area ? alpha(s.color, 0.7) : s.color, fill: s.area ? alpha(s.color, 0.22) : undefined, width: s.area ? 1 : 1.5, dash: s.dash, scale: s.y2 ? 'y2' : 'y', spanGaps: false,
        // sparse series (a value only where something happened) also get dots: a lone value has no line
        points: c.sparse ? { show: true, size: 3, width: 1, fill: s.color } : undefined,
        value: function (_u: uPlot, v: number | null) { return f(v); },
      });
      data.push(b ? b.mean : raw);
      if (b) {
        // the band's edges: drawn faintly, left out of the legend (hidden after the chart is made)
        for (const edge of [b.max, b.min]) {
          series.push({ label: s.label + (edge === b.max ? ' max' : ' min'), stroke: alpha(s.color, 0.35), width: 0.5, scale: s.y2 ? 'y2' : 'y', spanGaps: false, points: { show: false }, value: function (_u: uPlot, v: number | null) { return f(v); } });
          data.push(edge);
          hide.push(series.length - 1);
        }
        bands.push({ series: [series.length - 2, series.length - 1], fill: alpha(s.color, 0.2) });
      }
    });
    const axes = [xTimeAxis(), yAxis('y', c.y.fmt, c.y.label, 3)];
    const scales: uPlot.Scales = { x: { time: true }, y: yScale(c.y.fmt, zeroUp) };
    if (y2 && c.y2) {
      axes.push(yAxis('y2', c.y2.fmt, c.y2.label, 1));
      scales['y2'] = yScale(c.y2.fmt, zeroUp);
    }
    // wall-time charts have their own x axis: their cursor is synced among themselves, not with simulated time
    return { opts: { width: 0, height: 0, series: series, bands: bands, axes: axes, scales: scales, padding: [12, y2 ? 0 : 24, 0, 0], tzDate: utc, cursor: { sync: { key: c.clock === 'wall' ? 'wall' : 'time' } } }, data: data as uPlot.AlignedData, hide: hide, k: k };
  }

  // uPlot has no stacking: plot the cumulative shares and fill each band
  // between a series and the one below it (the technique of uPlot's stack demo).
  function stackChart(c: ChartSpec): Made {
    const n = D.n;
    const raws = c.series.map(function (s) { return seriesOf(s.key); });
    const tot = new Array<number>(n).fill(0);
    raws.forEach(function (r) { for (let i = 0; i < n; i++) tot[i] += r[i] || 0; });
    const acc = new Array<number>(n).fill(0);
    const data: (number[] | Num[])[] = [timeX()];
    raws.forEach(function (r) {
      const out = new Array<Num>(n);
      for (let i = 0; i < n; i++) {
        acc[i] += tot[i]! > 0 ? (100 * (r[i] || 0)) / tot[i]! : 0;
        out[i] = tot[i]! > 0 ? Math.min(100, acc[i]!) : null;
      }
      data.push(out);
    });
    const series: uPlot.Series[] = [{ label: 'time (UTC)', value: '{YYYY}-{MM}-{DD} {HH}:{mm}' }];
    const bands: uPlot.Band[] = [];
    c.series.forEach(function (s, k) {
      series.push({
        label: s.label, stroke: s.color, width: 1, fill: alpha(s.color, 0.78), scale: 'y',
        value: function (_u: uPlot, _v: number | null, si: number, idx: number | null) {
          if (idx == null) return '-';
          const r = raws[si - 1]![idx] ?? 0;
          const t = tot[idx]!;
          return compact(r) + ' (' + pct(t > 0 ? (100 * r) / t : 0) + ')';
        },
      });
      if (k > 0) bands.push({ series: [k + 1, k], fill: alpha(s.color, 0.78) });
    });
    const axes = [xTimeAxis(), yAxis('y', 'pct', c.y.label, 3)];
    return { opts: { width: 0, height: 0, series: series, bands: bands, axes: axes, padding: [12, 24, 0, 0], scales: { x: { time: true }, y: { range: [0, 100] } }, tzDate: utc, cursor: { sync: { key: 'time' } } }, data: data as uPlot.AlignedData };
  }

  function curveChart(c: ChartSpec): Made {
    const cv = D.curves[c.curves!]!;
    const f = FMT[c.y.fmt];
    const data: number[][] = [cv.x];
    const series: uPlot.Series[] = [{ label: 'percentile', value: function (_u: uPlot, v: number | null) { return v == null ? '-' : nines(v); } }];
    cv.ys.forEach(function (y, k) {
      const color = PALETTE[k % PALETTE.length]!;
      series.push({
        label: y.label, stroke: color, width: 1.75, dash: k >= PALETTE.length ? [5, 3] : undefined, points: { show: false },
        value: function (_u: uPlot, v: number | null) { return f(v); },
      });
      data.push(y.values);
    });
    const ticks: number[] = [];
    for (let k = 0; k <= cv.xmax; k++) ticks.push(k);
    const axes: uPlot.Axis[] = [
      {
        label: 'percentile', labelSize: 22, stroke: '#1b1f24', grid: { stroke: '#e6e9ed', width: 1 }, ticks: { stroke: '#c9ced4', width: 1 },
        splits: function () { return ticks; }, values: function (_u: uPlot, splits: number[]) { return splits.map(function (s) { return s === 0 ? '0' : nines(s) + '%'; }); },
      },
      yAxis('y', c.y.fmt, c.y.label, 3),
    ];
    return { opts: { width: 0, height: 0, series: series, axes: axes, padding: [12, 34, 0, 0], scales: { x: { time: false, range: [0, cv.xmax] }, y: yScale(c.y.fmt, zeroUp) } }, data: data as uPlot.AlignedData };
  }

  const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#222222', '#7a7a7a'];
  const plots: { u: uPlot; el: HTMLElement }[] = [];
  D.charts.forEach(function (c) {
    const div = document.querySelector<HTMLElement>('[data-chart="' + c.id + '"]');
    if (div === null) return;
    const el = div.querySelector<HTMLElement>('.plot')!;
    try {
      const px = widthOf(el);
      const made: Made & { hide?: number[]; k?: number } = c.kind === 'stack' ? stackChart(c) : c.kind === 'curve' ? curveChart(c) : timeChart(c, px);
      if (made.k !== undefined && made.k > 1) div.setAttribute('data-binned', String(made.k));
      const points = countPoints(made.data);
      let drawn = false;
      made.opts.width = widthOf(el);
      made.opts.height = HEIGHT;
      made.opts.legend = { live: true };
      made.opts.hooks = {
        draw: [function () {
          if (drawn) return;
          drawn = true;
          div.setAttribute('data-points', String(points));
          pending--;
          finish();
        }],
      };
      pending++;
      const u = new uPlot(made.opts, made.data, el);
      const rows = u.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
      (made.hide ?? []).forEach(function (i) { const row = rows[i]; if (row) row.style.display = 'none'; });
      plots.push({ u: u, el: el });
    } catch (e) {
      const m = e instanceof Error ? e.message : String(e);
      div.setAttribute('data-error', m);
      el.textContent = 'This chart could not be drawn: ' + m;
      el.className = 'plot error';
      console.error('chart ' + c.id + ': ' + (e instanceof Error ? e.stack : String(e)));
    }
  });
  started = true;
  finish();
  let timer = 0;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = window.setTimeout(function () { plots.forEach(function (p) { p.u.setSize({ width: widthOf(p.el), height: HEIGHT }); }); }, 120);
  });
})();
