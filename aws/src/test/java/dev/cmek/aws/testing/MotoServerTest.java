package dev.cmek.aws.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.SdkClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

class MotoServerTest {
    @Test
    void missingBinary_failsWithAnActionableMessage() {
        MotoServer moto = MotoServer.create("/nonexistent/moto_server");
        IllegalStateException e = assertThrows(IllegalStateException.class, moto::launch);
        assertTrue(e.getMessage().contains("MOTO_SERVER"), e.getMessage());
    }

    @Test
    void binaryThatExitsAtOnce_failsAndShowsItsOutput() {
        MotoServer moto = MotoServer.create("/bin/false");
        IllegalStateException e = assertThrows(IllegalStateException.class, moto::launch);
        assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
    }

    @Test
    void startAndStop_outsideJUnit() {
        try (MotoServer moto = MotoServer.start()) {
            moto.reset();
            assertTrue(moto.endpoint().toString().startsWith("http://127.0.0.1:"));
        }
    }

    /** moto answers every alias and key at once; KMS pages them, and so does the stand-in (StrictAws#page). */
    @Test
    void theStandIn_pagesListingsAsKmsDoes() {
        try (MotoServer moto = MotoServer.start();
                SdkClients raw = moto.rawClients();
                SdkClients clients = moto.clients()) {
            moto.reset();
            KmsClient direct = raw.kms(Region.US_EAST_1);
            for (int i = 0; i < 120; i++) {
                String id = direct.createKey(b -> b.description("paged"))
                        .keyMetadata()
                        .keyId();
                int n = i;
                direct.createAlias(b -> b.aliasName("alias/paged-" + n).targetKeyId(id));
            }
            KmsClient kms = clients.kms(Region.US_EAST_1);

            var first = kms.listAliases(b -> b.limit(100));
            assertEquals(100, first.aliases().size());
            assertTrue(first.truncated());
            // An alias made between two pages, named before the marker, neither shifts nor repeats the rest.
            String early = direct.createKey(b -> b.description("between pages"))
                    .keyMetadata()
                    .keyId();
            direct.createAlias(b -> b.aliasName("alias/aaa-between-pages").targetKeyId(early));
            var rest = kms.listAliases(b -> b.limit(100).marker(first.nextMarker()));
            assertFalse(rest.truncated());
            assertNull(rest.nextMarker());
            List<String> ours = java.util.stream.Stream.concat(first.aliases().stream(), rest.aliases().stream())
                    .map(a -> a.aliasName())
                    .filter(a -> a.startsWith("alias/paged-"))
                    .toList();
            assertEquals(120, ours.size(), "every alias once");
            assertEquals(120, new java.util.HashSet<>(ours).size(), "every alias once");
            List<String> everyName = java.util.stream.Stream.concat(first.aliases().stream(), rest.aliases().stream())
                    .map(a -> a.aliasName())
                    .toList();
            assertEquals(everyName.size(), new java.util.HashSet<>(everyName).size(), "none twice: " + everyName);
            assertEquals(50, kms.listAliases().aliases().size(), "ListAliases answers 50 by default");

            var keys = kms.listKeys();
            assertEquals(100, keys.keys().size(), "ListKeys answers 100 by default");
            assertTrue(keys.truncated());
            assertEquals(
                    21, kms.listKeys(b -> b.marker(keys.nextMarker())).keys().size(), "the 121 keys' rest");
            assertEquals(
                    121,
                    kms.listKeysPaginator(b -> b.limit(1000)).keys().stream().count());

            KmsException tooMany = assertThrows(KmsException.class, () -> kms.listAliases(b -> b.limit(101)));
            assertEquals("ValidationException", tooMany.awsErrorDetails().errorCode());
            KmsException foreign = assertThrows(KmsException.class, () -> kms.listKeys(b -> b.marker("not-ours")));
            assertEquals("InvalidMarkerException", foreign.awsErrorDetails().errorCode());
        }
    }

    @Test
    void motoStartsWithTheSiteCustomization() throws Exception {
        Path site = MotoServer.siteCustomization();
        String code = Files.readString(site.resolve("sitecustomize.py"));
        assertTrue(code.contains("_kms_models.generate_private_key = _generate_private_key"), code);
        assertTrue(code.contains(MotoServer.LAZY_KEYS_MARKER), code);
        assertEquals(site.toString(), MotoServer.pythonPath(site, null));
        assertEquals(site + java.io.File.pathSeparator + "/x", MotoServer.pythonPath(site, "/x"));
    }

