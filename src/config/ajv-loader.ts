/**
 * Ajv loads only when a schema has to be compiled (a config file the precompiled validators reject,
 * a step's `output.schema`): importing it, its draft-07 vocabulary and ajv-formats at start-up was
 * about a tenth of `orch plan`'s time on the quickstart (issue 11). Both packages ship CommonJS, so
 * a synchronous `require` keeps the callers synchronous.
 */
import { createRequire } from "node:module";
import type { Ajv, Options } from "ajv";

const require = createRequire(import.meta.url);

/** A new Ajv (draft-07, or 2020-12 when asked) with the standard formats. */
export function createAjv(options: Options, draft: "draft-07" | "2020-12" = "draft-07"): Ajv {
  const AjvClass =
    draft === "2020-12" ? (require("ajv/dist/2020") as { Ajv2020: new (options: Options) => Ajv }).Ajv2020 : (require("ajv") as { Ajv: new (options: Options) => Ajv }).Ajv;
  const addFormats = require("ajv-formats") as (ajv: Ajv) => Ajv;
  const ajv = new AjvClass(options);
  addFormats(ajv);
  return ajv;
}
