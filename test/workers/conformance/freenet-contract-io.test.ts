// The freenet_contract_io conformance suite in workerd, through the HTTP API:
// with JSPI in the `workers` project, prefetching pages in `workers-prefetch`.
import { freenetContractIoCases } from "../../support/conformance/freenet-contract-io.case.test.js";
import { workerdHost } from "./workerd-host.js";

freenetContractIoCases(workerdHost());
