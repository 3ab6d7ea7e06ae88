// What every command gets: the client for the resolved URL and token, and one
// way to print a result (JSON with --json, a human line otherwise).
import type { EdgeClientApi } from "../client/types.js";

export interface Context {
  client(): EdgeClientApi;
  json: boolean;
  print(value: unknown, human: string): Promise<void>;
}
