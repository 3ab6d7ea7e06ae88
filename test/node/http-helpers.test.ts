import { describe, expect, it } from "vitest";
import { EdgeError } from "../../src/errors.js";
import { checkWriteConditions, isNotModified, parseEtagCondition } from "../../src/http/conditional.js";
import { parseRange, resolveRange } from "../../src/http/range.js";
import { contentLength, readRequestBounded } from "../../src/http/read-bounded.js";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof EdgeError ? error.code : "not an EdgeError";
  }
  return "no error";
};

describe("Range", () => {
  it("parses the three single-range forms", () => {
    expect(parseRange("bytes=0-9")).toEqual({ kind: "from", start: 0, end: 9 });
    expect(parseRange("bytes=5-")).toEqual({ kind: "from", start: 5 });
    expect(parseRange("bytes=-3")).toEqual({ kind: "suffix", length: 3 });
    expect(parseRange(undefined)).toBeUndefined();
  });

  it("ignores multi-range requests (serves the whole body)", () => {
    expect(parseRange("bytes=0-1,4-5")).toBeUndefined();
  });

  it("ignores what RFC 9110 lets a server ignore: other units, malformed or reversed ranges (200 in full)", () => {
    for (const header of [
      "bytes=",
      "bytes=-",
      "items=0-1",
      "bytes=9-3",
      "bytes=a-b",
      "bytes=5-1",
      "lines=1-2",
    ]) {
      expect(parseRange(header)).toBeUndefined();
    }
  });

  it("reads the unit case-insensitively", () => {
    expect(parseRange("BYTES=0-4")).toEqual({ kind: "from", start: 0, end: 4 });
    expect(parseRange("Bytes=-2")).toEqual({ kind: "suffix", length: 2 });
  });

  it("resolves against the size and clamps the end", () => {
    expect(resolveRange({ kind: "from", start: 2, end: 100 }, 10)).toEqual({ start: 2, end: 10 });
    expect(resolveRange({ kind: "from", start: 2 }, 10)).toEqual({ start: 2, end: 10 });
    expect(resolveRange({ kind: "suffix", length: 4 }, 10)).toEqual({ start: 6, end: 10 });
    expect(resolveRange({ kind: "suffix", length: 40 }, 10)).toEqual({ start: 0, end: 10 });
  });

  it("answers RANGE_NOT_SATISFIABLE past the end or on an empty state", () => {
    expect(codeOf(() => resolveRange({ kind: "from", start: 10 }, 10))).toBe("RANGE_NOT_SATISFIABLE");
    expect(codeOf(() => resolveRange({ kind: "suffix", length: 1 }, 0))).toBe("RANGE_NOT_SATISFIABLE");
    expect(codeOf(() => resolveRange({ kind: "suffix", length: 0 }, 5))).toBe("RANGE_NOT_SATISFIABLE");
  });
});

describe("conditional requests", () => {
  it("parses tag lists and *", () => {
    expect(parseEtagCondition('"a", W/"b"')).toEqual(['"a"', 'W/"b"']);
    expect(parseEtagCondition("*")).toBe("*");
    expect(codeOf(() => parseEtagCondition("nope"))).toBe("BAD_REQUEST");
  });

  it("If-Match uses strong comparison and fails when there is no state", () => {
    expect(codeOf(() => checkWriteConditions({ ifMatch: ['"a"'] }, '"a"'))).toBe("no error");
    expect(codeOf(() => checkWriteConditions({ ifMatch: ['W/"a"'] }, '"a"'))).toBe("PRECONDITION_FAILED");
    expect(codeOf(() => checkWriteConditions({ ifMatch: ['"b"'] }, '"a"'))).toBe("PRECONDITION_FAILED");
    expect(codeOf(() => checkWriteConditions({ ifMatch: "*" }, null))).toBe("PRECONDITION_FAILED");
  });

  it("If-None-Match: * on a write means create-only", () => {
    expect(codeOf(() => checkWriteConditions({ ifNoneMatch: "*" }, null))).toBe("no error");
    expect(codeOf(() => checkWriteConditions({ ifNoneMatch: "*" }, '"a"'))).toBe("PRECONDITION_FAILED");
  });

  it("If-None-Match on a read uses weak comparison", () => {
    expect(isNotModified(['W/"a"'], '"a"')).toBe(true);
    expect(isNotModified(['"b"'], '"a"')).toBe(false);
    expect(isNotModified(undefined, '"a"')).toBe(false);
  });
});

describe("Content-Length", () => {
  it("accepts digits only", () => {
    expect(contentLength("42")).toBe(42);
    expect(contentLength(undefined)).toBeUndefined();
    expect(codeOf(() => contentLength("-1"))).toBe("BAD_REQUEST");
    expect(codeOf(() => contentLength("1e3"))).toBe("BAD_REQUEST");
  });
});

describe("readRequestBounded", () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request("http://x/", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  const chunked = (...parts: Uint8Array[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => "no error",
      (error: unknown) => (error instanceof EdgeError ? error.code : String(error)),
    );

  it("reads a declared body within the limit whole", async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(await readRequestBounded(post(bytes, { "content-length": "3" }), 3, "x")).toEqual(bytes);
  });

  it("refuses a declared length over the limit before reading it", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(4));
        controller.close();
      },
    });
    const request = post(body, { "content-length": "4" });
    expect(await failure(readRequestBounded(request, 3, "x"))).toBe("PAYLOAD_TOO_LARGE");
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("reads a body without Content-Length bounded, and refuses one that grows past the limit", async () => {
    const a = new Uint8Array([1, 2]);
    const b = new Uint8Array([3]);
    expect(await readRequestBounded(post(chunked(a, b)), 3, "x")).toEqual(new Uint8Array([1, 2, 3]));
    expect(await failure(readRequestBounded(post(chunked(a, b, b)), 3, "x"))).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses a malformed Content-Length", async () => {
    const request = post(new Uint8Array(1), { "content-length": "1" });
    request.headers.set("content-length", "x1");
    expect(await failure(readRequestBounded(request, 3, "x"))).toBe("BAD_REQUEST");
  });
});
