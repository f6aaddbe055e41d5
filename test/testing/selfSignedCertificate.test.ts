import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate } from "../../src/testing/selfSignedCertificate";

describe("createSelfSignedCertificate", () => {
  it("makes a certificate for the loopback names, signed by its own key, valid now", () => {
    const { certificatePem } = createSelfSignedCertificate();
    const certificate = new X509Certificate(certificatePem);
    expect(certificate.checkHost("localhost")).toBe("localhost");
    expect(certificate.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(certificate.checkIP("::1")).toBe("::1");
    expect(certificate.checkHost("example.com")).toBeUndefined();
    expect(certificate.checkIssued(certificate)).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.ca).toBe(true);
    expect(new Date(certificate.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it("takes other names, addresses and a validity", () => {
    const { certificatePem, privateKeyPem } = createSelfSignedCertificate({
      dnsNames: ["emulator.test"],
      ipAddresses: ["10.0.0.7", "fe80::1:2"],
      validForDays: 9000,
    });
    const certificate = new X509Certificate(certificatePem);
    expect(certificate.checkHost("emulator.test")).toBe("emulator.test");
    expect(certificate.checkHost("localhost")).toBeUndefined();
    expect(certificate.checkIP("10.0.0.7")).toBe("10.0.0.7");
    expect(certificate.checkIP("fe80::1:2")).toBe("fe80::1:2");
    // Past 2049 the validity is a GeneralizedTime; it must still parse to the right year.
    expect(new Date(certificate.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2050);
    expect(certificate.checkPrivateKey(createPrivateKey(privateKeyPem))).toBe(true);
  });

  it("makes a fresh key and serial number each time", () => {
    const a = new X509Certificate(createSelfSignedCertificate().certificatePem);
    const b = new X509Certificate(createSelfSignedCertificate().certificatePem);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.verify(b.publicKey)).toBe(false);
  });

  it("refuses a validity that is not positive", () => {
    expect(() => createSelfSignedCertificate({ validForDays: 0 })).toThrow(RangeError);
  });
});
