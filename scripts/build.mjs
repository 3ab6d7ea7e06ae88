// Compiles the wasm the Worker bundles (host BLAKE3) from AssemblyScript source into build/.
import { mkdirSync } from "node:fs";
import { main as asc } from "assemblyscript/asc";

const targets = [
  {
    entry: "src/hashing/assembly/blake3.ts",
    out: "build/blake3.wasm",
    // Two pages: 64 KiB input window plus hasher state; fixed so nothing grows at run time.
    flags: ["--runtime", "stub", "--noAssert", "--initialMemory", "2", "--maximumMemory", "2"],
  },
];

mkdirSync("build", { recursive: true });
for (const target of targets) {
  const { error, stderr } = await asc([target.entry, "-O3", "--outFile", target.out, ...target.flags]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc failed for ${target.entry}: ${error.message}`);
  }
}
console.log(`built ${targets.map((t) => t.out).join(", ")}`);
