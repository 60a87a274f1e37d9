package dev.cmek.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MultiRegionKey;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.Tag;

/**
 * The cluster's KMS keys in one region: found by alias and proven ours by tags, or (after a run killed between
 * CreateKey and CreateAlias) found again by tags alone, so a re-run never makes a second key.
 */
final class RegionalKeys {
    /** Keys in these states are on their way out and never adopted. */
    private static final Set<KeyState> GONE = Set.of(KeyState.PENDING_DELETION, KeyState.PENDING_REPLICA_DELETION);

    private static final int SCAN_PARALLELISM = 8;

    private final KmsClient kms;
    private final Region region;
    private final ResourceNames names;
    private final Executor executor;

    RegionalKeys(KmsClient kms, Region region, ResourceNames names, Executor executor) {
        this.kms = kms;
        this.region = region;
        this.names = names;
        this.executor = executor;
    }

    record Live(KeyArn arn, KeyMetadata metadata) {}

    private <T> T call(String op, java.util.function.Supplier<T> c) {
        return AwsCall.run(op, region.id(), c);
    }

    Optional<Live> describe(String keyIdOrAlias) {
        try {
            KeyMetadata m = call(
                    "kms:DescribeKey",
                    () -> kms.describeKey(b -> b.keyId(keyIdOrAlias)).keyMetadata());
            return Optional.of(new Live(KeyArn.of(m.arn()), m));
        } catch (AwsCallFailedException e) {
            if (e.getCause() instanceof NotFoundException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Map<String, String> tags(KeyArn key) {
        Map<String, String> out = new java.util.HashMap<>();
        call("kms:ListResourceTags", () -> {
            String marker = null;
            do {
                String m = marker;
                var page = kms.listResourceTags(b -> b.keyId(key.keyId()).marker(m));
                page.tags().forEach(t -> out.put(t.tagKey(), t.tagValue()));
                marker = Boolean.TRUE.equals(page.truncated()) ? page.nextMarker() : null;
            } while (marker != null);
            return out;
        });
        return out;
    }

    /** Our key of this generation that lost (or never got) its alias: tagged ours, not on its way out; oldest first. */
    Optional<Live> findOrphan(int generation) {
        List<KeyListEntry> all = new ArrayList<>();
        call("kms:ListKeys", () -> {
            kms.listKeysPaginator(b -> b.limit(1000)).keys().forEach(all::add);
            return null;
        });
        // One ListResourceTags per key: a few at a time, so a large account is scanned quickly but not throttled.
        Semaphore permits = new Semaphore(SCAN_PARALLELISM);
        List<CompletableFuture<Optional<Live>>> checks = all.stream()
                .map(k -> CompletableFuture.supplyAsync(
                        () -> {
                            permits.acquireUninterruptibly();
                            try {
                                return names.isOurs(tags(KeyArn.of(k.keyArn())), generation)
                                        ? describe(k.keyArn())
                                                .filter(l -> !GONE.contains(
                                                        l.metadata().keyState()))
                                        : Optional.<Live>empty();
                            } finally {
                                permits.release();
                            }
                        },
                        executor))
                .toList();
        List<Live> ours = new ArrayList<>();
        for (CompletableFuture<Optional<Live>> c : checks) {
            try {
                c.join().ifPresent(ours::add);
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        return ours.stream().min(Comparator.comparing(l -> l.metadata().creationDate()));
    }

    /** Aliases of every generation of our keys in this region, as alias name to key ARN. */
    Map<String, KeyArn> ourAliases() {
        List<AliasListEntry> all = new ArrayList<>();
        call("kms:ListAliases", () -> {
            kms.listAliasesPaginator(b -> b.limit(100)).aliases().forEach(all::add);
            return null;
        });
        return all.stream()
                .filter(a -> a.targetKeyId() != null)
                .filter(a -> a.aliasName().equals(names.aliasPrefix())
                        || a.aliasName().startsWith(names.aliasPrefix() + "-g"))
                .collect(Collectors.toMap(
                        AliasListEntry::aliasName, a -> keyArnInThisRegion(a), (x, y) -> x, java.util.TreeMap::new));
    }

    /** The alias ARN gives partition and account; the region is ours (moto reports a replica's alias with the primary's). */
    private KeyArn keyArnInThisRegion(AliasListEntry a) {
        String[] arn = a.aliasArn().split(":", 6);
        return KeyArn.of(String.join(":", arn[0], arn[1], "kms", region.id(), arn[4], "key/" + a.targetKeyId()));
    }

    Live create(PolicyDocument policy, int generation, boolean multiRegion, Duration bound, RoleArn role) {
        KeyMetadata m = call(
                "kms:CreateKey",
                () -> InvalidPrincipalRetry.call(
                        bound,
                        role.value(),
                        () -> kms.createKey(b -> b.description("CockroachDB Cloud CMEK key for cluster "
                                                + names.clusterId() + " (generation " + generation + ")")
                                        .keySpec(KeySpec.SYMMETRIC_DEFAULT)
                                        .keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                                        .origin(OriginType.AWS_KMS)
                                        .multiRegion(multiRegion)
                                        .policy(policy.json())
                                        .tags(kmsTags(generation)))
                                .keyMetadata()));
        return new Live(KeyArn.of(m.arn()), m);
    }

    /** Called on the primary region's client; returns the replica in {@code replicaRegion}. */
    Live replicate(
            Live primary, Region replicaRegion, PolicyDocument policy, int generation, Duration bound, RoleArn role) {
        // moto looks the key up by bare key id only (an ARN gives a 500), AWS accepts both.
        var r = call(
                "kms:ReplicateKey",
                () -> InvalidPrincipalRetry.call(
                        bound,
                        role.value(),
                        () -> kms.replicateKey(b -> b.keyId(primary.arn().keyId())
                                .replicaRegion(replicaRegion.id())
                                .policy(policy.json())
                                .tags(kmsTags(generation)))));
        return new Live(KeyArn.of(r.replicaKeyMetadata().arn()), r.replicaKeyMetadata());
    }

    /** ReplicateKey's Tags are not applied by every emulator; tagging again is idempotent. */
    void tag(KeyArn key, int generation) {
        call("kms:TagResource", () -> kms.tagResource(b -> b.keyId(key.keyId()).tags(kmsTags(generation))));
    }

    /** Creates the alias; one that already names this very key (a concurrent run, or moto's replicas) is fine. */
    void alias(String alias, KeyArn key) {
        try {
            call(
                    "kms:CreateAlias",
                    () -> kms.createAlias(b -> b.aliasName(alias).targetKeyId(key.keyId())));
        } catch (AwsCallFailedException e) {
            if (!(e.getCause() instanceof AlreadyExistsException)) {
                throw e;
            }
            KeyArn current = describe(alias).map(Live::arn).orElse(null);
            if (current == null || !current.keyId().equals(key.keyId())) {
                throw new AwsCmekException(
                        alias + " in " + region + " already points to " + current + ", not to " + key
                                + "; another run or person changed it, re-run to re-check",
                        e);
            }
        }
    }

    PolicyDocument policy(KeyArn key) {
        return PolicyDocument.parse(call(
                "kms:GetKeyPolicy",
                () -> kms.getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                        .policy()));
    }

    /** Writes the whole policy (KMS has no version check), reads it back and compares structurally. */
    PolicyDocument writePolicy(KeyArn key, PolicyDocument policy, Duration bound, String principal) {
        call(
                "kms:PutKeyPolicy",
                () -> InvalidPrincipalRetry.call(
                        bound,
                        principal,
                        () -> kms.putKeyPolicy(
                                b -> b.keyId(key.keyId()).policyName("default").policy(policy.json()))));
        PolicyDocument back = policy(key);
        if (!back.sameAs(policy)) {
            throw new ReadBackMismatchException("key policy of " + key, policy.json(), back.json());
        }
        return back;
    }

    void rotateOnDemand(KeyArn key) {
        call("kms:RotateKeyOnDemand", () -> kms.rotateKeyOnDemand(b -> b.keyId(key.keyId())));
    }

    static Optional<KeyArn> replicaIn(KeyMetadata primary, Region region) {
        if (primary.multiRegionConfiguration() == null) {
            return Optional.empty();
        }
        return primary.multiRegionConfiguration().replicaKeys().stream()
                .filter(r -> region.id().equals(r.region()))
                .map(MultiRegionKey::arn)
                .map(KeyArn::of)
                .findFirst();
    }

    private List<Tag> kmsTags(int generation) {
        return names.keyTags(generation).entrySet().stream()
                .map(t ->
                        Tag.builder().tagKey(t.getKey()).tagValue(t.getValue()).build())
                .toList();
    }
}
