package dev.cmek.testing;

import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.SandboxConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** A sandbox holding many AWS clusters with the same regions, with manifests and a fleet file for them. */
public final class FleetSandboxes {
    public static final String ACCOUNT = "210987654321";
    public static final String ROLE = "arn:aws:iam::111122223333:role/crdb-cmek-role";

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
        return CloudApiSandbox.builder()
                .config(SandboxConfig.parse(config(ids, regions)))
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(transitionDelay)
                .build()
                .start();
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
