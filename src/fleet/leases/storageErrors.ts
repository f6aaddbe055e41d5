/**
 * Blob Storage error codes that matter for leases
 * (https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes). The storage client throws
 * a RestError whose `code` is the service's `x-ms-error-code`.
 */

/** The service's error code of a storage failure, if it answered. */
export function storageErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { code?: unknown; details?: { errorCode?: unknown } };
  if (typeof e.details?.errorCode === "string") return e.details.errorCode;
  return typeof e.code === "string" ? e.code : undefined;
}

export function storageStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Someone else holds the lease (acquire answered 409): not a failure, the lane is just not ours. */
export function isLeaseHeldElsewhere(error: unknown): boolean {
  const code = storageErrorCode(error);
  return (
    storageStatusOf(error) === 409 &&
    (code === "LeaseAlreadyPresent" || code === "LeaseIsBreakingAndCannotBeAcquired")
  );
}

/** Why a renewal was refused by the service, or undefined when it was not a lease refusal (an outage). */
export function renewalRefusal(error: unknown): "stolen" | "leaseLost" | undefined {
  if (storageStatusOf(error) !== 409 && storageStatusOf(error) !== 412) return undefined;
  switch (storageErrorCode(error)) {
    case "LeaseIsBrokenAndCannotBeRenewed":
    case "LeaseIsBreakingAndCannotBeAcquired":
      return "stolen";
    case "LeaseIdMismatchWithLeaseOperation":
    case "LeaseNotPresentWithLeaseOperation":
    case "LeaseIdMissing":
    case "LeaseLost":
      return "leaseLost";
    default:
      return undefined;
  }
}

export function isBlobAlreadyExists(error: unknown): boolean {
  return storageStatusOf(error) === 409 && storageErrorCode(error) === "BlobAlreadyExists";
}
