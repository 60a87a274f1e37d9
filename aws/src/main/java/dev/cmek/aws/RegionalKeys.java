package dev.cmek.aws;

import dev.cmek.core.Parallel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    static final int SCAN_PARALLELISM = 8;

    private final KmsClient kms;
    private final Optional<TaggedKeys> tagging;
    private final Region region;
    private final ResourceNames names;
    private final Duration propagationBound;
    private List<AliasListEntry> aliases;
    /** The Tagging API's answer for our cluster tag, once asked (empty inside: the API cannot answer, scan instead). */
    private Optional<Map<KeyArn, Map<String, String>>> tagged;

    private final Object taggedLock = new Object();

    /** @param propagationBound how long a new key, alias or replica may stay invisible or inconsistent */
    RegionalKeys(AwsClients clients, Region region, ResourceNames names, Duration propagationBound) {
        this.kms = clients.kms(region);
        this.tagging = clients.tagging(region);
        this.region = region;
        this.names = names;
        this.propagationBound = propagationBound;
    }

    Region region() {
        return region;
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
        } catch (CallFailedException e) {
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

    /**
     * Our key of this generation that lost (or never got) its alias: tagged ours, not on its way out; oldest first.
     * Only keys without any alias can be such a key (CreateAlias is the step a killed run missed), so keys with an
     * alias are skipped without a call. The rest are asked for their tags a few at a time on a pool of their own
     * (threads bounded however large the account); a key whose tags the caller may not read is not ours and is
     * skipped. The Resource Groups Tagging API ({@link TaggedKeys}) is asked first: one call per page of our own
     * keys; the scan is the fallback where it cannot answer (no {@code tag:GetResources} permission, an emulator
     * without it).
     */
    Optional<Live> findOrphan(int generation) {
        Optional<Map<KeyArn, Map<String, String>>> fromTagging = taggedKeys();
        if (fromTagging.isPresent()) {
            // One call per page of our own keys, however many other keys the account holds.
            return TaggedKeys.ofGeneration(fromTagging.get(), names, generation).stream()
                    // Tagged, so it exists: a NotFound is KMS not having caught up with a key made moments ago.
                    .map(k -> EventualConsistency.until(
                                    propagationBound, () -> describe(k.value()), Optional::isPresent)
                            .filter(l -> !GONE.contains(l.metadata().keyState())))
                    .flatMap(Optional::stream)
                    .min(Comparator.comparing(l -> l.metadata().creationDate()));
        }
        List<KeyListEntry> all = new ArrayList<>();
        call("kms:ListKeys", () -> {
            kms.listKeysPaginator(b -> b.limit(1000)).keys().forEach(all::add);
            return null;
        });
        // Keys that other aliases name are not ours to find; those our aliases name stay candidates: ListAliases may
        // list a new alias of ours before DescribeKey resolves it (findByAlias), and its key must be found, not made
        // again.
        Set<String> aliased = aliasedKeyIds();
        ourAliases().values().forEach(k -> aliased.remove(k.keyId()));
        List<KeyListEntry> candidates =
                all.stream().filter(k -> !aliased.contains(k.keyId())).toList();
        List<Live> ours;
        try (Parallel scan = new Parallel("aws-cmek-key-scan", SCAN_PARALLELISM)) {
            ours = Parallel.joinAll(candidates.stream()
                            .map(k -> scan.async(() -> ourOrphan(KeyArn.of(k.keyArn()), generation)))
                            .toList())
                    .stream()
                    .flatMap(Optional::stream)
                    .toList();
        }
        return ours.stream().min(Comparator.comparing(l -> l.metadata().creationDate()));
    }

    /** Our cluster's tagged keys from the Tagging API, asked once per instance (empty: it cannot answer). */
    private Optional<Map<KeyArn, Map<String, String>>> taggedKeys() {
        synchronized (taggedLock) {
            if (tagged == null) {
                tagged = tagging.flatMap(
                        t -> t.find(ResourceNames.CLUSTER_TAG, names.clusterId().value()));
            }
            return tagged;
        }
    }

    /**
     * Starts the read that looking for a missing key needs after its alias's read (our tagged keys from the Tagging
     * API), beside that read: for a cluster with no key yet, one round trip before CreateKey instead of two. Read once
     * and kept; a read that fails here is asked again, and its failure reported, where it is used. The Region's alias
     * listing is not read: it grows with the account (ListAliases pages 100 aliases at most), and the scan of every key
     * (without the Tagging API) stays where it is needed.
     */
    void prefetchLookups(Parallel parallel) {
        parallel.run(this::taggedKeys);
    }

    private Optional<Live> ourOrphan(KeyArn key, int generation) {
        Map<String, String> tags;
        try {
            // Listed, so it exists: a NotFound is KMS not having caught up with a key made moments ago.
            tags = EventualConsistency.readWhileNotFound(propagationBound, () -> tags(key));
        } catch (CallFailedException e) {
            if (e.failure() == CallFailedException.Failure.PERMISSION_DENIED) {
                return Optional.empty();
            }
            throw e;
        }
        if (!names.isOurs(tags, generation)) {
            return Optional.empty();
        }
        return describe(key.value()).filter(l -> !GONE.contains(l.metadata().keyState()));
    }

    /** Aliases of every generation of our keys in this region, as alias name to key ARN. */
    Map<String, KeyArn> ourAliases() {
        return listAliases().stream()
                .filter(a -> a.targetKeyId() != null)
                .filter(a -> isOurAlias(a.aliasName()))
                .collect(Collectors.toMap(
                        AliasListEntry::aliasName, a -> keyArnInThisRegion(a), (x, y) -> x, java.util.TreeMap::new));
    }

    /** The ids of the keys any alias of the Region names (the scans skip them: an aliased key is not an orphan). */
    Set<String> aliasedKeyIds() {
        Set<String> out = new java.util.HashSet<>();
        for (AliasListEntry a : listAliases()) {
            if (a.targetKeyId() != null) {
                out.add(a.targetKeyId());
            }
        }
        return out;
    }

    private boolean isOurAlias(String aliasName) {
        return aliasName.equals(names.aliasPrefix()) || aliasName.startsWith(names.aliasPrefix() + "-g");
    }

    /**
     * Whether an alias of ours (any generation) names {@code key}: ListAliases filtered by the key, so a page whatever
     * else the account holds, where the Region's whole listing is a call per 100 aliases.
     */
    boolean hasOurAlias(KeyArn key) {
        try {
            return call("kms:ListAliases", () -> {
                for (AliasListEntry a : kms.listAliasesPaginator(
                                b -> b.keyId(key.keyId()).limit(100))
                        .aliases()) {
                    if (isOurAlias(a.aliasName())) {
                        return true;
                    }
                }
                return false;
            });
        } catch (CallFailedException e) {
            if (e.failure() == CallFailedException.Failure.NOT_FOUND) {
                return false; // gone since it was described: no alias names it
            }
            throw e;
        }
    }

    /** The region's aliases, listed once per instance (one instance serves one region of one run). */
    private synchronized List<AliasListEntry> listAliases() {
        if (aliases == null) {
            List<AliasListEntry> all = new ArrayList<>();
            call("kms:ListAliases", () -> {
                kms.listAliasesPaginator(b -> b.limit(100)).aliases().forEach(all::add);
                return null;
            });
            aliases = List.copyOf(all);
        }
        return aliases;
    }

    /**
     * The key an alias names, by DescribeKey. An alias made moments ago may not resolve yet (KMS is eventually
     * consistent); a re-run inside that window finds its key by its tags ({@link #findOrphan}: the Tagging API, or the
     * scan, which keeps keys our aliases name as candidates in case ListAliases lists the alias first), and CreateAlias
     * then answers AlreadyExists naming the same key; a miss never reads the Region's whole alias listing (one call per
     * 100 aliases in the account). A re-run within seconds of CreateAlias whose Tagging API does
     * not show the new key yet either makes a second key; its CreateAlias is refused, so it is never granted
     * (ClusterKeys grants a new key once our alias names it), the run reports the alias naming the first key, and the
     * next run uses the first.
     */
    Optional<Live> findByAlias(String alias) {
        return describe(alias);
    }

    /** The alias ARN gives partition and account; the region is ours (moto reports a replica's alias with the primary's). */
    private KeyArn keyArnInThisRegion(AliasListEntry a) {
        String[] arn = a.aliasArn().split(":", 6);
        return KeyArn.of(String.join(":", arn[0], arn[1], "kms", region.id(), arn[4], "key/" + a.targetKeyId()));
    }

    Live create(PolicyDocument policy, int generation, boolean multiRegion, RoleArn role) {
        KeyMetadata m = call(
                "kms:CreateKey",
                () -> EventualConsistency.whileInvalidPrincipal(
                        propagationBound, role.value(), () -> createKey(policy, generation, multiRegion)));
        return new Live(KeyArn.of(m.arn()), m);
    }

    /**
     * Creates a key whose policy names no principal IAM may still be propagating (the owner's administration only): no
     * retry for one, so it goes at once, beside the new role's propagation. The grant is added by a policy write.
     */
    Live createWithoutGrant(PolicyDocument administration, int generation) {
        KeyMetadata m = call("kms:CreateKey", () -> createKey(administration, generation, false));
        return new Live(KeyArn.of(m.arn()), m);
    }

    private KeyMetadata createKey(PolicyDocument policy, int generation, boolean multiRegion) {
        return kms.createKey(b -> b.description(names.keyDescription(generation))
                        .keySpec(KeySpec.SYMMETRIC_DEFAULT)
                        .keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                        .origin(OriginType.AWS_KMS)
                        .multiRegion(multiRegion)
                        .policy(policy.json())
                        .tags(kmsTags(generation)))
                .keyMetadata();
    }

    /** Called on the primary region's client; returns the replica in {@code replicaRegion}. */
    Live replicate(Live primary, Region replicaRegion, PolicyDocument policy, int generation, RoleArn role) {
        // moto looks the key up by bare key id only (an ARN gives a 500), AWS accepts both. A primary made moments
        // ago may not be found yet: whileInvalidPrincipal retries NotFound too.
        var r = call(
                "kms:ReplicateKey",
                () -> EventualConsistency.whileInvalidPrincipal(
                        propagationBound,
                        role.value(),
                        () -> kms.replicateKey(b -> b.keyId(primary.arn().keyId())
                                .replicaRegion(replicaRegion.id())
                                .description(names.keyDescription(generation))
                                .policy(policy.json())
                                .tags(kmsTags(generation)))));
        return new Live(KeyArn.of(r.replicaKeyMetadata().arn()), r.replicaKeyMetadata());
    }

    /** ReplicateKey's Tags are not applied by every emulator; tagging again is idempotent. A new replica may not be found yet. */
    void tag(KeyArn key, int generation) {
        call(
                "kms:TagResource",
                () -> EventualConsistency.whileNotFound(
                        propagationBound,
                        () -> kms.tagResource(b -> b.keyId(key.keyId()).tags(kmsTags(generation)))));
    }

    /**
     * Waits until a key (a new replica starts {@code Creating}) is {@code Enabled}: it cannot be used for cryptography
     * before (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html).
     */
    Live awaitEnabled(KeyArn key) {
        Optional<Live> live = EventualConsistency.until(
                propagationBound,
                () -> describe(key.value()),
                l -> l.isPresent() && l.get().metadata().keyState() == KeyState.ENABLED);
        if (live.isEmpty() || live.get().metadata().keyState() != KeyState.ENABLED) {
            throw new AwsCmekException("key " + key + " is still "
                    + live.map(l -> String.valueOf(l.metadata().keyState())).orElse("not visible") + " after "
                    + propagationBound.toSeconds() + "s; run the same command again later (it is safe), or give a"
                    + " longer --propagation-bound");
        }
        return live.get();
    }

    /**
     * Creates the alias (a new key may not be found yet); one that already names this very key (a concurrent run, an
     * earlier run whose alias is not visible yet, or moto's replicas) is fine.
     *
     * @return false when the alias already named the key
     */
    boolean alias(String alias, KeyArn key) {
        // A key KMS may not find yet: wait until a read finds it (DescribeKey is not a control-plane call), so that
        // CreateAlias is not refused NotFound while the key propagates; each refused attempt spends one of the
        // Region's 5 CreateAlias calls per second, which a fleet shares.
        EventualConsistency.until(propagationBound, () -> describe(key.value()), Optional::isPresent);
        return aliasKnownKey(alias, key);
    }

    /** {@link #alias} of a key a read has just found (its policy, say): no wait for it first. */
    boolean aliasKnownKey(String alias, KeyArn key) {
        boolean created = createAlias(alias, key);
        if (created) {
            awaitAlias(alias, key);
        }
        return created;
    }

    /**
     * CreateAlias naming {@code key}, retried while KMS does not find the key yet; when the alias exists already, the
     * key it names must be {@code key} (waiting for it to resolve), else another run or person made it.
     *
     * @return false when the alias already named the key
     */
    boolean createAlias(String alias, KeyArn key) {
        try {
            call(
                    "kms:CreateAlias",
                    () -> EventualConsistency.whileNotFound(
                            propagationBound,
                            () -> kms.createAlias(b -> b.aliasName(alias).targetKeyId(key.keyId()))));
            return true;
        } catch (CallFailedException e) {
            if (!(e.getCause() instanceof AlreadyExistsException)) {
                throw e;
            }
            KeyArn current = EventualConsistency.until(propagationBound, () -> describe(alias), Optional::isPresent)
                    .map(Live::arn)
                    .orElse(null);
            if (current == null || !current.keyId().equals(key.keyId())) {
                throw new AwsCmekException(
                        alias + " in " + region + " already points to " + current + ", not to " + key
                                + "; another run or person changed it, run the same command again to re-check",
                        e);
            }
            return false;
        }
    }

    /**
     * Waits until the alias just made can be found naming {@code key}: a re-run (or verify) that cannot see it would
     * look for a second key. Once found, one read is enough, as Terraform's alias.go reads a new alias until found once
     * (RetryWhenNewResourceNotFound): a later stale read can only answer NotFound, never another key, and a re-run
     * that meets it finds this key by its tags and its CreateAlias answers AlreadyExists. (Policies and rotation, whose
     * stale reads show an older value, keep two agreeing reads.)
     */
    void awaitAlias(String alias, KeyArn key) {
        EventualConsistency.until(
                propagationBound,
                () -> describe(alias),
                l -> l.isPresent() && l.get().arn().keyId().equals(key.keyId()));
    }

    PolicyDocument policy(KeyArn key) {
        return PolicyDocument.parse(call(
                "kms:GetKeyPolicy",
                () -> kms.getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                        .policy()));
    }

    /** The policy of a key this run just made or replicated, which KMS may not find for a moment. */
    PolicyDocument policyOfNewKey(KeyArn key) {
        return PolicyDocument.parse(call(
                "kms:GetKeyPolicy",
                () -> EventualConsistency.readWhileNotFound(
                        propagationBound,
                        () -> kms.getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                                .policy())));
    }

    /**
     * Writes the whole policy (KMS has no version check), then reads it back until consecutive reads agree with it
     * (KMS answers stale reads for a while); a mismatch that outlasts the propagation bound is a concurrent writer.
     */
    PolicyDocument writePolicy(KeyArn key, PolicyDocument policy, String principal) {
        call(
                "kms:PutKeyPolicy",
                () -> EventualConsistency.whileInvalidPrincipal(
                        propagationBound,
                        principal,
                        () -> kms.putKeyPolicy(
                                b -> b.keyId(key.keyId()).policyName("default").policy(policy.json()))));
        PolicyDocument back = EventualConsistency.untilConsistent(
                propagationBound, () -> policyOfNewKey(key), read -> read.sameAs(policy));
        if (!back.sameAs(policy)) {
            throw new ReadBackMismatchException("key policy of " + key, policy.json(), back.json());
        }
        return back;
    }

    void rotateOnDemand(KeyArn key) {
        call("kms:RotateKeyOnDemand", () -> kms.rotateKeyOnDemand(b -> b.keyId(key.keyId())));
    }

    /** Whether and how often KMS rotates the key's material (a replica answers its primary's: a shared property). */
    RotationStatus rotationStatus(KeyArn key) {
        var r = call("kms:GetKeyRotationStatus", () -> kms.getKeyRotationStatus(b -> b.keyId(key.keyId())));
        return new RotationStatus(
                Boolean.TRUE.equals(r.keyRotationEnabled()), r.rotationPeriodInDays(), r.nextRotationDate());
    }

    /** The rotation status of a key this run just made, which KMS may not find for a moment. */
    private RotationStatus rotationStatusOfNewKey(KeyArn key) {
        return EventualConsistency.readWhileNotFound(propagationBound, () -> rotationStatus(key));
    }

    /**
     * Turns automatic rotation on with {@code days} between rotations (or changes the period of a key that has it), then
     * reads it back until consecutive reads agree, as Terraform does (internal/service/kms/key.go
     * waitKeyRotationEnabledPropagated): KMS is eventually consistent. Only ever called on a key of ours that is not a
     * multi-Region replica: "To enable or disable automatic rotation of a set of related multi-Region keys, set the
     * property on the primary key" (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html).
     */
    RotationStatus enableRotation(KeyArn key, int days) {
        call(
                "kms:EnableKeyRotation",
                () -> EventualConsistency.whileNotFound(
                        propagationBound,
                        () -> kms.enableKeyRotation(b -> b.keyId(key.keyId()).rotationPeriodInDays(days))));
        RotationStatus back = EventualConsistency.untilConsistent(
                propagationBound, () -> rotationStatusOfNewKey(key), s -> s.enabled() && s.every(days));
        if (!back.enabled() || !back.every(days)) {
            throw new ReadBackMismatchException(
                    "automatic rotation of " + key, "every " + days + " days", back.describe());
        }
        return back;
    }

    /**
     * When the key's newest material was made: the newest rotation KMS lists (automatic or on demand), else the key's
     * creation (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html). Ask the key that
     * rotates: a multi-Region key's primary.
     */
    java.time.Instant newestMaterial(Live key) {
        java.time.Instant newest = key.metadata().creationDate();
        String marker = null;
        do {
            String m = marker;
            var page = call(
                    "kms:ListKeyRotations",
                    () -> kms.listKeyRotations(b -> b.keyId(key.arn().keyId()).marker(m)));
            for (var r : page.rotations()) {
                if (r.rotationDate() != null
                        && (newest == null || r.rotationDate().isAfter(newest))) {
                    newest = r.rotationDate();
                }
            }
            marker = Boolean.TRUE.equals(page.truncated()) ? page.nextMarker() : null;
        } while (marker != null);
        return newest;
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
