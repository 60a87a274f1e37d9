package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeySpecRules;
import dev.cmek.model.KeyType;
import dev.cmek.workflow.RotationSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where and how keys are made in the customer's cloud, for the commands that make keys; the cluster's cloud picks
 * which options apply, and a {@code --gcp-*} option on an AWS cluster (or the reverse) is refused by
 * {@link CloudCommand}.
 */
public final class CloudOptions {
    /**
     * False for the commands that only read or remove grants on existing keys (verify, revoke, restore): they take
     * the project and location from each key's own name, so nothing here is needed.
     */
    boolean makesKeys = true;

    @Option(
            names = "--gcp-project",
            paramLabel = "PROJECT",
            description =
                    "GCP: your project that holds the keys and the service account CockroachDB impersonates (default: $CMEK_GCP_PROJECT).")
    String gcpProject;

    @Option(
            names = "--gcp-key-location",
            paramLabel = "LOCATION",
            description =
                    "GCP: one KMS location for every region's key (global, us, ...). Default: a key in each cluster region.")
    String gcpKeyLocation;

    @Option(
            names = "--gcp-protection",
            paramLabel = "LEVEL",
            completionCandidates = OptionValues.ProtectionLevels.class,
            defaultValue = "SOFTWARE",
            description = "GCP: SOFTWARE (default) or HSM.")
    String gcpProtection;

    @Option(
            names = "--azure-subscription",
            paramLabel = "ID",
            description = "Azure: the subscription that holds the key vaults (default: $AZURE_SUBSCRIPTION_ID).")
    String azureSubscription;

    @Option(
            names = "--azure-tenant",
            paramLabel = "ID",
            description =
                    "Azure: your tenant, which holds the vaults and the cluster app's service principal (default: $AZURE_TENANT_ID).")
    String azureTenant;

    @Option(
            names = "--azure-resource-group",
            paramLabel = "NAME",
            description =
                    "Azure: the resource group for the vaults (default: crdb-cmek-<cluster id>, made with our tags).")
    String azureResourceGroup;

    @Option(
            names = "--azure-protection",
            paramLabel = "LEVEL",
            completionCandidates = OptionValues.ProtectionLevels.class,
            defaultValue = "SOFTWARE",
            description = "Azure: SOFTWARE (default; Standard vault) or HSM (RSA-HSM keys in a Premium vault).")
    String azureProtection = "SOFTWARE";

    @Option(
            names = "--azure-crypto-officer",
            description =
                    "Azure: grant Key Vault Crypto Officer on the vault, as CockroachDB's docs ask, instead of Key Vault Crypto User on the key (broader than needed; verify says so).")
    boolean azureCryptoOfficer;

    /** revoke --cloud-only --azure-app-id: the cluster app's client id, when the Cloud API is not read. */
    String azureAppId;

    @Option(
            names = "--azure-vault-prefix",
            paramLabel = "PREFIX",
            description =
                    "Azure: the first part of the vault names (default: crdb), when the derived global name is taken.")
    String azureVaultPrefix;

    @Option(
            names = "--aws-multi-region-key",
            description =
                    "AWS: one multi-region key with a replica in each cluster region, instead of a key per region.")
    boolean awsMultiRegionKey;

    @Option(
            names = "--aws-repair-drift",
            description =
                    "AWS: if our role's trust policy drifted from the exact one, put it back (otherwise it is only reported).")
    boolean awsRepairDrift;

    @Option(
            names = "--propagation-bound",
            paramLabel = "DURATION",
            defaultValue = "2m",
            converter = DurationConverter.class,
            description =
                    "How long to wait for the cloud to catch up with what this run just made. AWS: a new role usable in a key policy, a new key, alias or replica visible and Enabled, a policy reading back as written. GCP: a new service account visible and accepted as a member. Azure: a new service principal known to ARM. Default: ${DEFAULT-VALUE}.")
    Duration propagationBound = Duration.ofMinutes(2);

    @Option(
            names = "--existing-key",
            paramLabel = "REGION=URI",
            description =
                    "Use a key you already have for REGION: a key ARN (AWS), projects/.../cryptoKeys/K (GCP) or a Key Vault key URI (Azure); only the grant is added. Repeatable.")
    List<String> existingKeys = List.of();

    @Mixin
    CrossRegionKeysOption crossRegionKeys = new CrossRegionKeysOption();

    @Option(
            names = "--rotation-period",
            paramLabel = "DAYS",
            description =
                    "Days between automatic rotations of the keys made. AWS: 90 to 2560 (default 365); GCP: 1 to 36500 (default 90, CIS GCP 1.10); Azure: 7 to 3650 (default 365). Outside the cloud's range: exit 2, nothing made.")
    Integer rotationPeriod;

    @Option(
            names = "--no-auto-rotation",
            description =
                    "Make keys without automatic rotation (on by default: AWS Security Hub KMS.4, CIS GCP 1.10). Keys that already rotate keep rotating: nothing ever turns it off.")
    boolean noAutoRotation;

    @Option(
            names = "--repair-rotation",
            description =
                    "If one of our keys rotates at another period than asked, set it back (otherwise it is only reported as drifted). Keys you bring are never changed.")
    boolean repairRotation;

    /** Automatic rotation as asked; contradictory or impossible values are bad input (exit 2). */
    RotationSettings rotation() {
        return new RotationSettings(
                !noAutoRotation,
                rotationPeriod == null ? OptionalInt.empty() : OptionalInt.of(rotationPeriod),
                repairRotation);
    }

    /** The options of a command that does not make keys: none given, none needed. */
    static CloudOptions forExistingKeys() {
        CloudOptions options = new CloudOptions();
        options.makesKeys = false;
        options.gcpProtection = "SOFTWARE";
        options.azureProtection = "SOFTWARE";
        return options;
    }

    /** The existing keys by region; a malformed entry, or an AWS key ARN of another region, is bad input. */
    Map<String, String> existingKeyMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : existingKeys) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new CmekException.InvalidInput("--existing-key \"" + entry + "\" must be REGION=URI");
            }
            String region = entry.substring(0, eq);
            String uri = entry.substring(eq + 1);
            if (uri.startsWith("arn:") && !crossRegionKeys.allow) {
                KeySpecRules.checkRegionMatch(region, new KeySpec(KeyType.AWS_KMS, uri, ""))
                        .ifPresent(problem -> {
                            throw new CmekException.InvalidInput("--existing-key " + entry + ": " + problem);
                        });
            }
            if (map.put(region, uri) != null) {
                throw new CmekException.InvalidInput(
                        "--existing-key names region " + entry.substring(0, eq) + " twice");
            }
        }
        return map;
    }
}
