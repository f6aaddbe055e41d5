/**
 * Type-level tests of the SyncEngine event map: listeners get typed payloads, and an unknown event name or a
 * wrong listener signature does not compile.
 */
import type {
  CommentSyncedEvent,
  ConflictEvent,
  CycleFailedEvent,
  IncidentCreatedEvent,
  IncidentFailedEvent,
  IncidentRedirectedEvent,
  IncidentUpdatedEvent,
  SyncEngine,
  SyncReport,
  ThrottleInfo,
} from "defender-sentinel-sync";
import { describe, expectTypeOf, it } from "vitest";

declare const engine: SyncEngine;

describe("SyncEngine events", () => {
  it("hands each listener its typed payload", () => {
    engine.on("incident.created", (e) => expectTypeOf(e).toEqualTypeOf<IncidentCreatedEvent>());
    engine.on("incident.updated", (e) => expectTypeOf(e).toEqualTypeOf<IncidentUpdatedEvent>());
    engine.on("incident.redirected", (e) => expectTypeOf(e).toEqualTypeOf<IncidentRedirectedEvent>());
    engine.on("comment.synced", (e) => expectTypeOf(e).toEqualTypeOf<CommentSyncedEvent>());
    engine.on("conflict", (e) => {
      expectTypeOf(e).toEqualTypeOf<ConflictEvent>();
      expectTypeOf(e.resolution).toEqualTypeOf<"defender" | "sentinel">();
    });
    engine.on("incident.failed", (e) => {
      expectTypeOf(e).toEqualTypeOf<IncidentFailedEvent>();
      expectTypeOf(e.defenderId).toEqualTypeOf<string | undefined>();
    });
    engine.on("cycle.completed", (r) => expectTypeOf(r).toEqualTypeOf<SyncReport>());
    engine.on("cycle.failed", (e) => {
      expectTypeOf(e).toEqualTypeOf<CycleFailedEvent>();
      expectTypeOf(e.cycle).toEqualTypeOf<number | undefined>();
      expectTypeOf(e.error).toBeUnknown();
    });
    engine.on("throttled", (t) => expectTypeOf(t).toEqualTypeOf<ThrottleInfo>());
    engine.on("error", (e) => expectTypeOf(e).toBeUnknown());
  });

  it("rejects unknown event names and mismatched listeners", () => {
    // @ts-expect-error "incident.deleted" is not an event of SyncEngine
    engine.on("incident.deleted", () => {});
    // @ts-expect-error a typo of "incident.created"
    engine.once("incident.create", () => {});
    // @ts-expect-error the payload of "conflict" is a ConflictEvent, not a SyncReport
    engine.on("conflict", (r: SyncReport) => r.cycle);
    // @ts-expect-error events are emitted by the engine with their payload
    engine.emit("cycle.completed");
  });

  it("runOnce resolves with a SyncReport and start returns a closable subscription", () => {
    expectTypeOf(engine.runOnce()).resolves.toEqualTypeOf<SyncReport>();
    expectTypeOf(engine.start().close).returns.resolves.toBeVoid();
    expectTypeOf(engine.start().isRunning).toBeBoolean();
  });
});
