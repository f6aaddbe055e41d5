/**
 * A self-signed X.509 certificate made at runtime, so the loopback emulator can serve HTTPS without a
 * certificate file, an external binary or a dependency: Node can sign but has no certificate builder, so the
 * few DER structures a certificate needs are encoded here (RFC 5280), with an ECDSA P-256 key.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";

export interface SelfSignedCertificateOptions {
  /** Host names the certificate is valid for. Default `["localhost"]`. */
  dnsNames?: readonly string[];
  /** IP addresses the certificate is valid for. Default `["127.0.0.1", "::1"]`. */
  ipAddresses?: readonly string[];
  /** Days of validity from now. Default 30. */
  validForDays?: number;
  /** Subject and issuer common name. */
  commonName?: string;
}

export interface SelfSignedCertificate {
  /** The certificate, PEM: what a client trusts (`ca`). */
  certificatePem: string;
  /** Its private key, PKCS#8 PEM: what the server presents with it (`key`). */
  privateKeyPem: string;
}

const OID = {
  commonName: "2.5.4.3",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
} as const;

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const octetString = (bytes: Buffer) => tlv(0x04, bytes);
const bitString = (bytes: Buffer, unusedBits = 0) => tlv(0x03, Buffer.from([unusedBits]), bytes);
const TRUE = tlv(0x01, Buffer.from([0xff]));

/** A non-negative INTEGER from big-endian bytes (a leading 0 keeps the sign bit clear). */
function unsignedInteger(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 requires. */
function certificateTime(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const year = date.getUTCFullYear();
  return year < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii"))
    : tlv(0x18, Buffer.from(`${iso}Z`, "ascii"));
}

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(objectIdentifier(OID.commonName), tlv(0x0c, Buffer.from(commonName, "utf8")))),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [TRUE] : []), octetString(value));
}

function ipAddressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split(".").map(Number));
  if (!isIPv6(address)) throw new RangeError(`not an IP address: ${address}`);
  const [head = "", tail] = address.split("::");
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const left = groups(head);
  const right = groups(tail);
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return Buffer.from(
    [...left, ...middle, ...right].flatMap((g) => [
      Number.parseInt(g, 16) >> 8,
      Number.parseInt(g, 16) & 0xff,
    ]),
  );
}

function subjectAltName(dnsNames: readonly string[], ipAddresses: readonly string[]): Buffer {
  return sequence(
    ...dnsNames.map((dns) => tlv(0x82, Buffer.from(dns, "ascii"))),
    ...ipAddresses.map((ip) => tlv(0x87, ipAddressBytes(ip))),
  );
}

/**
 * A certificate that is its own issuer (a CA, so TLS stacks accept it as the trust anchor it is) for the
 * given names, signed with a fresh key that never leaves the process.
 */
export function createSelfSignedCertificate(
  options: SelfSignedCertificateOptions = {},
): SelfSignedCertificate {
  const dnsNames = options.dnsNames ?? ["localhost"];
  const ipAddresses = options.ipAddresses ?? ["127.0.0.1", "::1"];
  const validForDays = options.validForDays ?? 30;
  if (!(validForDays > 0)) throw new RangeError("validForDays must be positive");
  const commonName = options.commonName ?? "defender-sentinel-sync emulator";
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  // Backdated an hour so a client whose clock lags a little still accepts it.
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + validForDays * 86_400_000);
  const tbs = sequence(
    tlv(0xa0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    signatureAlgorithm,
    name(commonName),
    sequence(certificateTime(notBefore), certificateTime(notAfter)),
    name(commonName),
    publicKey.export({ type: "spki", format: "der" }),
    tlv(
      0xa3,
      sequence(
        extension(OID.basicConstraints, true, sequence(TRUE)),
        // digitalSignature (bit 0) and keyCertSign (bit 5): 0b10000100, the 2 trailing bits unused.
        extension(OID.keyUsage, true, bitString(Buffer.from([0x84]), 2)),
        extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
        extension(OID.subjectAltName, false, subjectAltName(dnsNames, ipAddresses)),
      ),
    ),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  const base64 = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  return {
    certificatePem: `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
