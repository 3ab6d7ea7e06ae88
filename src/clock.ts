// Time is a port so lease expiry, version timestamps and tests never depend on the wall clock.
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
