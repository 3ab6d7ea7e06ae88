// The fbmu conformance suite in workerd over DO SQLite, through the HTTP API:
// with JSPI in the `workers` project, prefetching pages in `workers-prefetch`.
import { fbmuCases } from "../../support/conformance/fbmu.case.test.js";
import { workerdHost } from "./workerd-host.js";

fbmuCases(workerdHost());
