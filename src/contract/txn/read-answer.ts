// A callee's `run` output as its caller gets it: whole bytes, bounded, since
// it crosses two RPC hops and lands in the caller's memory.
import { EdgeError } from "../../errors.js";
import { MAX_CALL_BYTES } from "../../limits.js";
import type { ByteResult } from "../contract-executor.js";
import { bytesOfBody, discardBody } from "../../protocol/reply-body.js";

export async function readAnswer(result: ByteResult): Promise<Uint8Array> {
  if (result.size > MAX_CALL_BYTES) {
    await discardBody(result.body);
    throw new EdgeError(
      "CALL_LIMIT",
      `the callee answered ${result.size} bytes, over the ${MAX_CALL_BYTES}-byte limit`,
    );
  }
  return bytesOfBody(result.body);
}
