// Environment for every wrangler run: no telemetry, no banner, no request to
// Cloudflare for `cf` data, so local runs and CI need no outbound network.
export const offlineEnv = {
  WRANGLER_SEND_METRICS: "false",
  DO_NOT_TRACK: "1",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

export function wranglerEnv(extra = {}) {
  return { ...process.env, ...offlineEnv, ...extra };
}
