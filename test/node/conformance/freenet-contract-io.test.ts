// The freenet_contract_io conformance suite on node, with local ports and
// with ports answering as RPC stubs do without JSPI.
import { freenetContractIoCases } from "../../support/conformance/freenet-contract-io.case.test.js";
import { nodeHost } from "./node-host.js";

freenetContractIoCases(nodeHost("node"));
freenetContractIoCases(nodeHost("node, ports over RPC without JSPI", { remotePorts: true }));
