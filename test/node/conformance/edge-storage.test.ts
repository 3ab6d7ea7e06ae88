// The edge_storage conformance suite on node: the production hosts in one
// process, with ports answering synchronously, and with ports answering as
// RPC stubs do without JSPI (what PAGE_MODE=prefetch gives a sandbox).
import { edgeStorageCases } from "../../support/conformance/edge-storage.case.test.js";
import { nodeHost } from "./node-host.js";

edgeStorageCases(nodeHost("node"));
edgeStorageCases(nodeHost("node, ports over RPC without JSPI", { remotePorts: true }));
