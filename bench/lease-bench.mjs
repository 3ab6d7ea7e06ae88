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
  const bytes = `${origin}/v1/contracts/${instanceId}/leases/${lease.id}/bytes`;
  const write = await timed(() => putStream(`${bytes}?offset=0`, size));
  if (write.result[0] !== 200) throw new Error(`lease PUT: ${write.result[0]} ${write.result[1]}`);
  // One read returns at most 16 MiB (MAX_READ_BYTES_PER_REQUEST): page through the lease.
  const page = 16 * MiB;
  const read = await timed(async () => {
    let total = 0;
    for (let offset = 0; offset < size; offset += page) {
      const [status, got] = await getCount(
        `${bytes}?offset=${offset}&length=${Math.min(page, size - offset)}`,
      );
      if (status !== 200) throw new Error(`lease GET: ${status}`);
      total += got;
    }
    return total;
  });
  if (read.result !== size) throw new Error(`lease GET returned ${read.result} bytes`);
  return {
    lease_write_mib_s: size / MiB / (write.ms / 1000),
    lease_read_mib_s: size / MiB / (read.ms / 1000),
  };
}
