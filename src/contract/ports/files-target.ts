// The DO's end of a component call's files over RPC: the call's view of the
// file store (committed nodes and pages, its own staging area). The store's
// source checks every argument, as they come from untrusted code.
import { RpcTarget } from "cloudflare:workers";
import type { FilesSource, StagedPage } from "../../protocol/files-port.js";

export class FilesTarget extends RpcTarget implements FilesSource {
  readonly #source: FilesSource;

  constructor(source: FilesSource) {
    super();
    this.#source = source;
  }

  lookup(path: string) {
    return this.#source.lookup(path);
  }

  list(dir: string) {
    return this.#source.list(dir);
  }

  readPages(id: number, first: number, count: number) {
    return this.#source.readPages(id, first, count);
  }

  stage(pages: StagedPage[]) {
    return this.#source.stage(pages);
  }

  readStaged(id: number, pages: number[]) {
    return this.#source.readStaged(id, pages);
  }
}