    /** A moto_server that answers without the customization (another Python, another wrapper) is refused. */
    @Test
    void aMotoWithoutTheCustomization_isRefused(@TempDir Path dir) throws Exception {
        Path bare = dir.resolve("bare-moto");
        Files.writeString(bare, "#!/bin/sh\nunset PYTHONPATH\nexec " + MotoServer.binary() + " \"$@\"\n");
        assertTrue(bare.toFile().setExecutable(true));
        MotoServer moto = MotoServer.create(bare.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, moto::launch);
        assertTrue(e.getMessage().contains("without loading moto_sitecustomize.py"), e.getMessage());
    }

    /**
     * The stand-in's added latency is a round trip that every answer pays, the stand-in's own refusals too (a new
     * key's NotFound here), as every answer from AWS crosses the network; its timeline records both calls. Lower
     * bounds only: the assertions hold on a machine of any speed.
     */
    @Test
    void addedLatency_isPaidByRefusalsToo_andTheTimelineRecordsEveryCall() {
        try (MotoServer moto = MotoServer.start();
                SdkClients clients = moto.clients()) {
            Duration latency = Duration.ofMillis(100); // less than the new-key window (300 ms): the read is refused
            moto.strict().latency(latency).record();
            KmsClient kms = clients.kms(Region.US_EAST_1);

            long t0 = System.nanoTime();
            String key = kms.createKey(b -> b.description("new")).keyMetadata().keyId();
            long created = System.nanoTime();
            KmsException young = assertThrows(
                    KmsException.class, () -> kms.getKeyPolicy(b -> b.keyId(key).policyName("default")));
            long refused = System.nanoTime();

            assertEquals("NotFoundException", young.awsErrorDetails().errorCode());
            assertTrue(Duration.ofNanos(created - t0).compareTo(latency) >= 0, "a success pays the latency");
            assertTrue(Duration.ofNanos(refused - created).compareTo(latency) >= 0, "a refusal pays it too");
            List<StrictAws.Event> timeline = moto.strict().timeline().stream()
                    .filter(e -> e.where().startsWith("kms"))
                    .toList();
            assertEquals(
                    List.of("CreateKey", "GetKeyPolicy"),
                    timeline.stream().map(StrictAws.Event::operation).toList());
            assertEquals(
                    List.of(200, 400),
                    timeline.stream().map(StrictAws.Event::status).toList());
            assertTrue(timeline.get(0).upstream() > 0, "moto answered the CreateKey");
            assertEquals(0, timeline.get(1).upstream(), "the stand-in answered the NotFound itself");
            for (StrictAws.Event e : timeline) {
                assertTrue(Duration.ofNanos(e.answered() - e.arrived()).compareTo(latency) >= 0, e::toString);
            }
        }
    }

    /**
     * The lazy key pair changes no answer: symmetric keys encrypt and decrypt, an asymmetric key signs and verifies
     * with its own pair, an invalid asymmetric key spec is still refused at CreateKey, and a replica is made.
     */
    @Test
    void lazyKeyPairs_answerAsMotoDid() {
        try (MotoServer moto = MotoServer.start();
                SdkClients raw = moto.rawClients()) {
            KmsClient kms = raw.kms(Region.US_EAST_1);
            String symmetric =
                    kms.createKey(b -> b.description("symmetric")).keyMetadata().keyId();
            SdkBytes plain = SdkBytes.fromString("secret", StandardCharsets.UTF_8);
            SdkBytes blob =
                    kms.encrypt(b -> b.keyId(symmetric).plaintext(plain)).ciphertextBlob();
            assertArrayEquals(
                    plain.asByteArray(),
                    kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext().asByteArray());

            String rsa = kms.createKey(b -> b.keySpec("RSA_2048").keyUsage("SIGN_VERIFY"))
                    .keyMetadata()
                    .keyId();
            SdkBytes message = SdkBytes.fromString("message", StandardCharsets.UTF_8);
            SdkBytes signature = kms.sign(b ->
                            b.keyId(rsa).message(message).signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_256))
                    .signature();
            assertTrue(kms.verify(b -> b.keyId(rsa)
                            .message(message)
                            .signature(signature)
                            .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_256))
                    .signatureValid());

            KmsException bogus = assertThrows(
                    KmsException.class,
                    () -> kms.createKey(b -> b.keySpec("ECC_BOGUS").keyUsage("SIGN_VERIFY")));
            assertEquals("ValidationException", bogus.awsErrorDetails().errorCode());

            String primary =
                    kms.createKey(b -> b.multiRegion(true)).keyMetadata().keyId();
            String replica = kms.replicateKey(b -> b.keyId(primary).replicaRegion("eu-west-1"))
                    .replicaKeyMetadata()
                    .arn();
            assertTrue(replica.startsWith("arn:aws:kms:eu-west-1:"), replica);
        }
    }
}
