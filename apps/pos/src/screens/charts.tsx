/**
 * Small inline SVG charts (no chart library): horizontal bars for sales by till, cashier and
 * payment mode, and columns for sales by hour. They scale with their box, so they read the same at
 * 360 px and on a tablet, and carry a text description for screen readers.
 */

export interface Bar {
  label: string;
  value: number;
}

const WIDTH = 320;
const LABEL = 92;
const VALUE = 78;
const ROW = 26;

/** Horizontal bars, largest scale taken from the data; negative values draw no bar. */
export function BarChart({
  title,
  bars,
  format,
}: {
  title: string;
  bars: readonly Bar[];
  format: (n: number) => string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const span = WIDTH - LABEL - VALUE - 8;
  const height = Math.max(ROW, bars.length * ROW);
  const summary = bars.map((b) => `${b.label}: ${format(b.value)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label={`${title}: ${summary}`}
        preserveAspectRatio="xMinYMin meet"
      >
        {bars.length === 0 && (
          <text x={0} y={17} class="chart-empty">
            —
          </text>
        )}
        {bars.map((b, i) => {
          const y = i * ROW;
          const w = b.value > 0 ? Math.max(2, (b.value / max) * span) : 0;
          return (
            <g key={b.label} data-bar={b.label}>
              <text x={0} y={y + 17} class="chart-label">
                {clip(b.label, 13)}
              </text>
              <rect x={LABEL} y={y + 5} width={w} height={ROW - 10} rx={3} class="chart-bar" />
              <text x={WIDTH} y={y + 17} text-anchor="end" class="chart-value">
                {format(b.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** One column per hour of the day (IST), labelled every three hours. */
export function HourChart({
  title,
  hours,
  format,
}: {
  title: string;
  /** Hour "00"–"23" → value. */
  hours: readonly Bar[];
  format: (n: number) => string;
}) {
  const values = Array.from(
    { length: 24 },
    (_, h) => hours.find((x) => Number(x.label) === h)?.value ?? 0,
  );
  const max = Math.max(1, ...values);
  const col = WIDTH / 24;
  const top = 14;
  const base = 96;
  const peak = values.indexOf(Math.max(...values));
  const summary = hours.map((b) => `${b.label}:00 ${format(b.value)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${base + 16}`}
        role="img"
        aria-label={`${title}: ${summary || '—'}`}
        preserveAspectRatio="xMinYMin meet"
      >
        <line x1={0} x2={WIDTH} y1={base} y2={base} class="chart-axis" />
        {values.map((v, h) => {
          const height = v > 0 ? Math.max(2, (v / max) * (base - top)) : 0;
          return (
            <g key={h}>
              <rect
                x={h * col + 1.5}
                y={base - height}
                width={col - 3}
                height={height}
                rx={2}
                class="chart-bar"
              >
                <title>{`${String(h).padStart(2, '0')}:00 ${format(v)}`}</title>
              </rect>
              {h % 3 === 0 && (
                <text x={h * col + col / 2} y={base + 13} text-anchor="middle" class="chart-label">
                  {String(h).padStart(2, '0')}
                </text>
              )}
            </g>
          );
        })}
        {(values[peak] ?? 0) > 0 && (
          <text
            x={Math.min(WIDTH - 2, Math.max(2, peak * col + col / 2))}
            y={10}
            text-anchor={peak < 4 ? 'start' : peak > 19 ? 'end' : 'middle'}
            class="chart-value"
          >
            {format(values[peak] ?? 0)}
          </text>
        )}
      </svg>
    </figure>
  );
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
