// What the report's page is given (inlined as JSON): the charts to draw and
// their data. Types only, shared by report-html.ts (which builds it) and
// main.ts (which draws it in the browser).

export type Num = number | null;

export interface SeriesRef {
  key: string;
  label: string;
  color: string;
  /** on the right-hand axis */
  y2?: boolean;
  /** drawn as a light area under the lines */
  area?: boolean;
  dash?: number[];
}

export interface ChartSpec {
  id: string;
  title: string;
  note: string;
  kind: 'time' | 'stack' | 'curve';
  series: SeriesRef[];
  y: { label: string; fmt: 'count' | 'dur' | 'pct' };
  y2?: { label: string; fmt: 'count' | 'dur' | 'pct' };
  /** curve charts: which entry of `curves` */
  curves?: string;
  /** values only here and there (nulls between): drawn with dots too */
  sparse?: boolean;
  /** x axis: simulated time (t0/step/n, the default) or wall time (`wall`) */
  clock?: 'sim' | 'wall';
  /** the page section it is drawn in */
  section: 'wall' | 'sim' | 'dist';
}

export interface Curves {
  xmax: number;
  x: number[];
  ys: { label: string; values: number[] }[];
}

export interface ClientData {
  t0: number;
  step: number;
  n: number;
  series: Record<string, Num[]>;
  curves: Record<string, Curves>;
  charts: ChartSpec[];
  /** HTTP runs: the wall-time axis (seconds since the epoch, step in s) of the `wall.*` series */
  wall?: { t0: number; step: number; n: number };
}
