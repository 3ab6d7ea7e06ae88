// The glue our jco generated for the contract's component (instantiation
// "async"); the sandbox loader puts it beside component-main as component.js.
import type { ComponentGlue } from "./component-runner.js";

export declare const instantiate: ComponentGlue["instantiate"];
