// What a contract may write to the server log in one execution: a bounded
// number of lines and bytes, control characters made visible (a contract must
// not forge log lines or terminal escapes), and a count of what was dropped.
import { MAX_LOG_BYTES_PER_CALL, MAX_LOG_LINES_PER_CALL } from "../limits.js";

// C0 controls (newlines included), DEL and C1 controls: matching them is the point.
// oxlint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export class LogBudget {
  readonly #sink: (line: string) => void;
  #lines = 0;
  #bytes = 0;
  /** Lines refused once the budget was spent. */
  dropped = 0;

  constructor(sink: (line: string) => void) {
    this.#sink = sink;
  }

  /** Logs one line of `text` (already cut to the per-line maximum) if the budget allows. */
  line(text: string): void {
    const visible = text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
    if (this.#lines >= MAX_LOG_LINES_PER_CALL || this.#bytes + visible.length > MAX_LOG_BYTES_PER_CALL) {
      this.dropped++;
      return;
    }
    this.#lines++;
    this.#bytes += visible.length;
    this.#sink(visible);
  }

  /** After the call: one line saying how many were dropped, if any were. */
  finish(): void {
    if (this.dropped > 0) {
      this.#sink(
        `(${this.dropped} more log lines dropped: ${MAX_LOG_LINES_PER_CALL} lines / ${MAX_LOG_BYTES_PER_CALL} bytes per call)`,
      );
    }
  }
}
