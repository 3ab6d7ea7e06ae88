// A suite holds complementary cases for hosts that can reach the instance
// from a guest's imports and hosts that cannot (no JSPI): each host registers
// the cases that describe it, so nothing shows as skipped that applies
// elsewhere by design. Cases a host cannot check (no clock control) still skip, by name.
import { describe, it } from "vitest";

type Group = (name: string, body: () => void) => void;
type Case = (name: string, body: () => Promise<void> | void, timeout?: number) => void;

const none = () => {};

export function describeWhere(applies: boolean): Group {
  return applies ? describe : none;
}

export function itWhere(applies: boolean): Case {
  return applies ? it : none;
}
