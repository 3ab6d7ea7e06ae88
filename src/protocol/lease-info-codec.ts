// LeaseInfo as fbmu_alloc / fbmu_query write it into guest memory (SPEC section 7):
// { lease_id: u128 LE, arena_size: u64, expires_at: u64, status: u8 } padded to 40 bytes.
import type { LeaseInfo, LeaseStatus } from "../store/leases/lease-store.js";

export const LEASE_INFO_BYTES = 40;
const STATUS_BYTE: Record<LeaseStatus, number> = { active: 0, expired: 1, revoked: 2 };

export function encodeLeaseInfo(info: LeaseInfo): Uint8Array {
  const out = new Uint8Array(LEASE_INFO_BYTES);
  const view = new DataView(out.buffer);
  out.set(info.id, 0);
  view.setBigUint64(16, BigInt(info.arenaSize), true);
  view.setBigUint64(24, BigInt(info.expiresAt), true);
  out[32] = STATUS_BYTE[info.status];
  return out;
}
