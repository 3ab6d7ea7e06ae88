// Types for dev-server.mjs, for the node tests that start a real server.
import type { ChildProcess } from "node:child_process";

export interface DevServerOptions {
  port: number;
  config?: string;
  persistTo?: string;
  vars?: Record<string, string>;
  quiet?: boolean;
}

export interface DevServer {
  origin: string;
  child: ChildProcess;
  stop(): void;
}

export function startDevServer(options: DevServerOptions): Promise<DevServer>;
