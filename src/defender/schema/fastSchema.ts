/**
 * Exported Defender schemas are zod schemas (usable wherever a `z.ZodType` is expected, with zod issues and
 * paths) whose work is done by the compiled fast reader. The warnings of a successful parse are attached to
 * its result (see `parseWarningsOf`).
 */
import { z } from "zod";
import { setParseWarnings } from "../parseWarnings";
import { type Reader, ReadState } from "./reader";
import { type Shape, typeEntry } from "./registry";

/** Reads `value` at the root; `init` may set the incident/alert id warnings are reported with. */
export function readRoot(
  read: Reader,
  value: unknown,
  init?: (value: unknown, st: ReadState) => void,
): { value: unknown; state: ReadState } {
  const state = new ReadState();
  init?.(value, state);
  return { value: read(value, state, undefined), state };
}

/**
 * A zod schema running `read`; `Out` is the parsed type (the plain zod shape's output). `model` lists the types
 * the reader may reach: readers find types by name, so this explicit reference is what keeps a bundler from
 * dropping the modules that define them (the package is marked side-effect free).
 */
export function fastSchema<Out>(
  read: Reader,
  model: Readonly<Record<string, Shape>>,
  init?: (value: unknown, st: ReadState) => void,
): z.ZodType<Out, unknown> {
  for (const [name, shape] of Object.entries(model)) {
    if (typeEntry(name).shape !== shape)
      throw new Error(`Graph type ${name} is registered with another shape`);
  }
  return z.unknown().transform((input, ctx) => {
    const { value, state } = readRoot(read, input, init);
    if (state.issues.length > 0) {
      for (const issue of state.issues)
        ctx.addIssue({ code: "custom", message: issue.message, path: issue.path, input } as never);
      return z.NEVER;
    }
    setParseWarnings(value, state.warnings);
    return value as Out;
  }) as unknown as z.ZodType<Out, unknown>;
}

/** Sets the id that warnings of an incident (or alert) read at the root are reported with. */
export function rootId(field: "incidentId" | "alertId") {
  return (value: unknown, st: ReadState): void => {
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id === "string") st[field] = id.length > 256 ? `${id.slice(0, 256)}…` : id;
  };
}
