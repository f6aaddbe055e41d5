import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { TokenCredential } from "@azure/core-auth";
import {
  type AnonymousCredential,
  ContainerClient,
  type StoragePipelineOptions,
  type StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { InvalidArgumentError } from "../../core/errors";
import { encodeId } from "./leaseBlobNames";

/** Blob leases last 15 to 60 seconds (https://learn.microsoft.com/rest/api/storageservices/lease-blob). */
export const MIN_LEASE_DURATION_IN_MS = 15_000;
export const MAX_LEASE_DURATION_IN_MS = 60_000;
export const DEFAULT_LEASE_DURATION_IN_MS = 30_000;

/**
 * Options of `BlobLeaseManager`: the Blob container holding one lease blob per lane (client, endpoint and credential,
 * or connection string), this instance's id, and lease timing in ms.
 */
export interface BlobLeaseManagerOptions {
  /** A ready container client; its pipeline (credential, retries) is used as it is. */
  containerClient?: ContainerClient;
  /** The Blob service endpoint (`https://<account>.blob.core.windows.net`), used with `credential`. */
  endpoint?: string;
  credential?: TokenCredential | StorageSharedKeyCredential | AnonymousCredential;
  /** Or a storage connection string. */
  connectionString?: string;
  /** The container holding lane and heartbeat blobs (created if missing). Required unless `containerClient`. */
  containerName?: string;
  /** This process's name in the fleet (default: host, pid and a random suffix). Unique per live process. */
  instanceId?: string;
  /** Lease duration, whole seconds from 15 to 60 (default 30 s). Bounds how long a dead instance's lanes wait. */
  leaseDurationInMs?: number;
  /** How often leases are renewed and the heartbeat written (default a third of the duration). */
  renewIntervalInMs?: number;
  /** A lane's signal aborts this long before its lease could expire without a renewal (default duration / 6). */
  safetyMarginInMs?: number;
  /** Each storage call is abandoned after this long (default half the renew interval, at most 10 s). */
  requestTimeoutInMs?: number;
  /**
   * Break period when taking a lane from an over-loaded instance, whole seconds from 0 to the lease duration
   * (default the lease duration, so a deposed owner that stopped renewing has passed its own deadline before
   * anyone else can acquire; a healthy owner releases at once when it sees the break).
   */
  stealBreakPeriodInMs?: number;
  /**
   * A heartbeat older than this (service clock) no longer counts its instance as live (default two renew
   * intervals). Shorter than the lease, so when a dead instance's leases lapse it no longer counts towards the
   * fair share and the survivors take all of its lanes in the next round; holders of active leases always count.
   */
  instanceExpiryInMs?: number;
  /** Storage calls in flight at once when acquiring or renewing many lanes (default 8). */
  maxConcurrentRequests?: number;
  /** Monotonic clock in ms for the local lease deadlines (default `performance.now`). */
  now?: () => number;
}

export interface ResolvedLeaseOptions {
  container: ContainerClient;
  instanceId: string;
  leaseDurationInMs: number;
  renewIntervalInMs: number;
  safetyMarginInMs: number;
  requestTimeoutInMs: number;
  stealBreakPeriodInMs: number;
  instanceExpiryInMs: number;
  maxConcurrentRequests: number;
  now: () => number;
}

export function resolveLeaseOptions(options: BlobLeaseManagerOptions): ResolvedLeaseOptions {
  const duration = options.leaseDurationInMs ?? DEFAULT_LEASE_DURATION_IN_MS;
  checkWholeSeconds("leaseDurationInMs", duration, MIN_LEASE_DURATION_IN_MS, MAX_LEASE_DURATION_IN_MS);
  const renew = options.renewIntervalInMs ?? Math.floor(duration / 3);
  const margin = options.safetyMarginInMs ?? Math.floor(duration / 6);
  const timeout = options.requestTimeoutInMs ?? Math.min(10_000, Math.floor(renew / 2));
  checkRange("renewIntervalInMs", renew, 100, duration);
  checkRange("safetyMarginInMs", margin, 0, duration);
  checkRange("requestTimeoutInMs", timeout, 100, duration);
  if (renew + timeout > duration - margin) {
    // Otherwise a renewal could still be in flight when the local deadline fires: every lane would flap.
    throw new InvalidArgumentError(
      "renewIntervalInMs",
      `renewIntervalInMs + requestTimeoutInMs (${renew + timeout}) must not exceed leaseDurationInMs - safetyMarginInMs (${duration - margin})`,
    );
  }
  const breakPeriod = options.stealBreakPeriodInMs ?? duration;
  checkWholeSeconds("stealBreakPeriodInMs", breakPeriod, 0, duration);
  const expiry = options.instanceExpiryInMs ?? 2 * renew;
  checkRange("instanceExpiryInMs", expiry, renew, Number.MAX_SAFE_INTEGER);
  const concurrency = options.maxConcurrentRequests ?? 8;
  checkRange("maxConcurrentRequests", concurrency, 1, 100);
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  encodeId("instanceId", instanceId);
  return {
    container: containerOf(options, timeout),
    instanceId,
    leaseDurationInMs: duration,
    renewIntervalInMs: renew,
    safetyMarginInMs: margin,
    requestTimeoutInMs: timeout,
    stealBreakPeriodInMs: breakPeriod,
    instanceExpiryInMs: expiry,
    maxConcurrentRequests: concurrency,
    now: options.now ?? (() => performance.now()),
  };
}

function containerOf(options: BlobLeaseManagerOptions, timeoutInMs: number): ContainerClient {
  if (options.containerClient) return options.containerClient;
  const name = options.containerName;
  if (!name || !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
    // https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
    throw new InvalidArgumentError(
      "containerName",
      `${JSON.stringify(name)} is not a container name (3-63 lower-case letters, digits and single hyphens)`,
    );
  }
  // Fail fast: a lease call that retries for minutes is worse than one that fails and is retried next round.
  const pipeline: StoragePipelineOptions = {
    retryOptions: { maxTries: 3, tryTimeoutInMs: timeoutInMs, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 },
  };
  if (options.connectionString) return new ContainerClient(options.connectionString, name, pipeline);
  if (options.endpoint) {
    const base = options.endpoint.replace(/\/+$/, "");
    return new ContainerClient(`${base}/${name}`, options.credential, pipeline);
  }
  throw new InvalidArgumentError(
    "options",
    "give containerClient, connectionString, or endpoint with credential",
  );
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `${value} is outside ${min}..${max}`);
  }
}

function checkWholeSeconds(name: string, value: number, min: number, max: number): void {
  checkRange(name, value, min, max);
  if (value % 1000 !== 0) throw new InvalidArgumentError(name, `${value} is not a whole number of seconds`);
}
