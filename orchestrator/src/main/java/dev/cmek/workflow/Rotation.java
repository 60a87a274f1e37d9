package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.model.KeySpec;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Key rotation driven from the cloud side. A new version keeps the URI, so CockroachDB must be told with the same
 * spec again; a new key gets its grant before CockroachDB is pointed at it, and the old key keeps its grant.
 */
public final class Rotation {

    public enum Kind {
        NEW_KEY,
        NEW_VERSION
    }

    private final CloudApi api;
    private final Provisioning provisioning;
    private final CmekLifecycle lifecycle;
    private final Consumer<String> progress;

    public Rotation(CloudApi api, Provisioning provisioning, CmekLifecycle lifecycle, Consumer<String> progress) {
        this.api = api;
        this.provisioning = provisioning;
        this.lifecycle = lifecycle;
        this.progress = progress;
    }

    /** The live key specs that would be rotated; changes nothing. */
    public Manifest preview(String clusterId, List<String> regions) {
        return new Manifest(chosen(clusterId, regions).live().entrySet().stream()
                .map(e -> new RegionSpec(e.getKey(), e.getValue()))
                .toList());
    }

    public CmekLifecycle.Outcome rotate(String clusterId, Kind kind, List<String> regions, Optional<Duration> waitFor) {
        Chosen chosen = chosen(clusterId, regions);
        CloudKeys keys = provisioning.keys(chosen.target().cloud());
        Manifest submit;
        if (kind == Kind.NEW_VERSION) {
            Map<KeySpec, KeySpec> rotated = new LinkedHashMap<>();
            for (KeySpec spec : new LinkedHashSet<>(chosen.live().values())) {
                KeySpec now = keys.rotateKeyMaterial(spec);
                // Azure names the version in the URI: say which one CockroachDB will be told.
                progress.accept("new key material in " + spec.uri()
                        + (now.uri().equals(spec.uri()) ? "" : ": the new version is " + now.uri()));
                rotated.put(spec, now);
            }
            submit = new Manifest(chosen.live().entrySet().stream()
                    .map(e -> new RegionSpec(e.getKey(), rotated.get(e.getValue())))
                    .toList());
        } else {
            int current = chosen.live().values().stream()
                    .mapToInt(spec -> Math.max(1, keys.generationOf(chosen.target(), spec)))
                    .max()
                    .orElse(1);
            int next = current + 1;
            List<String> names = List.copyOf(chosen.live().keySet());
            progress.accept(
                    "provisioning generation " + next + " keys with their grants for " + String.join(", ", names));
            CloudKeys.ProvisionReport made = keys.provisionNewKeys(chosen.target(), names, next);
            submit = made.manifest().orElseThrow(() -> new IllegalStateException("new keys without an ARN"));
            chosen.live()
                    .forEach((region, old) -> progress.accept("  " + region + ": old key " + old.uri()
                            + " keeps its grant; remove it once the KMS logs show no more use of it"));
        }
        return lifecycle.rotate(clusterId, submit, waitFor);
    }

    private record Chosen(ClusterTarget target, Map<String, KeySpec> live) {}

    private Chosen chosen(String clusterId, List<String> regions) {
        ClusterTarget target = provisioning.eligibleTarget(clusterId);
        CmekClusterInfo status = CmekLifecycle.statusOrDisabled(api, clusterId);
        if (status.status() != CmekStatus.ENABLED) {
            throw new CmekException.InvalidInput(
                    "cluster " + clusterId + " CMEK status is " + status.status() + "; rotate needs ENABLED");
        }
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(status);
        List<String> wanted = regions.isEmpty() ? target.regions() : regions;
        List<String> unknown = new ArrayList<>();
        Map<String, KeySpec> chosen = new LinkedHashMap<>();
        for (String region : wanted) {
            KeySpec spec = live.get(region);
            if (spec == null) {
                unknown.add(region);
            } else {
                chosen.put(region, spec);
            }
        }
        if (!unknown.isEmpty()) {
            throw new CmekException.InvalidInput("cluster " + clusterId + " has no CMEK region "
                    + String.join(", ", unknown) + " (its regions: " + String.join(", ", live.keySet()) + ")");
        }
        return new Chosen(target, chosen);
    }
}
