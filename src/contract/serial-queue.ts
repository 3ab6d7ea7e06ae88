// Runs tasks one after another (an instance's updates and runs), so each reads
// the state and storage the one before it committed. A failure does not stop
// the queue.
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => {});
    return result;
  }
}
