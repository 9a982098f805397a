// Event counts over time as SVG bars. Sized with SVG attributes: the CSP forbids inline styles.
import type { Bucket } from './eventsQuery';

const MAX_BARS = 400;

/** The buckets with the empty ones between them filled in, so gaps show as gaps. */
function filled(data: Bucket[], intervalSeconds: number): Bucket[] {
  if (data.length < 2) return data;
  const ms = intervalSeconds * 1000;
  const times = data.map((b) => Date.parse(b.start));
  const first = Math.min(...times);
  const last = Math.max(...times);
  if ((last - first) / ms + 1 > MAX_BARS) return data;
  const by = new Map(data.map((b, i) => [times[i], b.count]));
  const out: Bucket[] = [];
  for (let t = first; t <= last; t += ms) out.push({ start: new Date(t).toISOString(), count: by.get(t) ?? 0 });
  return out;
}

export function EventsHistogram({ data, intervalSeconds }: { data: Bucket[] | null; intervalSeconds: number }) {
  if (!data) return <p className="muted">Loading the histogram…</p>;
  const bars = filled(data, intervalSeconds);
  const total = bars.reduce((n, b) => n + b.count, 0);
  if (total === 0) return null;
  const max = Math.max(...bars.map((b) => b.count));
  const w = 10;
  const h = 60;
  const label = `${total} events in ${bars.length} buckets of ${intervalSeconds} s; at most ${max} in one`;
  return (
    <figure className="histogram">
      <svg role="img" aria-label={label} viewBox={`0 0 ${bars.length * w} ${h}`} preserveAspectRatio="none" width="100%" height="80">
        {bars.map((b) => {
          const bh = Math.max(b.count > 0 ? 1 : 0, (b.count / max) * h);
          return (
            <rect key={b.start} className="hist-bar" x={bars.indexOf(b) * w + 1} y={h - bh} width={w - 2} height={bh}>
              <title>{`${new Date(b.start).toLocaleString()}: ${b.count}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="hist-axis">
        <span>{new Date(bars[0]?.start ?? '').toLocaleString()}</span>
        <span>{total} events</span>
        <span>{new Date(bars[bars.length - 1]?.start ?? '').toLocaleString()}</span>
      </figcaption>
    </figure>
  );
}
