// A progress bar for training loops: "epoch 3/10 ███████░░░ 70% 140/200 steps · 12.3 steps/s · ETA 5s · loss 0.412".
// On a terminal it redraws one line in place; when the output is a file or a
// pipe (CI, `| tee`), it prints a plain line at every 10 % instead, so logs
// stay readable. When the lessons are quiet (the tour, chapters/_kit/say.ts),
// it prints nothing.

import { isQuiet } from "./say.ts";

export interface ProgressOptions {
  /** Shown before the bar, e.g. "epoch 3/10". */
  label?: string;
  /** The unit counted, e.g. "steps" or "images". */
  unit?: string;
  /** Where to write (default process.stdout). */
  stream?: NodeJS.WriteStream;
}

const BAR_WIDTH = 24;

export class ProgressBar {
  private done = 0;
  private readonly started = performance.now();
  private lastDraw = 0;
  private lastReportedTenth = -1;
  private readonly stream: NodeJS.WriteStream;
  private readonly interactive: boolean;
  private status = "";

  constructor(readonly total: number, private readonly options: ProgressOptions = {}) {
    if (!Number.isInteger(total) || total < 0) throw new Error(`ProgressBar: total must be a non-negative integer, got ${total}`);
    this.stream = options.stream ?? process.stdout;
    this.interactive = this.stream.isTTY === true;
  }

  /** Advances by `count` and sets the text shown after the bar (e.g. the current loss). */
  tick(count = 1, status?: string): void {
    this.done = Math.min(this.total, this.done + count);
    if (status !== undefined) this.status = status;
    if (isQuiet()) return;
    const now = performance.now();
    if (this.interactive) {
      if (now - this.lastDraw > 100 || this.done === this.total) {
        this.stream.write(`\r${this.line()}\x1b[K`);
        this.lastDraw = now;
      }
      return;
    }
    const tenth = this.total === 0 ? 10 : Math.floor((10 * this.done) / this.total);
    if (tenth > this.lastReportedTenth) {
      this.lastReportedTenth = tenth;
      this.stream.write(`${this.line()}\n`);
    }
  }

  /** Ends the bar (a newline on a terminal). */
  finish(status?: string): void {
    if (status !== undefined) this.status = status;
    if (isQuiet()) return;
    if (this.interactive) this.stream.write(`\r${this.line()}\x1b[K\n`);
    else if (this.lastReportedTenth < 10) this.stream.write(`${this.line()}\n`);
  }

  /** The current line: label, bar, percentage, count, rate, time left, status. */
  line(): string {
    const fraction = this.total === 0 ? 1 : this.done / this.total;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : 0;
    const unit = this.options.unit ?? "steps";
    const parts = [
      this.options.label ? `${this.options.label} ` : "",
      `${bar} ${(100 * fraction).toFixed(0).padStart(3)}% ${this.done}/${this.total} ${unit}`,
      ` · ${rate.toFixed(1)} ${unit}/s · ${this.done < this.total ? `ETA ${formatDuration(eta)}` : `took ${formatDuration(seconds)}`}`,
      this.status ? ` · ${this.status}` : "",
    ];
    return parts.join("");
  }
}

/** 75 → "1m15s", 4.2 → "4.2s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds); // round first, so 299.6 s reads 5m00s, not 4m60s
  const minutes = Math.floor(whole / 60);
  return `${minutes}m${(whole - 60 * minutes).toString().padStart(2, "0")}s`;
}
