// The edge-contracts CLI: one subcommand per API call, built with commander (a
// maintained argument parser: help, usage errors and subcommands for free).
// It gets its client from the caller (see scripts/build.mjs), so this module
// sees only the client's interface and typechecks with Node's types.
import { Command, Option } from "commander";
import type { ClientOptions, EdgeClientApi } from "../client/types.js";
import type { Context } from "./context.js";
import { EXIT, EXIT_HELP, exitCodeOf } from "./exit-codes.js";
import { addStateCommands } from "./state-commands.js";
import { fileBytes, writeStdout } from "./local-files.js";
import { resolveSettings } from "./settings.js";

export type MakeClient = (url: string, options: ClientOptions) => EdgeClientApi;

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

/** Raw bytes (summary, delta, run): as they are on stdout, or {size, base64} with --json. */
async function printBytes(context: Context, bytes: Uint8Array): Promise<void> {
  if (context.json) return context.print({ size: bytes.length, base64: base64(bytes) }, "");
  await writeStdout(bytes);
}

export function buildProgram(makeClient: MakeClient): Command {
  const program = new Command("edge-contracts")
    .description("Command-line client for the edge-contracts HTTP API (v1)")
    .option("--url <url>", "server URL (default: $EDGE_URL, the config file, http://127.0.0.1:8787)")
    .option("--token <token>", "bearer token (default: $EDGE_TOKEN, then the config file)")
    .option("--json", "machine output: JSON on stdout")
    .addHelpText(
      "after",
      `\nConfig file: ~/.config/edge-contracts/config.json {"url", "token"}\n\n${EXIT_HELP}`,
    )
    .showHelpAfterError()
    .exitOverride();
  const context = (): Context => {
    const flags = program.opts<{ url?: string; token?: string; json?: boolean }>();
    const { url, token } = resolveSettings(flags);
    const json = flags.json === true;
    return {
      client: () => makeClient(url, { token }),
      json,
      print: (value, human) => writeStdout(`${json ? JSON.stringify(value) : human}\n`),
    };
  };

  const code = program.command("code").description("contract code");
  code
    .command("upload <file>")
    .description("upload a wasm module or component; prints its code hash")
    .action(async (file: string) => {
      const ctx = context();
      const result = await ctx.client().uploadCode(await fileBytes(file));
      await ctx.print(result, result.codeHash);
    });

  program
    .command("contract")
    .description("contract instances")
    .command("create")
    .description("create (or find) the instance of a code hash with parameters; prints its id")
    .requiredOption("--code <hash>", "the code hash")
    .addOption(new Option("--parameters-file <file>", "parameters from a file").conflicts("parametersBase64"))
    .option("--parameters-base64 <base64>", "parameters, standard base64")
    .action(async (options: { code: string; parametersFile?: string; parametersBase64?: string }) => {
      const ctx = context();
      const parameters = options.parametersFile
        ? await fileBytes(options.parametersFile)
        : new Uint8Array(Buffer.from(options.parametersBase64 ?? "", "base64"));
      const result = await ctx.client().createContract({ codeHash: options.code, parameters });
      await ctx.print(result, result.id);
    });

  addStateCommands(program, context);

  program
    .command("update <id> <file>")
    .description("run update_state with the file (- for stdin) as a delta (or a whole state)")
    .addOption(new Option("--kind <kind>", "delta or state").choices(["delta", "state"]).default("delta"))
    .action(async (id: string, file: string, options: { kind: "delta" | "state" }) => {
      const ctx = context();
      const result = await ctx.client().update(id, await fileBytes(file), options.kind);
      await ctx.print(result, `version ${result.version}${result.changed ? "" : " (unchanged)"}`);
    });

  program
    .command("summary <id>")
    .description("the state's summary (raw bytes on stdout)")
    .action(async (id: string) => {
      const ctx = context();
      await printBytes(ctx, await ctx.client().summary(id));
    });

  program
    .command("delta <id>")
    .description("the delta a peer holding a summary needs (raw bytes on stdout)")
    .requiredOption("--summary-file <file>", "the summary the peer holds")
    .action(async (id: string, options: { summaryFile: string }) => {
      const ctx = context();
      await printBytes(ctx, await ctx.client().delta(id, await fileBytes(options.summaryFile)));
    });

  program
    .command("run <id>")
    .description("call the contract's run entry (its answer on stdout)")
    .option("--input-file <file>", "the input")
    .action(async (id: string, options: { inputFile?: string }) => {
      const ctx = context();
      const input = options.inputFile ? await fileBytes(options.inputFile) : new Uint8Array(0);
      await printBytes(ctx, await ctx.client().run(id, input));
    });

  const files = program.command("files").description("a component instance's files");
  files
    .command("ls <id> [path]")
    .description("list a directory")
    .action(async (id: string, path: string | undefined) => {
      const ctx = context();
      const listing = await ctx.client().listFiles(id, path ?? "");
      const lines = (listing.entries ?? [listing.entry]).map(
        (entry) =>
          `${entry.kind === "directory" ? "d" : "-"} ${String(entry.size).padStart(10)} ${entry.path}`,
      );
      await ctx.print(listing, lines.join("\n"));
    });
  files
    .command("get <id> <path>")
    .description("a file's bytes on stdout")
    .action(async (id: string, path: string) => {
      const ctx = context();
      await printBytes(ctx, await ctx.client().getFile(id, path));
    });

  program
    .command("leases")
    .description("fabric memory leases")
    .command("ls <id>")
    .description("an instance's leases")
    .action(async (id: string) => {
      const ctx = context();
      const { leases } = await ctx.client().leases(id);
      const lines = leases.map((lease) => `${lease.id} ${lease.status} ${lease.arenaSize} bytes`);
      await ctx.print({ leases }, lines.join("\n") || "no leases");
    });
  return program;
}

/** Runs the CLI on `argv` (process.argv); resolves with the exit code. */
export async function main(argv: string[], makeClient: MakeClient): Promise<number> {
  const program = buildProgram(makeClient);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    // commander's own exits (help, version, usage errors) have printed already.
    if (error instanceof Error && "exitCode" in error && typeof error.exitCode === "number") {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const code = error instanceof Error && "code" in error ? ` ${String(error.code)}` : "";
    process.stderr.write(
      `edge-contracts:${code} ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return exitCodeOf(error);
  }
}
