package dev.cmek.testing;

import dev.cmek.model.CloudProvider;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.SandboxConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Sandboxes holding many clusters: a fleet of AWS clusters with the same regions (with manifests and a fleet file for
 * them), or a generated organization mixing clouds, plans, states and CMEK (see {@link #organization}).
 */
public final class FleetSandboxes {
    public static final String ACCOUNT = "210987654321";
    public static final String ROLE = "arn:aws:iam::111122223333:role/crdb-cmek-role";
    /** The customer accounts (AWS) and projects (GCP) holding a generated organization's keys, alternately. */
    public static final List<String> KEY_ACCOUNTS_AWS = List.of("111122223333", "444455556666");

    public static final List<String> KEY_PROJECTS_GCP = List.of("customer-proj", "partner-proj");
    private static final List<String> AWS_REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1");
    private static final List<String> GCP_REGIONS = List.of("us-central1", "us-east1", "europe-west1");
    private static final Instant FIRST_CREATED = Instant.parse("2024-01-01T00:00:00Z");

    /**
     * One cluster of a generated organization and what a test needs to know about it.
     *
     * @param keyAccount the AWS account or GCP project holding its CMEK keys; empty when CMEK is not enabled
     */
    public record GeneratedCluster(
            String id,
            String name,
            CloudProvider cloud,
            String plan,
            String state,
            List<String> regions,
            Optional<String> keyAccount) {

        /** Listed without {@code show_inactive}: neither DELETED nor CREATION_FAILED. */
        public boolean active() {
            return !state.equals("DELETED") && !state.equals("CREATION_FAILED");
        }

        public boolean cmekEnabled() {
            return keyAccount.isPresent();
        }

        /** The key specs CMEK uses, as the body of an enable ({@code {"region_specs": [...]}}); needs CMEK enabled. */
        public String regionSpecsJson() {
            String account = keyAccount.orElseThrow(() -> new IllegalStateException(id + " has no CMEK"));
            String shortId = id.substring(0, 8) + "-" + id.substring(24);
            String specs = regions.stream()
                    .map(r -> cloud == CloudProvider.AWS
                            ? spec(
                                    r,
                                    "AWS_KMS",
                                    "arn:aws:kms:" + r + ":" + account + ":key/" + id,
                                    "arn:aws:iam::" + account + ":role/crdb-cmek-" + shortId)
                            : spec(
                                    r,
                                    "GCP_CLOUD_KMS",
                                    "projects/" + account + "/locations/" + r
                                            + "/keyRings/crdb-cmek/cryptoKeys/crdb-cmek-" + id.substring(24),
                                    "crdb-cmek-" + id.substring(24) + "@" + account + ".iam.gserviceaccount.com"))
                    .collect(Collectors.joining(", "));
            return "{\"region_specs\": [" + specs + "]}";
        }

        private static String spec(String region, String type, String uri, String principal) {
            return """
                    {"region": "%s", "key_spec": {"type": "%s", "uri": "%s", "auth_principal": "%s"}}""".formatted(region, type, uri, principal);
        }

        /** The cluster in the API's shape, with the sandbox's {@code cmek} seed when CMEK is enabled. */
        String json() {
            Instant created = FIRST_CREATED.plus(Duration.ofHours(Long.parseLong(id.substring(24))));
            String regionJson = regions.stream()
                    .map(r -> "{\"name\": \"" + r + "\", \"node_count\": 3}")
                    .collect(Collectors.joining(", "));
            return """
                    {"id": "%s", "name": "%s", "cloud_provider": "%s", "account_id": "%s", "plan": "%s", "state": "%s",
                     "network_visibility": "PRIVATE", "created_at": "%s", %s"regions": [%s]%s}""".formatted(
                    id,
                    name,
                    cloud,
                    cloud == CloudProvider.AWS ? ACCOUNT : "crl-prod-" + id.substring(28),
                    plan,
                    state,
                    created,
                    state.equals("DELETED") ? "\"deleted_at\": \"" + created.plus(Duration.ofDays(30)) + "\", " : "",
                    regionJson,
                    cmekEnabled() ? ", \"cmek\": " + regionSpecsJson() : "");
        }
    }

    private FleetSandboxes() {}

    /** A deterministic cluster id for the i-th cluster. */
    public static String clusterId(int i) {
        return String.format("00000000-0000-4000-8000-%012d", i);
    }

    public static List<String> clusterIds(int count) {
        return IntStream.range(0, count).mapToObj(FleetSandboxes::clusterId).toList();
    }

    /** The sandbox config: Sandboxes' organization and {@code ids} as ADVANCED AWS clusters in {@code regions}. */
    public static String config(List<String> ids, List<String> regions) {
        String regionJson = regions.stream()
                .map(r -> "{\"name\": \"" + r + "\", \"node_count\": 3}")
                .collect(Collectors.joining(", "));
        String clusters = ids.stream()
                .map(id -> """
                {"id": "%s", "name": "c-%s", "cloud_provider": "AWS", "account_id": "%s", "plan": "ADVANCED",
                 "state": "CREATED", "network_visibility": "PRIVATE", "regions": [%s]}""".formatted(id, id.substring(24), ACCOUNT, regionJson))
                .collect(Collectors.joining(",\n"));
        return "{\"organization\": {\"id\": \"" + Sandboxes.ORG_ID + "\", \"name\": \"acme\"}, \"clusters\": ["
                + clusters + "]}";
    }

    /** Started with the real 10 requests/s limit. */
    public static CloudApiSandbox start(List<String> ids, List<String> regions, Duration transitionDelay) {
        return started(config(ids, regions), transitionDelay);
    }

    private static CloudApiSandbox started(String config, Duration transitionDelay) {
        return CloudApiSandbox.builder()
                .config(SandboxConfig.parse(config))
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(transitionDelay)
                .build()
                .start();
    }

    /**
     * An organization of {@code count} clusters ({@link #clusterId ids} 0..count-1, names {@code c-0000}.. in the same
     * order, created an hour apart) mixing, by index {@code i}: AWS when even, GCP when odd; STANDARD when
     * {@code i % 7 == 6}, else ADVANCED; CREATION_FAILED when {@code i % 10 == 8}, DELETED when {@code i % 10 == 9},
     * else CREATED; CMEK ENABLED on the ADVANCED, CREATED ones unless {@code i % 3 == 2}, with keys in
     * {@link #KEY_ACCOUNTS_AWS} / {@link #KEY_PROJECTS_GCP} alternately (by {@code (i / 2) % 2}).
     *
     * @param regionsPerCluster 1 to 3 regions of the cluster's cloud
     */
    public static List<GeneratedCluster> organization(int count, int regionsPerCluster) {
        return IntStream.range(0, count)
                .mapToObj(i -> {
                    CloudProvider cloud = i % 2 == 0 ? CloudProvider.AWS : CloudProvider.GCP;
                    String plan = i % 7 == 6 ? "STANDARD" : "ADVANCED";
                    String state = i % 10 == 8 ? "CREATION_FAILED" : i % 10 == 9 ? "DELETED" : "CREATED";
                    boolean cmek = plan.equals("ADVANCED") && state.equals("CREATED") && i % 3 != 2;
                    List<String> accounts = cloud == CloudProvider.AWS ? KEY_ACCOUNTS_AWS : KEY_PROJECTS_GCP;
                    return new GeneratedCluster(
                            clusterId(i),
                            String.format("c-%04d", i),
                            cloud,
                            plan,
                            state,
                            (cloud == CloudProvider.AWS ? AWS_REGIONS : GCP_REGIONS).subList(0, regionsPerCluster),
                            cmek ? Optional.of(accounts.get((i / 2) % 2)) : Optional.empty());
                })
                .toList();
    }

    /** The sandbox config of a generated organization. */
    public static String organizationConfig(List<GeneratedCluster> clusters) {
        return "{\"organization\": {\"id\": \"" + Sandboxes.ORG_ID + "\", \"name\": \"acme\"}, \"clusters\": ["
                + clusters.stream().map(GeneratedCluster::json).collect(Collectors.joining(",\n")) + "]}";
    }

    /** A generated organization, started with the real 10 requests/s limit and the assumed page sizes. */
    public static CloudApiSandbox startOrganization(List<GeneratedCluster> clusters, Duration transitionDelay) {
        return started(organizationConfig(clusters), transitionDelay);
    }

    /** A manifest with a key in every region, all trusting one role. */
    public static String manifest(List<String> regions) {
        String specs = regions.stream().map(r -> """
                {"region": "%s", "key_spec": {"type": "AWS_KMS", "uri": "arn:aws:kms:%s:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                 "auth_principal": "%s"}}""".formatted(r, r, ROLE)).collect(Collectors.joining(", "));
        return "{\"region_specs\": [" + specs + "]}";
    }

    /** Writes {@code cmek_config.json} for {@code regions} and a fleet file naming it for every cluster; answers the fleet file. */
    public static Path writeFleet(Path dir, List<String> ids, List<String> regions) {
        try {
            Files.writeString(dir.resolve("cmek_config.json"), manifest(regions));
            String entries = ids.stream()
                    .map(id -> "{\"id\": \"" + id + "\", \"manifest\": \"cmek_config.json\"}")
                    .collect(Collectors.joining(",\n  "));
            return Files.writeString(dir.resolve("fleet.json"), "{\"clusters\": [\n  " + entries + "\n]}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
