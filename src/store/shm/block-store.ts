// The blocks an instance keeps past an execution (its feed's publications,
// its inbox), as 64 KiB frames, as lease arenas keep theirs. A block is freed
// when nothing refers to it any more; the alarm reclaims the frames.
import { FRAME_BYTES } from "../../limits.js";
import { blobOf, type SqlPort } from "../sql/sql-port.js";

export class BlockStore {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS shm_blocks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      size INTEGER NOT NULL,
      live INTEGER NOT NULL DEFAULT 1)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS shm_block_frames (
      block INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (block, idx))`);
  }

  put(bytes: Uint8Array): number {
    const [row] = this.#sql.exec<{ id: number }>(
      "INSERT INTO shm_blocks (size) VALUES (?) RETURNING id",
      bytes.length,
    );
    const id = Number(row?.id);
    for (let at = 0, index = 0; at < bytes.length; at += FRAME_BYTES, index++) {
      this.#sql.exec(
        "INSERT INTO shm_block_frames (block, idx, data) VALUES (?, ?, ?)",
        id,
        index,
        bytes.subarray(at, Math.min(at + FRAME_BYTES, bytes.length)),
      );
    }
    return id;
  }

  read(id: number): Uint8Array {
    const [block] = this.#sql.exec("SELECT size FROM shm_blocks WHERE id = ?", id);
    const out = new Uint8Array(Number(block?.size ?? 0));
    for (const row of this.#sql.exec(
      "SELECT idx, data FROM shm_block_frames WHERE block = ? ORDER BY idx",
      id,
    )) {
      out.set(blobOf(row.data), Number(row.idx) * FRAME_BYTES);
    }
    return out;
  }

  /** Nothing refers to the block any more: the alarm reclaims it. */
  release(id: number): void {
    this.#sql.exec("UPDATE shm_blocks SET live = 0 WHERE id = ?", id);
  }

  /** Bytes of the blocks still referred to (the instance's quota counts these). */
  heldBytes(): number {
    const [row] = this.#sql.exec("SELECT COALESCE(SUM(size), 0) AS bytes FROM shm_blocks WHERE live = 1");
    return Number(row?.bytes ?? 0);
  }

  hasOrphans(): boolean {
    return this.#sql.exec("SELECT 1 FROM shm_blocks WHERE live = 0 LIMIT 1").length > 0;
  }

  /** Deletes released blocks and their frames (idempotent); returns how many went. */
  reclaim(): number {
    const gone = this.#sql.exec<{ id: number }>("SELECT id FROM shm_blocks WHERE live = 0");
    for (const { id } of gone) {
      this.#sql.exec("DELETE FROM shm_block_frames WHERE block = ?", id);
      this.#sql.exec("DELETE FROM shm_blocks WHERE id = ?", id);
    }
    return gone.length;
  }
}
