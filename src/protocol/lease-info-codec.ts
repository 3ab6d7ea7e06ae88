// LeaseInfo as fbmu_alloc / fbmu_query write it into guest memory (README
// "Fabric memory"): { lease_id: u128 LE, arena_size: u64, expires_at: u64,
// status: u8 } padded to 40 bytes.

export const LEASE_ID_BYTES = 16;
export const LEASE_INFO_BYTES = 40;

export type LeaseStatus = "active" | "expired" | "revoked";

/** A lease as the wire carries it (the DO's LeaseInfo has this shape). */
export interface LeaseInfoFields {
  id: Uint8Array;
  arenaSize: number;
  expiresAt: number;
  status: LeaseStatus;
}

const STATUS_BYTE: Record<LeaseStatus, number> = { active: 0, expired: 1, revoked: 2 };

export function encodeLeaseInfo(info: LeaseInfoFields): Uint8Array {
  const out = new Uint8Array(LEASE_INFO_BYTES);
  const view = new DataView(out.buffer);
  out.set(info.id, 0);
  view.setBigUint64(16, BigInt(info.arenaSize), true);
  view.setBigUint64(24, BigInt(info.expiresAt), true);
  out[32] = STATUS_BYTE[info.status];
  return out;
}
