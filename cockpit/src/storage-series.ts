/**
 * Bytes per domain over time from the points' sizes and dates: at each point's creation the
 * domain's line steps up by that point's allocated bytes (points that are gone are not in the
 * list, so the line is what the store holds now, by the day it was written). Pure: unit-tested.
 */
export interface SizedPoint {
  readonly domainName: string;
  readonly createdAt: string;
  readonly bytes: number;
}

export interface Series {
  readonly domain: string;
  /** [ms since epoch, cumulative bytes], ascending by time. */
  readonly steps: readonly (readonly [number, number])[];
}

export function storageSeries(points: readonly SizedPoint[]): Series[] {
  const by = new Map<string, SizedPoint[]>();
  for (const p of points) {
    const l = by.get(p.domainName) ?? [];
    l.push(p);
    by.set(p.domainName, l);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([domain, ps]) => {
      let sum = 0;
      const steps = [...ps]
        .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
        .map((p): [number, number] => [Date.parse(p.createdAt), (sum += p.bytes)]);
      return { domain, steps };
    });
}

export interface ChartGeometry {
  readonly width: number;
  readonly height: number;
  readonly pad: number;
}

/** SVG path data of a step line for each series, scaled into the box (shared axes). */
export function stepPaths(
  series: readonly Series[],
  g: ChartGeometry,
  now: number,
): { d: string; max: number; t0: number; t1: number }[] {
  const all = series.flatMap((s) => s.steps);
  if (all.length === 0) return [];
  const t0 = Math.min(...all.map((x) => x[0]));
  const t1 = Math.max(now, ...all.map((x) => x[0]));
  const max = Math.max(1, ...all.map((x) => x[1]));
  const span = Math.max(1, t1 - t0);
  const x = (t: number) => g.pad + ((t - t0) / span) * (g.width - 2 * g.pad);
  const y = (b: number) => g.height - g.pad - (b / max) * (g.height - 2 * g.pad);
  return series.map((s) => {
    let d = `M${x(s.steps[0]?.[0] ?? t0).toFixed(1)},${y(0).toFixed(1)}`;
    for (const [t, b] of s.steps) d += ` H${x(t).toFixed(1)} V${y(b).toFixed(1)}`;
    d += ` H${x(t1).toFixed(1)}`;
    return { d, max, t0, t1 };
  });
}
