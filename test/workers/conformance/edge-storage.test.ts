// The edge_storage conformance suite in workerd over DO SQLite, through the
// HTTP API: with JSPI in the `workers` project, prefetching pages in `workers-prefetch`.
import { edgeStorageCases } from "../../support/conformance/edge-storage.case.test.js";
import { workerdHost } from "./workerd-host.js";

edgeStorageCases(workerdHost());
