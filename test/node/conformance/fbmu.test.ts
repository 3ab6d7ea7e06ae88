// The fbmu conformance suite on node: the production hosts in one process,
// with ports answering synchronously (fbmu runs without JSPI), and with ports
// answering as RPC stubs do without JSPI (what PAGE_MODE=prefetch gives a sandbox).
import { fbmuCases } from "../../support/conformance/fbmu.case.test.js";
import { nodeHost } from "./node-host.js";

fbmuCases(nodeHost("node"));
fbmuCases(nodeHost("node, ports over RPC without JSPI", { remotePorts: true }));
