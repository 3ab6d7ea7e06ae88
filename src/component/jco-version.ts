// The jco whose bindgen the build rebuilt (scripts/build-bindgen.mjs): part of
// the key of every stored transpile, so a jco upgrade regenerates them all.
// test/node/component/jco-version.test.ts holds it equal to the installed jco.
export const JCO_VERSION = "1.35.0";
