package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.ApiKey;
import dev.cmek.aws.SdkClients;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.KeySpecCheck;
import dev.cmek.sandbox.SandboxConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "sandbox",
        description = {
            "Serve a local sandbox of the CockroachDB Cloud API on 127.0.0.1, until interrupted.",
            "%nIt serves the seven operations CMEK uses, behaves like the API's spec (status transitions, errors, the 10 requests/s limit) and accepts only the key in $COCKROACH_API_KEY (or --api-key-file). Point the other commands at it with --server or COCKROACH_SERVER. The clusters file holds {\"organization\":{\"id\",\"name\"},\"clusters\":[...]} with each cluster in the API's Cluster shape."
        },
        footer = {
            "",
            "Example:",
            "  export COCKROACH_API_KEY=local-test-key",
            "  cmek sandbox --port 8080 --clusters clusters.json &",
            "  cmek status --server http://127.0.0.1:8080 --cluster <id>",
            "",
            "With the Azure emulator (evaluate the export lines it prints):",
            "  cmek sandbox --clusters clusters.json --azure-emulator > sandbox.out &",
            "  eval \"$(grep '^  export ' sandbox.out)\""
        })
final class SandboxCommand extends BaseCommand {
    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "0",
            description = "Port on 127.0.0.1 (default: a free one, printed at start).")
    int port;

    @Option(
            names = "--clusters",
            required = true,
            paramLabel = "FILE",
            description = "The organization and clusters to serve.")
    Path clustersFile;

    @Option(
            names = "--api-key-file",
            paramLabel = "FILE",
            description = "Accept the key in FILE instead of $COCKROACH_API_KEY.")
    Path apiKeyFile;

    @Option(
            names = "--transition-delay",
            paramLabel = "DURATION",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "How long ENABLING, ROTATING and REVOKING last (default ${DEFAULT-VALUE}).")
    Duration transitionDelay;

    @Option(
            names = "--latency",
            paramLabel = "DURATION",
            defaultValue = "0ms",
            converter = DurationConverter.class,
            description = "Added to every answer (default ${DEFAULT-VALUE}).")
    Duration latency;

    @Option(names = "--log-requests", description = "Print one line per request on stderr.")
    boolean logRequests;

    @Option(
            names = "--aws-endpoint",
            paramLabel = "URL",
            description =
                    "Check AWS key specs against this AWS emulator (moto, LocalStack) the way CockroachDB would: role trust and key policy.")
    URI awsEndpoint;

    @Option(
            names = "--gcp-emulator",
            description =
                    "Also serve a Cloud KMS / IAM emulator on a free port (printed), and check GCP key specs against it.")
    boolean gcpEmulator;

    @Option(
            names = "--gcp-propagation-delay",
            paramLabel = "DURATION",
            defaultValue = "0ms",
            converter = DurationConverter.class,
            description =
                    "With --gcp-emulator: how long new service accounts take to become visible and new IAM bindings"
                            + " effective (default ${DEFAULT-VALUE}).")
    Duration gcpPropagationDelay;

    @Option(
            names = "--azure-emulator",
            description = "Also serve an Azure emulator on a free port (printed, with its exports), and check Azure"
                    + " key specs against it.")
    boolean azureEmulator;

    @Option(
            names = "--azure-propagation-delay",
            paramLabel = "DURATION",
            defaultValue = "250ms",
            converter = DurationConverter.class,
            description = "With --azure-emulator: how long role assignments and new service principals take to take"
                    + " effect (default ${DEFAULT-VALUE}).")
    Duration azurePropagationDelay;

    /** Ctrl-C is how a sandbox is stopped: nothing to report. */
    @Override
    Interruption.Notice interruptNotice() {
        return null;
    }

    SandboxCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        if (port < 0 || port > 65535) {
            throw new CmekException.InvalidInput("--port must be 0 to 65535 (got " + port + ")");
        }
        SandboxConfig config;
        try {
            config = SandboxConfig.load(clustersFile);
        } catch (SandboxConfig.InvalidSandboxConfigException e) {
            throw new CmekException.InvalidInput(e.getMessage());
        }
        String key = ApiKey.resolve(apiKeyFile, terminal.env()).revealForSandbox();
        CloudApiSandbox.Builder builder =
                CloudApiSandbox.builder().config(config).apiKey(key).port(port).transitionDelay(transitionDelay);
        if (logRequests) {
            builder.onExchange(x -> report().progress("sandbox: " + x.method() + " " + x.path() + " -> " + x.status()));
        }
        CloudApiSandbox sandbox;
        try {
            sandbox = builder.build().start();
        } catch (RuntimeException e) {
            throw new CmekException(
                    ExitCode.UNAVAILABLE, "cannot serve on 127.0.0.1:" + port + " (" + e.getMessage() + ")", e);
        }
        sandbox.setLatency(latency);
        List<AutoCloseable> started = new CopyOnWriteArrayList<AutoCloseable>(List.of(sandbox));
        // Ctrl-C ends the JVM without unwinding this thread: the hook closes what was started.
        Thread hook = new Thread(() -> closeAll(started));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return serve(config, sandbox, started);
        } finally {
            closeAll(started);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway
            }
        }
    }

    private ExitCode serve(SandboxConfig config, CloudApiSandbox sandbox, List<AutoCloseable> started) {
        List<String> lines = new ArrayList<>(List.of(
                "sandbox serving " + sandbox.baseUri() + " with "
                        + config.clusters().size() + " cluster(s)",
                "  export COCKROACH_SERVER=" + sandbox.baseUri()));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("server", sandbox.baseUri().toString());
        doc.put("port", sandbox.port());
        doc.put("clusters", config.clusters().size());
        Optional<KeySpecCheck> aws = Optional.empty();
        Optional<KeySpecCheck> gcp = Optional.empty();
        if (awsEndpoint != null) {
            aws = Optional.of(CloudKeyChecks.aws(SdkClients.forEmulator(awsEndpoint)));
            doc.put("aws_endpoint", awsEndpoint.toString());
            lines.add("  checking AWS keys against " + awsEndpoint);
        }
        if (gcpEmulator) {
            GcpEmulator emulator = GcpEmulator.start(0);
            started.add(emulator::close);
            emulator.propagation(gcpPropagationDelay);
            String host = emulator.endpoint().orElseThrow();
            gcp = Optional.of(CloudKeyChecks.gcp(emulator));
            doc.put("gcp_emulator_host", host);
            lines.add("GCP emulator serving " + host);
            lines.add("  export CLOUDKMS_EMULATOR_HOST=" + host + " IAM_EMULATOR_HOST=" + host);
        }
        Optional<KeySpecCheck> azure = Optional.empty();
        if (azureEmulator) {
            AzureEmulator emulator = AzureEmulator.start(0);
            started.add(emulator::close);
            emulator.propagation(azurePropagationDelay);
            // What consent and provisioning look for: each Azure cluster's app, as CockroachDB registers it.
            CloudKeyChecks.registerAzureApps(emulator, config);
            azure = Optional.of(CloudKeyChecks.azure(emulator));
            Map<String, String> env = emulator.env();
            doc.put("azure_emulator", emulator.authorityHost());
            doc.put("azure_env", env);
            lines.add("Azure emulator serving " + emulator.authorityHost());
            // The admin's secret is the emulator's own test credential, made at start; the API key is never printed.
            env.forEach((name, value) -> lines.add("  export " + name + "=" + Interruption.shellWord(value)));
        }
        if (aws.isPresent() || gcp.isPresent() || azure.isPresent()) {
            sandbox.setKeySpecCheck(CloudKeyChecks.of(aws, gcp, azure));
            // As the real API: a key CockroachDB cannot reach yet is refused at once (400), so clients retry while IAM
            // propagates.
            sandbox.setRejectInaccessibleKeys(true);
        }
        report().result(doc, lines);
        try {
            sandbox.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCode.OK;
    }

    private static void closeAll(List<AutoCloseable> started) {
        for (AutoCloseable c : started) {
            try {
                c.close();
            } catch (Exception e) {
                // stopping anyway; nothing to tell
            }
        }
    }
}
