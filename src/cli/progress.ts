// Progress bars on stderr (stdout stays the command's output), drawn with
// cli-progress, a maintained bar library that handles terminal redraws and
// ETA, so we do not hand-roll escape codes. Only for a terminal and a large
// transfer: a pipe or a log gets no redraw noise.
import { SingleBar } from "cli-progress";
import type { Progress } from "../client/types.js";

const LARGE = 1 << 20;

export interface Bar {
  update: Progress;
  stop(): void;
}

export function progressBar(label: string, total: number): Bar {
  if (!process.stderr.isTTY || total < LARGE) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% {value}/{total} MiB  ETA {eta}s`,
    hideCursor: true,
  });
  const mib = (bytes: number) => Math.round((bytes / LARGE) * 10) / 10;
  bar.start(mib(total), 0);
  return {
    update: (bytes) => bar.update(mib(bytes)),
    stop: () => bar.stop(),
  };
}
