// `cloudflare:workers` for node tests: the DO-side port targets extend
// RpcTarget, which in workerd marks a class as passed by reference over RPC.
// In one node process nothing crosses RPC, so a plain base class is the same.
// oxlint-disable-next-line typescript/no-extraneous-class -- a marker base class, as in workerd
export class RpcTarget {}
