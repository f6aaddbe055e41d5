/**
 * `npm run demo`: the unified flag runs three customer lanes into one MSSP workspace and exits 0 only when
 * every customer incident was linked and the scripted changes crossed; the plain demo keeps its output.
 * The npm script runs as a user would (a child process, stdout a pipe, so plain lines).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runClassicDemo } from "../../examples/demo/classic";
import { runUnifiedDemo } from "../../examples/demo/unified";

const root = path.resolve(__dirname, "../..");

function npmDemo(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "demo", "--", ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe("npm run demo -- --unified", () => {
  it("links every customer incident, the customer's incident follows the MSSP close, exit 0, plain lines", {
    timeout: 60_000,
  }, async () => {
    const run = await npmDemo(["--unified"]);
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain("✓ Every customer incident was linked: 18 of 18");
    expect(out).toContain("✓ The customer's incident followed the MSSP close");
    expect(out).toMatch(/Contoso #\d+ \(customer tenant\): status resolved, truePositive\/malware/);
    expect(out).toContain("✓ The customer's comment reached the MSSP");
    // Every incident reported pending was later linked, with its time pending in emulated minutes.
    const pending = new Set([...out.matchAll(/(\w+)\s+⧗ #(\d+) pending/g)].map((m) => `${m[1]}#${m[2]}`));
    const linked = new Set(
      [...out.matchAll(/(\w+)\s+⇄ #(\d+) linked to MSSP incident #\d+ after \d+ min pending/g)].map(
        (m) => `${m[1]}#${m[2]}`,
      ),
    );
    expect(pending.size).toBe(18);
    expect(linked).toEqual(pending);
    // Both directions during the scenario: MSSP → customer (close, owner) and customer → MSSP (severity, comment).
    expect(out).toMatch(/MSSP → Contoso: status: new → closed/);
    expect(out).toMatch(/✎ comment Fabrikam → MSSP/);
    expect(out).toMatch(/Northwind → MSSP: severity: \w+ → high/);
    // Summary: one relay row per source alert, one MSSP incident per source incident, no failure.
    expect(out).toMatch(/│ Total\s+│\s+18 │\s+18 │\s+\d+ │\s+1\.00 │\s+\d+ │\s+\d+ │\s+0 │/);
    // Not a terminal: no colour codes, no carriage-return rewrites.
    expect(out).not.toMatch(/\u001b\[|\r/);
  });

  it("refuses --faults with a message and exit code 2", { timeout: 60_000 }, async () => {
    const run = await npmDemo(["--unified", "--faults"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--faults is not available with --unified");
    expect(run.stdout).toBe("");
  });
});

describe("runUnifiedDemo", () => {
  it("reports its outcome and colours a terminal's lines; steady state writes nothing", async () => {
    const lines: string[] = [];
    const result = await runUnifiedDemo({ seed: 7, incidents: 5, out: (l = "") => lines.push(l), tty: true });
    expect(result).toEqual({
      exitCode: 0,
      sourceIncidents: 15,
      linked: 15,
      followedClose: true,
      commentReached: true,
    });
    expect(lines.some((l) => l.includes("\u001b[36mContoso"))).toBe(true);
    expect(lines.find((l) => l.startsWith("Steady state"))).toMatch(
      /^Steady state \(nothing changed\): 0 writes/,
    );
  });
});

describe("npm run demo (classic)", () => {
  it("keeps its output: backfill, steady state, the scripted scenario and the summary table", {
    timeout: 60_000,
  }, async () => {
    const run = await npmDemo(["--incidents", "20"]);
    expect(run.code).toBe(0);
    const out = run.stdout.replace(/\r/g, "\n");
    expect(out).toMatch(/^Emulator listening: Graph http:\/\/127\.0\.0\.1:\d+\/v1\.0 · ARM /);
    expect(out).toMatch(/Backfill done in [\d.]+ s: 20 Sentinel incidents created/);
    expect(out).toContain("Steady state (nothing changed): 0 writes");
    expect(out).toContain("Scripted scenario:");
    expect(out).toMatch(/│ Defender incidents\s+│\s+20 │/);
    expect(out).toMatch(/│ Failures\s+│\s+0 │/);
    expect(out).not.toContain("Injected faults");
  });

  it("says why a mapping happened, in plain lines when stdout is not a terminal", {
    timeout: 60_000,
  }, async () => {
    const run = await npmDemo(["--incidents", "20"]);
    expect(run.code).toBe(0);
    // A pipe: no colour or cursor codes, no progress line rewritten with carriage returns.
    expect(run.stdout).not.toMatch(/\u001b|\r/);
    const lines = run.stdout.split("\n");
    const close = lines.findIndex((l) =>
      /~ sentinel-to-defender #\d+: .*classification: \w+ → benignPositive/.test(l),
    );
    expect(close).toBeGreaterThan(0);
    expect(lines[close + 1]).toMatch(
      /^\s+why: .*Sentinel BenignPositive is Defender informationalExpectedActivity/,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/why: a merged \(redirected\) Defender incident closes/),
    );
  });

  it("under --faults counts the injected faults and the clients' retries", { timeout: 60_000 }, async () => {
    const run = await npmDemo(["--incidents", "20", "--faults"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Fault injection on:");
    const m = run.stdout.match(
      /Injected faults: (\d+) \(Graph (\d+), ARM (\d+)\); retries: (\d+) \(Graph (\d+), ARM (\d+)\); incidents failed after retries: (\d+)/,
    );
    expect(m).not.toBeNull();
    const [faults, graphFaults, armFaults, retries, graphRetries, armRetries] = m!.slice(1, 7).map(Number);
    expect(faults).toBeGreaterThan(0);
    expect(faults).toBe(graphFaults! + armFaults!);
    expect(retries).toBe(graphRetries! + armRetries!);
    // Every retry answers a fault (the emulator does not throttle at this size), and most faults are retried.
    expect(retries).toBeGreaterThan(0);
    expect(retries).toBeLessThanOrEqual(faults!);
    expect(run.stdout).not.toMatch(/\u001b|\r/);
  });
});

describe("runClassicDemo", () => {
  it("rewrites one progress line only on a terminal", { timeout: 60_000 }, async () => {
    const writes: string[] = [];
    const write = process.stdout.write;
    const lines: string[] = [];
    process.stdout.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      await runClassicDemo({
        incidents: 10,
        seed: 7,
        faults: false,
        out: (l = "") => lines.push(l),
        tty: false,
      });
      expect(writes.join("")).toBe("");
      await runClassicDemo({
        incidents: 10,
        seed: 7,
        faults: false,
        out: (l = "") => lines.push(l),
        tty: true,
      });
      expect(writes.join("")).toMatch(/^\rBackfill: \d+\/10 Defender incidents processed/);
    } finally {
      process.stdout.write = write;
    }
    expect(lines.join("\n")).not.toMatch(/\u001b|\r/);
  });
});
