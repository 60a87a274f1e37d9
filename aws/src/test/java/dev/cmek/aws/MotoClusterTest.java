package dev.cmek.aws;

import dev.cmek.aws.testing.MotoServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.regions.Region;

/**
 * The set-up the moto-backed adapter tests share: the code under test on session credentials through the strict
 * stand-in, the test's own clients straight to moto, and requests for one cluster trusted by CockroachDB's account.
 * Each subclass registers its own {@link MotoServer} (one moto per test class) and hands it over with {@link #moto()}.
 */
abstract class MotoClusterTest {
    static final AccountId CRDB = AccountId.of("999988887777");
    static final ExternalId ORG = ExternalId.of("9b8a7c6d-0000-4000-8000-00000000abcd");

    /** What the code under test uses: session credentials through the strict proxy. */
    SdkClients clients;
    /** The test's own set-up and inspection, straight to moto ("out of band"). */
    SdkClients raw;

    AwsCmek cmek;

    /** The subclass's moto, started before its tests. */
    abstract MotoServer moto();

    @BeforeEach
    void openClients() {
        clients = moto().clients();
        raw = moto().rawClients();
        cmek = new AwsCmek(clients);
    }

    @AfterEach
    void closeClients() {
        cmek.close();
        clients.close();
        raw.close();
    }

    /** Per-region keys for {@code cluster} in {@code regions}, with a test-sized principal propagation bound. */
    static AwsCmekRequest request(ClusterId cluster, List<Region> regions) {
        return AwsCmekRequest.of(cluster, CRDB, ORG, regions).withPrincipalPropagationBound(Duration.ofSeconds(10));
    }
}
