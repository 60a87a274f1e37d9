package dev.cmek.azure.emulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A CA generated at start and one server certificate it signs, whose SANs cover every host the emulator answers for;
 * written with {@link Der} and signed with SHA256withRSA, then parsed back by {@link CertificateFactory}.
 */
final class TlsMaterial {
    /** Every name a client may reach the emulator by: the Azure hosts it stands in for, and its own address. */
    static final List<String> DNS_NAMES = List.of(
            "*.vault.azure.net",
            "management.azure.com",
            "graph.microsoft.com",
            "login.microsoftonline.com",
            "localhost");

    static final List<String> IP_ADDRESSES = List.of("127.0.0.1");

    private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";

    final X509Certificate ca;
    final X509Certificate server;
    final SSLContext sslContext;

    private TlsMaterial(X509Certificate ca, X509Certificate server, SSLContext sslContext) {
        this.ca = ca;
        this.server = server;
        this.sslContext = sslContext;
    }

    /**
     * A new CA and server certificate on two RSA pairs of {@code bits} from {@code keys}. The CA's name is this
     * instance's own, so a client given another emulator's CA never accepts this one's server, even when a recycled pair
     * recurs.
     */
    static TlsMaterial generate(KeyPairPool keys, int bits) {
        return generate(keys.take(bits), keys.take(bits));
    }

    static TlsMaterial generate(KeyPair caKeys, KeyPair serverKeys) {
        try {
            ZonedDateTime now = ZonedDateTime.now();
            byte[] caName = name("CMEK toolkit Azure emulator CA " + UUID.randomUUID());
            byte[] caKeyId = keyId(caKeys);
            X509Certificate ca = sign(
                    caName,
                    caName,
                    caKeys,
                    caKeys.getPrivate(),
                    now,
                    List.of(
                            extension("2.5.29.19", true, Der.sequence(Der.bool(true))),
                            // keyCertSign and cRLSign (bits 5 and 6).
                            extension("2.5.29.15", true, Der.bits(new byte[] {0x06}, 1)),
                            extension("2.5.29.14", false, Der.octets(caKeyId))));
            List<byte[]> altNames = new ArrayList<>();
            for (String dns : DNS_NAMES) {
                altNames.add(Der.tagged(2, false, dns.getBytes(StandardCharsets.US_ASCII)));
            }
            for (String ip : IP_ADDRESSES) {
                altNames.add(Der.tagged(7, false, InetAddress.getByName(ip).getAddress()));
            }
            X509Certificate server = sign(
                    name("management.azure.com"),
                    caName,
                    serverKeys,
                    caKeys.getPrivate(),
                    now,
                    List.of(
                            extension("2.5.29.19", true, Der.sequence()),
                            // digitalSignature and keyEncipherment (bits 0 and 2).
                            extension("2.5.29.15", true, Der.bits(new byte[] {(byte) 0xA0}, 5)),
                            extension("2.5.29.37", false, Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"))),
                            extension("2.5.29.17", false, Der.sequence(altNames.toArray(byte[][]::new))),
                            extension("2.5.29.35", false, Der.sequence(Der.tagged(0, false, caKeyId)))));
            server.verify(ca.getPublicKey());

            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] password = "emulator".toCharArray();
            ks.setKeyEntry("server", serverKeys.getPrivate(), password, new X509Certificate[] {server, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, new SecureRandom());
            return new TlsMaterial(ca, server, ssl);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Could not generate the emulator's certificates", e);
        }
    }

    /** Writes the CA as PEM, readable by its owner only (the private key never leaves memory). */
    Path writeCa(Path file) {
        try {
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(ca.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            Files.deleteIfExists(file);
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the emulator's CA to " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not encode the emulator's CA", e);
        }
    }

    private static byte[] name(String commonName) {
        return Der.sequence(Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8(commonName))));
    }

    private static byte[] keyId(KeyPair keys) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-1").digest(keys.getPublic().getEncoded());
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octets(value))
                : Der.sequence(Der.oid(oid), Der.octets(value));
    }

    private static X509Certificate sign(
            byte[] subject,
            byte[] issuer,
            KeyPair subjectKeys,
            PrivateKey issuerKey,
            ZonedDateTime now,
            List<byte[]> extensions)
            throws GeneralSecurityException {
        byte[] algorithm = Der.sequence(Der.oid(SHA256_WITH_RSA), Der.nul());
        byte[] tbs = Der.sequence(
                Der.tagged(0, true, Der.integer(BigInteger.TWO)),
                Der.integer(new BigInteger(64, new SecureRandom()).add(BigInteger.ONE)),
                algorithm,
                issuer,
                Der.sequence(Der.time(now.minusHours(1)), Der.time(now.plusYears(1))),
                subject,
                subjectKeys.getPublic().getEncoded(),
                Der.tagged(3, true, Der.sequence(extensions.toArray(byte[][]::new))));
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(issuerKey);
        signer.update(tbs);
        byte[] cert = Der.sequence(tbs, algorithm, Der.bits(signer.sign(), 0));
        return (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(cert));
    }
}
