package dev.cmek.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
        name = "cmek",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        sortOptions = false,
        description = {
            "Customer-managed encryption keys (CMEK) for CockroachDB Cloud Advanced clusters.",
            "%nTalks to the CockroachDB Cloud API with a service-account API key taken from $COCKROACH_API_KEY or --api-key-file (never from a flag value); the server is $COCKROACH_SERVER or --server."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (or already as asked)",
            "1:internal error (a bug: please report it)",
            "2:bad input or usage (including an unknown cluster): nothing was changed",
            "3:rejected by the Cloud API or a cloud (auth, permission, conflict)",
            "4:a CMEK operation ended in a *_FAILED status",
            "5:timed out waiting (the operation may still complete)",
            "6:the Cloud API or a cloud could not be reached, after retries",
            "7:verification (or the audit) found a failed control: a grant missing or broader than intended, a key not usable or not rotating, CockroachDB not ENABLED",
            "8:partial: grants left, or REVOKE not sent (the Cloud API could not be read); fix that and re-run with the same --evidence",
            "130:interrupted (Ctrl-C): what was done and the command that finishes or undoes it are printed"
        },
        footer = {"", "Run 'cmek help COMMAND' for a command's options; the README has a walkthrough."})
final class CmekCommand implements Runnable {
    /**
     * The commands by name, in the order help lists them. Not in the annotation: {@link Main} builds picocli's model of
     * only the command a run names (a third of a cold revoke's CPU time went to modelling all of them), of all of them
     * for {@code cmek help}, a typo's suggestions and the generated docs, and for {@code cmek --help} only their names
     * and texts. The names are the annotations' (a test checks), here so that finding the one named reads no annotation
     * of the others (about 15 ms of a cold start).
     */
    static final Map<String, Class<?>> COMMANDS = commands(
            "status", StatusCommand.class,
            "plan", PlanCommand.class,
            "provision", ProvisionCommand.class,
            "enable", EnableCommand.class,
            "rotate", RotateCommand.class,
            "add-region", AddRegionCommand.class,
            "verify", VerifyCommand.class,
            "audit", AuditCommand.class,
            "revoke", RevokeCommand.class,
            "restore", RestoreCommand.class,
            "fleet", FleetCommand.class,
            "manifest", ManifestCommand.class,
            "export", ExportCommand.class,
            "sandbox", SandboxCommand.class,
            "help", CommandLine.HelpCommand.class);

    private static Map<String, Class<?>> commands(Object... nameThenClass) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            byName.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return Collections.unmodifiableMap(byName);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a command (see cmek --help)");
    }

    /** The version Maven stamped into version.properties, and the commit the build read from git (if any). */
    static final class Version implements CommandLine.IVersionProvider {
        /** Where the SBOM that sbom.sha256 names lies in the unpacked archive. */
        static final String SBOM_DIR = "share/doc/cmek/";

        @Override
        public String[] getVersion() throws IOException {
            String commit = commit();
            return new String[] {
                "cmek " + number()
                        + (commit.isEmpty() ? "" : " (commit " + commit + ")")
                        + " (Cloud API " + dev.cmek.api.ApiSettings.API_VERSION + ")"
            };
        }

        /**
         * {@code --version --output json}: the same, and the SBOM built with this jar (its file in the archive and its
         * SHA-256), so that a running binary can be matched to its SBOM. Read from a one-line resource the build
         * wrote, not from the SBOM itself.
         */
        static Map<String, Object> document() throws IOException {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("version", number());
            String commit = commit();
            document.put("commit", commit.isEmpty() ? null : commit);
            document.put("cloud_api_version", dev.cmek.api.ApiSettings.API_VERSION);
            // sha256sum's format: the digest, two spaces, the file's name.
            String[] sum = resource("sbom.sha256").split(" +", 2);
            if (sum.length == 2 && sum[0].matches("[0-9a-f]{64}")) {
                Map<String, Object> sbom = new LinkedHashMap<>();
                sbom.put("format", "CycloneDX JSON");
                sbom.put("file", SBOM_DIR + sum[1]);
                sbom.put("sha256", sum[0]);
                document.put("sbom", sbom);
            } else {
                document.put("sbom", null);
            }
            return document;
        }

        private static String number() throws IOException {
            Properties p = new Properties();
            try (InputStream in = CmekCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return p.getProperty("version", "unknown");
        }

        private static String commit() throws IOException {
            String commit = resource("commit.txt");
            return commit.matches("[0-9a-f]{7,40}") ? commit : "";
        }

        private static String resource(String name) throws IOException {
            try (InputStream in = CmekCommand.class.getResourceAsStream(name)) {
                return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            }
        }
    }
}
