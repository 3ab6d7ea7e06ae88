// The transfer example (contracts/examples/transfer) between instances: many
// call trees at once over the same instances in opposite orders, and a crash
// between prepare and commit. Money is neither made nor lost.
import { SELF, env, evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, errorOf } from "./support/api.js";
import { transferCommand, u64At } from "./support/call-script.js";
import { probe, run, runOk, type Probe } from "./support/calls.js";

const account = () => probe(false, "transfer");
const balance = async (who: Probe) => u64At(await runOk(who.id, transferCommand.balance()), 0);

describe("transfers", () => {
  it("20 concurrent transfers in opposite orders all finish, committed or a retryable conflict; the sum holds", async () => {
    const accounts = [await account(), await account(), await account()];
    for (const who of accounts) await runOk(who.id, transferCommand.credit(1000n));
    const moves = Array.from({ length: 20 }, (_, i) => {
      const from = accounts[i % 3] as Probe;
      const to = accounts[(i + (i % 2 === 0 ? 1 : 2)) % 3] as Probe;
      return { from, to, amount: BigInt(i + 1) };
    });
    const answers = await Promise.all(
      moves.map(async ({ from, to, amount }) => {
        const response = await run(from.id, transferCommand.transfer(to.raw, amount));
        if (response.status === 200) return "committed";
        const { code, message, details } = await errorOf(response);
        // Refused by the payee's lock (the credit call), or by the payer's own (a transfer was running into it).
        if (code === "CONTRACT_REJECTED" && message.includes("credit failed: CONFLICT (-17)"))
          return "conflict";
        if (code === "CONFLICT" && details?.retryable === true) return "conflict";
        return `unexpected: ${code} ${message}`;
      }),
    );
    expect(answers.filter((answer) => answer !== "committed" && answer !== "conflict")).toEqual([]);
    const committed = moves.filter((_, i) => answers[i] === "committed");
    expect(committed.length).toBeGreaterThan(0);
    const expected = new Map(accounts.map((who) => [who.id, 1000n]));
    for (const { from, to, amount } of committed) {
      expected.set(from.id, (expected.get(from.id) ?? 0n) - amount);
      expected.set(to.id, (expected.get(to.id) ?? 0n) + amount);
    }
    const balances = await Promise.all(accounts.map(balance));
    expect(balances.reduce((sum, value) => sum + value, 0n)).toBe(3000n);
    expect(balances).toEqual(accounts.map((who) => expected.get(who.id)));
  });

  it("a transfer is atomic when the payee crashes between prepare and commit and is evicted", async () => {
    const [payer, payee] = [await account(), await account()];
    await runOk(payer.id, transferCommand.credit(100n));
    const response = await run(payer.id, transferCommand.transfer(payee.raw, 40n), {
      "x-fault-inject": `participant-crash-before-commit@${payee.id}`,
    });
    expect(response.status).toBe(200);
    const payeeStub = env.CONTRACTS.get(env.CONTRACTS.idFromName(payee.id));
    // Running again (the crash reset it), holding the staged credit only on disk; then evicted.
    expect((await SELF.fetch(`${BASE}/v1/contracts/${payee.id}`)).status).toBe(200);
    await evictDurableObject(payeeStub);
    expect(await runDurableObjectAlarm(payeeStub)).toBe(true);
    expect([await balance(payer), await balance(payee)]).toEqual([60n, 40n]);
  });

  it("a payer whose transfer fails keeps its balance", async () => {
    const [payer, missing] = [await account(), await account()];
    await runOk(payer.id, transferCommand.credit(10n));
    const nobody = new Uint8Array(32).fill(9);
    const response = await run(payer.id, transferCommand.transfer(nobody, 5n));
    expect(await errorOf(response)).toMatchObject({ code: "CONTRACT_REJECTED" });
    expect(await balance(payer)).toBe(10n);
    expect(await balance(missing)).toBe(0n);
  });
});
