/** `providerName` values of the Sentinel copies Microsoft's Defender XDR connector makes (lower case). */
export const CONNECTOR_PROVIDER_NAMES = ["microsoft xdr", "microsoft 365 defender", "microsoft defender xdr"];

/** A Sentinel incident made by Microsoft's Defender XDR connector (its `providerIncidentId` is the Defender id). */
export function isConnectorCopy(providerName: string | null | undefined): boolean {
  return (
    typeof providerName === "string" && CONNECTOR_PROVIDER_NAMES.includes(providerName.trim().toLowerCase())
  );
}
