package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.azure.Guid;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.ManifestCodec;
import dev.cmek.workflow.BreachResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Revoke's way to a cluster's keys without the Cloud API (--manifest, or --regions with --cloud), and where GCP and
 * Azure keep them; the man page tells how each is used.
 */
final class CloudOnlyOptions {
    @Option(
            names = "--manifest",
            paramLabel = "FILE",
            description = "With --cloud-only: the keys and principal from this manifest, not the Cloud API.")
    Path manifest;

    @Option(
            names = "--regions",
            split = ",",
            paramLabel = "R,...",
            description = "With --cloud-only and --cloud: the regions, not from the Cloud API.")
    List<String> regions = new ArrayList<>();

    @Option(
            names = "--cloud",
            paramLabel = "aws|gcp|azure",
            completionCandidates = OptionValues.Clouds.class,
            description = "With --cloud-only and --regions (or to check a --manifest): the cluster's cloud.")
    String cloud;

    @Option(
            names = "--gcp-project",
            paramLabel = "PROJECT",
            description = "Without the Cloud API: the GCP project of the keys (default: $CMEK_GCP_PROJECT).")
    String gcpProject;

    @Option(
            names = "--azure-subscription",
            paramLabel = "ID",
            description = "Azure: the subscription that holds the cluster's vaults (default: $AZURE_SUBSCRIPTION_ID).")
    String azureSubscription;

    @Option(
            names = "--azure-resource-group",
            paramLabel = "NAME",
            description = "Azure: the vaults' resource group (default: crdb-cmek-<cluster id>).")
    String azureResourceGroup;

    @Option(
            names = "--azure-app-id",
            paramLabel = "GUID",
            description =
                    "Azure, without the Cloud API: the cluster's azure_cluster_identity_client_id, so that its app's sign-in is turned off even where no vault tagged for the cluster names it (keys you brought).")
    String azureAppId;

    /** Whether the cluster is to be found without the Cloud API. */
    boolean given() {
        return manifest != null || !regions.isEmpty();
    }

    /** The option that described the cluster without the API, for the output. */
    String source() {
        return manifest != null ? "--manifest" : "--regions";
    }

    /** Refuses the combinations that cannot work, before anything is read or sent. */
    void check(boolean cloudOnly, boolean allUsing) {
        if (given() && !cloudOnly) {
            throw new CmekException.InvalidInput("--manifest and --regions revoke without the Cloud API, which cannot"
                    + " send REVOKE: add --cloud-only (and send REVOKE later with --api-only and the same --evidence)");
        }
        if (given() && allUsing) {
            throw new CmekException.InvalidInput(
                    "--all-using reads every cluster from the Cloud API; --manifest and --regions are for one cluster");
        }
        if (manifest != null && !regions.isEmpty()) {
            throw new CmekException.InvalidInput("give --manifest or --regions, not both");
        }
        if (!regions.isEmpty() && cloud == null) {
            throw new CmekException.InvalidInput("--regions needs --cloud aws, gcp or azure");
        }
        if (cloud != null && !given()) {
            throw new CmekException.InvalidInput("--cloud goes with --cloud-only and --regions or --manifest");
        }
        if (azureAppId != null && !given()) {
            throw new CmekException.InvalidInput("--azure-app-id goes with --cloud-only and --regions or --manifest:"
                    + " with the Cloud API, the cluster's app id is read from it");
        }
        if (azureAppId != null && !Guid.is(azureAppId)) {
            throw new CmekException.InvalidInput(
                    "--azure-app-id must be a GUID (8-4-4-4-12 hex digits), got " + azureAppId);
        }
    }

    /** The cluster without the Cloud API; empty when the API is to be read. */
    Optional<BreachResponse.Offline> offline(Map<String, String> env) {
        if (!given()) {
            return Optional.empty();
        }
        return Optional.of(BreachResponse.Offline.of(
                Optional.ofNullable(manifest).map(ManifestCodec::read),
                String.valueOf(manifest),
                regions,
                Optional.ofNullable(cloud).map(CloudProvider::fromOption),
                CloudKeysFactory.givenGcpProject(gcpProject, env)));
    }

    /** The adapters' settings for keys that exist: only where GCP and Azure keep them. */
    CloudOptions cloudOptions() {
        CloudOptions options = CloudOptions.forExistingKeys();
        options.gcpProject = gcpProject;
        options.azureSubscription = azureSubscription;
        options.azureResourceGroup = azureResourceGroup;
        options.azureAppId = azureAppId;
        return options;
    }
}
