package dev.cmek.aws;

import dev.cmek.core.Parallel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyListEntry;

/**
 * Every key of one Region tagged as ours for a cluster, whatever its generation, whether a replica, and whether any
 * alias or manifest still names it (an old generation, an orphan of an interrupted run): the keys a revocation must
 * take the grant from. Asked of the Resource Groups Tagging API in one call per page ({@link TaggedKeys}); where that
 * cannot answer, our aliases plus the tags of every unaliased key, a few at a time.
 */
final class TaggedClusterKeys {
    private final AwsClients clients;
    private final Region region;
    private final ResourceNames names;
    private final RegionalKeys keys;

    TaggedClusterKeys(AwsClients clients, Region region, ResourceNames names, RegionalKeys keys) {
        this.clients = clients;
        this.region = region;
        this.names = names;
        this.keys = keys;
    }

    Set<KeyArn> find() {
        Optional<Map<KeyArn, Map<String, String>>> tagged = clients.tagging(region)
                .flatMap(
                        t -> t.find(ResourceNames.CLUSTER_TAG, names.clusterId().value()));
        if (tagged.isPresent()) {
            Set<KeyArn> out = new LinkedHashSet<>();
            tagged.get().forEach((arn, tags) -> {
                if (names.isOurs(tags)) {
                    out.add(arn);
                }
            });
            return out;
        }
        return scan();
    }

    private Set<KeyArn> scan() {
        Set<KeyArn> out = new LinkedHashSet<>(keys.ourAliases().values());
        KmsClient kms = clients.kms(region);
        List<KeyListEntry> all = new ArrayList<>();
        AwsCall.run("kms:ListKeys", region.id(), () -> {
            kms.listKeysPaginator(b -> b.limit(1000)).keys().forEach(all::add);
            return null;
        });
        Set<String> aliased = keys.aliasedKeyIds(); // the same listing ourAliases() read
        List<KeyArn> candidates = all.stream()
                .filter(k -> !aliased.contains(k.keyId()))
                .map(k -> KeyArn.of(k.keyArn()))
                .toList();
        try (Parallel scan = new Parallel("aws-cmek-revoke-scan", RegionalKeys.SCAN_PARALLELISM)) {
            Parallel.joinAll(candidates.stream()
                            .map(k -> scan.async(() -> ours(k) ? Optional.of(k) : Optional.<KeyArn>empty()))
                            .toList())
                    .forEach(o -> o.ifPresent(out::add));
        }
        return out;
    }

    /** A key whose tags the caller may not read is not counted as ours (it is reported if it is in use). */
    private boolean ours(KeyArn key) {
        try {
            return names.isOurs(keys.tags(key));
        } catch (CallFailedException e) {
            if (e.failure() == CallFailedException.Failure.PERMISSION_DENIED
                    || e.failure() == CallFailedException.Failure.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }
}
