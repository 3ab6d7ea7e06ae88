// Fabric-memory lease figures (issue 5): bytes streamed into and out of a
// lease over HTTP, each 64 KiB frame durable as it lands.
import { getCount, putStream, timed } from "./http-client.mjs";

const MiB = 1024 * 1024;

export async function leaseBench({ origin, json, quick, log, instanceId }) {
  const size = (quick ? 16 : 64) * MiB;
  log(`leases: ${size / MiB} MiB written to and read from a lease`);
  const lease = await json(`/v1/contracts/${instanceId}/leases`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ minBytes: size, leaseSecs: 3600 }),
  });
  const url = `${origin}/v1/contracts/${instanceId}/leases/${lease.id}/bytes?offset=0`;
  const write = await timed(() => putStream(url, size));
  if (write.result[0] !== 200) throw new Error(`lease PUT: ${write.result[0]} ${write.result[1]}`);
  const read = await timed(() => getCount(`${url}&length=${size}`));
  if (read.result[1] !== size) throw new Error(`lease GET returned ${read.result[1]} bytes`);
  return {
    lease_write_mib_s: size / MiB / (write.ms / 1000),
    lease_read_mib_s: size / MiB / (read.ms / 1000),
  };
}
