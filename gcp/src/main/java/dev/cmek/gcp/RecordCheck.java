package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Restore trusts nothing it did not make: before anything is written, every intent must be for the cluster's own
 * service account in one customer project, and every grant it would put back must be exactly one of the two this
 * toolkit makes: our service account with {@code roles/cloudkms.cryptoKeyEncrypterDecrypter} on a key of that project,
 * CockroachDB's identity {@code crl-kms-user-<last 12>@<cluster account>} with
 * {@code roles/iam.serviceAccountTokenCreator} on our service account. The first entry that is not is named.
 */
final class RecordCheck {
    /** The customer project the record is for, and what was noticed. */
    record Checked(String customerProject, List<String> warnings) {}

    private final RestoreRequest request;

    RecordCheck(RestoreRequest request) {
        this.request = request;
    }

    Checked check() {
        List<String> warnings = new ArrayList<>();
        String project = request.customerProject().orElse(null);
        ClusterId cluster = request.clusterId();
        for (int i = 0; i < request.intents().size(); i++) {
            RevocationRecord.Intent intent = request.intents().get(i);
            String entry = "intent " + (i + 1) + " (" + intent.document() + " " + intent.resource() + ")";
            if (intent.document() == null || intent.resource() == null) {
                throw refuse(entry, "it lacks its document kind or resource");
            }
            String resourceProject = projectOf(entry, intent);
            if (project == null) {
                project = resourceProject;
            } else if (!project.equals(resourceProject)) {
                throw refuse(
                        entry,
                        "it is in project " + resourceProject + ", not in project " + project
                                + (request.customerProject().isPresent()
                                        ? " named for the restore"
                                        : " of the record"));
            }
            ServiceAccountEmail ours = CmekNames.serviceAccountEmail(project, cluster);
            switch (intent.document()) {
                case SERVICE_ACCOUNT_POLICY -> {
                    requireOurAccount(entry, intent, ours);
                    for (Grant g : grants(entry, intent)) {
                        checkTokenCreator(entry, g, cluster, warnings);
                    }
                }
                case CRYPTO_KEY_POLICY -> {
                    Grant expected = new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(ours));
                    for (Grant g : grants(entry, intent)) {
                        if (!expected.equals(g)) {
                            throw refuse(
                                    entry,
                                    "it would grant " + g + ", not the grant cmek makes on a key (" + expected + ")");
                        }
                    }
                }
                case SERVICE_ACCOUNT_DISABLED -> {
                    requireOurAccount(entry, intent, ours);
                    if (!intent.removed().isEmpty()) {
                        throw refuse(entry, "disabling the account removes no grant");
                    }
                }
            }
        }
        return new Checked(project, List.copyOf(warnings));
    }

    private void checkTokenCreator(String entry, Grant g, ClusterId cluster, List<String> warnings) {
        if (!g.role().equals(Grant.TOKEN_CREATOR)) {
            throw refuse(
                    entry, "it would grant " + g.role() + " on the service account, not only " + Grant.TOKEN_CREATOR);
        }
        if (request.cockroachAccountId().isPresent()) {
            Member crdb = Member.cockroachIdentity(
                    cluster, request.cockroachAccountId().get());
            if (!crdb.equals(g.member())) {
                throw refuse(
                        entry,
                        "it would let " + g.member() + " create tokens, not CockroachDB's identity " + crdb
                                + " for the cluster");
            }
            return;
        }
        Pattern crdb = Pattern.compile("serviceAccount:crl-kms-user-" + Pattern.quote(cluster.last12())
                + "@[a-z][a-z0-9-]{4,28}[a-z0-9]\\.iam\\.gserviceaccount\\.com");
        if (!crdb.matcher(g.member().value()).matches()) {
            throw refuse(
                    entry,
                    "it would let " + g.member() + " create tokens, not CockroachDB's identity" + " crl-kms-user-"
                            + cluster.last12() + "@... for the cluster");
        }
        warnings.add("token creator for " + g.member() + " is put back as read before the revocation: the revocation"
                + " did not read the Cloud API, so its account was not checked against the cluster; check it with"
                + " `cmek verify`");
    }

    private static void requireOurAccount(String entry, RevocationRecord.Intent intent, ServiceAccountEmail ours) {
        if (!intent.resource().equals(ours.value())) {
            throw refuse(
                    entry,
                    "it is for service account " + intent.resource() + ", not the cluster's own " + ours
                            + " (a record of another cluster?)");
        }
    }

    /** The grants an intent removed, each present in the policy it read. */
    private static List<Grant> grants(String entry, RevocationRecord.Intent intent) {
        if (intent.removed().isEmpty() || intent.before() == null) {
            throw refuse(entry, "it removes nothing");
        }
        for (Grant g : intent.removed()) {
            if (g == null || g.role() == null || g.member() == null) {
                throw refuse(entry, "a grant lacks its role or member");
            }
            if (!PolicyBindings.has(intent.before().toPolicy(), g)) {
                throw refuse(entry, "it would put back " + g + ", which its policy before did not hold");
            }
        }
        return intent.removed();
    }

    private static String projectOf(String entry, RevocationRecord.Intent intent) {
        try {
            return switch (intent.document()) {
                case CRYPTO_KEY_POLICY -> {
                    if (!CryptoKeyName.isParsableFrom(intent.resource())) {
                        throw refuse(entry, "its resource is not a crypto key name");
                    }
                    yield CryptoKeyName.parse(intent.resource()).getProject();
                }
                case SERVICE_ACCOUNT_POLICY, SERVICE_ACCOUNT_DISABLED ->
                    new ServiceAccountEmail(intent.resource()).project();
            };
        } catch (InvalidInputException e) {
            throw refuse(entry, "its resource is not a service account email");
        }
    }

    private static UntrustedRecordException refuse(String entry, String why) {
        return new UntrustedRecordException("the revocation record's " + entry + " is refused: " + why
                + "; restore grants only what cmek itself removed, so nothing was written");
    }
}
