// A balance in linear storage that can be moved to another instance with a
// contract-to-contract call. The debit is written before the call and the
// run answers an error when the credit fails, so both sides commit in one
// transaction or neither does. See ../README.md for the protocol.
import {
  Call,
  InputStream,
  INSTANCE_ID_BYTES,
  Output,
  Storage,
  runError,
  runOkOutput,
} from "../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../sdk/assembly/index";

const OP_CREDIT: u8 = 1;
const OP_TRANSFER: u8 = 2;
const OP_BALANCE: u8 = 3;

/** The balance: u64 LE at storage offset 0 (unwritten storage reads as a zero balance). */
const BALANCE_OFFSET: u64 = 0;

const BALANCE: usize = memory.data(8, 8);
const TO: usize = memory.data(<i32>INSTANCE_ID_BYTES, 8);
/** The credit command sent to the payee: [1][amount u64]. */
const CREDIT: usize = memory.data(9, 8);

function readBalance(): string | null {
  const status = Storage.read(BALANCE, BALANCE_OFFSET, 8);
  return status < 0 ? "storage_read failed: " + Storage.statusName(status) : null;
}

function writeBalance(): string | null {
  const status = Storage.write(BALANCE_OFFSET, BALANCE, 8);
  return status < 0 ? "storage_write failed: " + Storage.statusName(status) : null;
}

function answer(): i64 {
  const out = new Output(8);
  out.u64(load<u64>(BALANCE));
  return runOkOutput(out);
}

function credit(amount: u64): i64 {
  const balance = load<u64>(BALANCE);
  if (balance + amount < balance) return runError("balance overflow");
  store<u64>(BALANCE, balance + amount);
  const failure = writeBalance();
  return failure !== null ? runError(failure) : answer();
}

function transfer(amount: u64): i64 {
  const balance = load<u64>(BALANCE);
  if (balance < amount) return runError("insufficient funds");
  store<u64>(BALANCE, balance - amount);
  const failure = writeBalance();
  if (failure !== null) return runError(failure);
  store<u8>(CREDIT, OP_CREDIT);
  store<u64>(CREDIT, amount, 1);
  const status = Call.invoke(TO, CREDIT, 9);
  // The error answer also discards the debit written above.
  if (status != 0) return runError("credit failed: " + Call.statusName(status));
  return answer();
}

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  const op = stream.readU8();
  if (!stream.ok) return runError("empty request");
  let expected: u32;
  if (op == OP_CREDIT) expected = 9;
  else if (op == OP_TRANSFER) expected = 1 + INSTANCE_ID_BYTES + 8;
  else if (op == OP_BALANCE) expected = 1;
  else return runError("unknown command");
  if (stream.total != expected) {
    return runError("command " + op.toString() + " takes " + expected.toString() + " bytes, got " + stream.total.toString());
  }
  if (op == OP_TRANSFER) stream.readExact(TO, INSTANCE_ID_BYTES);
  const amount = op == OP_BALANCE ? 0 : stream.readU64();
  if (!stream.ok) return runError("input truncated by the host");
  const failure = readBalance();
  if (failure !== null) return runError(failure);
  if (op == OP_CREDIT) return credit(amount);
  if (op == OP_TRANSFER) return transfer(amount);
  return answer();
}
