// state put / state get / watch: the commands that stream, with progress bars
// for large states and a resumable download.
import type { Command } from "commander";
import { appender, existingSize, fileStream, writeStdout } from "./local-files.js";
import { progressBar } from "./progress.js";
import type { Context } from "./context.js";

export function addStateCommands(program: Command, context: () => Context): void {
  const state = program.command("state").description("an instance's state");
  state
    .command("put <id> <file>")
    .description("replace the state with the file's bytes (streamed, validated by the contract)")
    .option("--if-match <hash>", "only if the state is still this version's hash")
    .action(async (id: string, file: string, options: { ifMatch?: string }) => {
      const ctx = context();
      const body = await fileStream(file);
      const bar = progressBar("upload", body.size);
      try {
        const result = await ctx.client().putState(id, body, {
          onProgress: bar.update,
          ...(options.ifMatch ? { ifMatch: options.ifMatch } : {}),
        });
        bar.stop();
        await ctx.print(result, `version ${result.version}  hash ${result.hash}  size ${result.size}`);
      } finally {
        bar.stop();
      }
    });

  state
    .command("get <id>")
    .description("the state's bytes: on stdout, or to --out (a partial --out file is resumed)")
    .option("--out <file>", "write here; if it exists, continue from its size with a Range request")
    .action(async (id: string, options: { out?: string }) => {
      const ctx = context();
      const resumeFrom = options.out ? await existingSize(options.out) : 0;
      const sink = options.out ? await appender(options.out) : { write: writeStdout, close: async () => {} };
      let bar: ReturnType<typeof progressBar> | undefined;
      try {
        const info = await ctx.client().downloadState(id, sink.write, {
          resumeFrom,
          onProgress: (bytes, total) => {
            bar ??= progressBar("download", total);
            bar.update(bytes, total);
          },
        });
        bar?.stop();
        // Bytes went to stdout: only a file download has room for a summary line.
        if (options.out) {
          await ctx.print(
            { ...info, out: options.out, resumedFrom: resumeFrom },
            `version ${info.version}  hash ${info.hash}  size ${info.size}${resumeFrom ? `  (resumed at ${resumeFrom})` : ""}`,
          );
        }
      } finally {
        bar?.stop();
        await sink.close();
      }
    });

  program
    .command("watch <id>")
    .description("print each state change as it commits, one line each (Ctrl-C stops)")
    .action(async (id: string) => {
      const ctx = context();
      const controller = new AbortController();
      process.once("SIGINT", () => controller.abort());
      process.once("SIGTERM", () => controller.abort());
      await new Promise<void>((resolve, reject) => {
        controller.signal.addEventListener("abort", () => resolve(), { once: true });
        ctx.client().subscribe(id, {
          signal: controller.signal,
          onChange: (change) => {
            const size = change.bytes?.length ?? 0;
            const line = {
              type: change.type,
              version: change.version,
              hash: change.hash,
              size,
              ...(change.omitted ? { omitted: true } : {}),
            };
            void ctx.print(line, `version ${change.version}  ${change.type}  ${size} bytes`);
          },
          onError: (error) => process.stderr.write(`edge-contracts: ${error.message}\n`),
          // A missing instance (its first connect fails, describe answers 404) exits 2.
          onEnd: reject,
        });
      });
    });
}
