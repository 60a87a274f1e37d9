package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a GCP revocation works on: the cluster (whose id names our service account, key rings and labels), the
 * customer's project that holds them, CockroachDB's account when known, where to look for our key rings, and the keys
 * in use (also revoked when they are not ours: keys the customer brought).
 *
 * @param cockroachAccountId the cluster's account (a GCP project); empty when the Cloud API was not read, and then
 *     every {@code crl-kms-user-<last 12>@...} member loses token creator
 * @param keysInUse each key in use and the regions it serves
 * @param locations KMS locations to look in; none known (and no key in use): every location of the project is looked
 *     in for our key ring
 * @param disableServiceAccount also disable the account once the token-creator binding is gone ({@code --immediate})
 * @param dryRun read everything, write nothing: each document ends {@code WOULD_REMOVE} (or absent, or left)
 */
public record RevocationRequest(
        ClusterId clusterId,
        String customerProject,
        Optional<String> cockroachAccountId,
        List<String> locations,
        Map<CryptoKeyName, List<String>> keysInUse,
        boolean disableServiceAccount,
        int maxPolicyAttempts,
        boolean dryRun) {

    public RevocationRequest {
        locations = List.copyOf(new LinkedHashSet<>(locations));
        keysInUse = new LinkedHashMap<>(keysInUse);
        if (customerProject == null || customerProject.isBlank()) {
            throw new InvalidInputException(
                    "the customer project that holds the keys and the service account is" + " needed (--gcp-project)");
        }
        if (maxPolicyAttempts < 1) {
            throw new InvalidInputException("maxPolicyAttempts must be at least 1");
        }
    }

    /** Our service account for the cluster in the customer's project. */
    public ServiceAccountEmail serviceAccount() {
        return CmekNames.serviceAccountEmail(customerProject, clusterId);
    }

    /** CockroachDB's identity for the cluster, when its account is known. */
    public Optional<Member> cockroachMember() {
        return cockroachAccountId.map(a -> Member.cockroachIdentity(clusterId, a));
    }

    /** Every location to look in: the ones given and the ones of the keys in use. */
    public List<String> allLocations() {
        LinkedHashSet<String> all = new LinkedHashSet<>(locations);
        keysInUse.keySet().forEach(k -> all.add(k.getLocation()));
        return List.copyOf(all);
    }

    /** A revocation of what {@code request} provisions (generation 1 or the brought keys). */
    public static RevocationRequest of(GcpCmekRequest request, boolean disableServiceAccount) {
        Map<CryptoKeyName, List<String>> keys = new LinkedHashMap<>();
        request.regions()
                .forEach(r -> keys.computeIfAbsent(request.keyNameOf(r, 1), k -> new java.util.ArrayList<>())
                        .add(r));
        return new RevocationRequest(
                request.clusterId(),
                request.customerProject(),
                Optional.of(request.cockroachMember().value())
                        .map(m -> m.substring(m.indexOf('@') + 1, m.length() - ".iam.gserviceaccount.com".length())),
                request.regions().stream().map(request::locationOf).toList(),
                keys,
                disableServiceAccount,
                request.maxPolicyAttempts(),
                false);
    }

    /** The same revocation, reading only. */
    public RevocationRequest asDryRun() {
        return new RevocationRequest(
                clusterId,
                customerProject,
                cockroachAccountId,
                locations,
                keysInUse,
                disableServiceAccount,
                maxPolicyAttempts,
                true);
    }
}
