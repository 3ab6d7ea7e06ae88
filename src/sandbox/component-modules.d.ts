// The component's core modules by the names the glue asks for, compiled by
// the Worker Loader (the loader writes this index as component-modules.js).
declare const modules: Record<string, WebAssembly.Module>;
export default modules;
