// The wasi:filesystem conformance suite on node: the sandbox's WASI host over
// the DO's FileStore, on its in-memory rows and on node:sqlite.
import { wasiFilesCases } from "../../support/conformance/wasi-files.case.test.js";
import { memoryFilesHost, sqlFilesHost } from "./wasi-files-host.js";

wasiFilesCases(memoryFilesHost);
wasiFilesCases(sqlFilesHost);
