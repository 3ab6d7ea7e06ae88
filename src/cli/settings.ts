// Where the CLI finds its server and token: the flag, then the environment,
// then ~/.config/edge-contracts/config.json {url, token}, then the local default.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const DEFAULT_URL = "http://127.0.0.1:8787";

interface ConfigFile {
  url?: unknown;
  token?: unknown;
}

function configFile(): ConfigFile {
  const dir = process.env.XDG_CONFIG_HOME ?? join(homedir(), ".config");
  try {
    return JSON.parse(readFileSync(join(dir, "edge-contracts", "config.json"), "utf8")) as ConfigFile;
  } catch {
    // No config file (or an unreadable one): the other sources decide.
    return {};
  }
}

export function resolveSettings(flags: { url?: string | undefined; token?: string | undefined }): {
  url: string;
  token: string | undefined;
} {
  const file = configFile();
  const url =
    flags.url ?? process.env.EDGE_URL ?? (typeof file.url === "string" ? file.url : undefined) ?? DEFAULT_URL;
  const token =
    flags.token ?? process.env.EDGE_TOKEN ?? (typeof file.token === "string" ? file.token : undefined);
  return { url, token };
}
