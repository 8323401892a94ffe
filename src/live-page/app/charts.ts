import uPlot from 'uplot';
import { type Point } from './series';

/**
 * Okabe–Ito colours, told apart with colour-blindness, and each series
 * also by its dash and its legend label: colour is never the only cue.
 */
const BLUE = '#0072B2';
const ORANGE = '#E69F00';
const GREEN = '#009E73';
const GREY = '#6b6b6b';

interface Chart {
  readonly plot: uPlot;
  readonly host: HTMLElement;
}

function sizeOf(host: HTMLElement): { width: number; height: number } {
  const width = Math.max(280, Math.floor(host.clientWidth));
  return { width, height: width < 600 ? 180 : 220 };
}

function make(host: HTMLElement, options: Omit<uPlot.Options, 'width' | 'height'>): Chart {
  const plot = new uPlot({ ...options, ...sizeOf(host) }, [[]], host);
  new ResizeObserver(() => plot.setSize(sizeOf(host))).observe(host);
  return { plot, host };
}

/** Events per window start, submissions and comments apart. */
export class ActivityChart {
  private readonly chart: Chart;

  constructor(
    host: HTMLElement,
    private readonly summary: HTMLElement,
  ) {
    this.chart = make(host, {
      title: undefined,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.1)] } },
      axes: [{}, { label: 'events', size: 56 }],
      series: [
        {},
        { label: 'Comments', stroke: ORANGE, width: 2, dash: [6, 3], points: { show: false } },
        { label: 'Submissions', stroke: BLUE, width: 2, points: { show: false } },
      ],
    });
  }

  update(points: readonly Point[]): void {
    this.chart.plot.setData([
      points.map((p) => p.startMs / 1000),
      points.map((p) => p.comments),
      points.map((p) => p.submissions),
    ]);
    const last = points.at(-1);
    this.summary.textContent = last
      ? `Latest window, starting ${new Date(last.startMs).toLocaleTimeString()}: ${last.comments + last.submissions} events (${last.submissions} submissions, ${last.comments} comments). ${points.length} windows shown.`
      : 'No windows yet.';
  }
}

/** Mean sentiment per window start, with the band from its lowest to its highest score. */
export class SentimentChart {
  private readonly chart: Chart;

  constructor(
    host: HTMLElement,
    private readonly summary: HTMLElement,
  ) {
    this.chart = make(host, {
      scales: { x: { time: true }, y: { range: [-1, 1] } },
      axes: [{}, { label: 'sentiment (−1 to +1)', size: 56 }],
      series: [
        {},
        { label: 'Mean', stroke: GREEN, width: 2, points: { show: true, size: 4 } },
        { label: 'Highest', stroke: GREY, width: 1, dash: [2, 3], points: { show: false } },
        { label: 'Lowest', stroke: GREY, width: 1, dash: [2, 3], points: { show: false } },
      ],
      bands: [{ series: [2, 3], fill: 'rgba(0, 158, 115, 0.12)' }],
    });
  }

  update(points: readonly Point[]): void {
    this.chart.plot.setData([
      points.map((p) => p.startMs / 1000),
      points.map((p) => p.mean),
      points.map((p) => p.max),
      points.map((p) => p.min),
    ]);
    const last = [...points].reverse().find((p) => p.mean !== null);
    if (!last || last.mean === null) {
      this.summary.textContent = 'No scored events yet.';
      return;
    }
    const scored = last.positive + last.neutral + last.negative;
    const share = (n: number) => (scored > 0 ? `${Math.round((100 * n) / scored)}%` : '–');
    this.summary.textContent =
      `Latest scored window: mean ${signed(last.mean)} (${moodWord(last.mean)}), ` +
      `from ${signed(last.min ?? 0)} to ${signed(last.max ?? 0)}; ` +
      `${share(last.positive)} positive, ${share(last.neutral)} neutral, ${share(last.negative)} negative.`;
  }
}

export function signed(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(2)}`;
}

export function moodWord(mean: number): string {
  return mean >= 0.05 ? 'positive' : mean <= -0.05 ? 'negative' : 'neutral';
}
