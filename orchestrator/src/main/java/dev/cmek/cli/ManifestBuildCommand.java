package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.StrictJson;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeySpecRules;
import dev.cmek.model.KeyType;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.model.RegionSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "build",
        description = {
            "Build a manifest from keys you already have.",
            "%nKey specs come from the command line or a small file; the result is checked like `manifest validate` and printed, or written atomically to --out.",
            "%nThe key type is taken from the URI (arn:aws:kms:... is AWS_KMS, projects/... is GCP_CLOUD_KMS)."
        },
        footer = {
            "",
            "Examples:",
            "  cmek manifest build --region us-east-1 --uri arn:aws:kms:us-east-1:111122223333:key/<id> \\",
            "                      --principal arn:aws:iam::111122223333:role/crdb-cmek --out cmek_config.json",
            "  cmek manifest build --from keys.txt     # lines: REGION URI PRINCIPAL; # starts a comment"
        })
final class ManifestBuildCommand extends BaseCommand {

    static final class Entry {
        @Option(
                names = "--region",
                required = true,
                paramLabel = "REGION",
                description = "Cluster region, e.g. us-east-1.")
        String region;

        @Option(
                names = "--uri",
                required = true,
                paramLabel = "URI",
                description = "Key ARN (AWS) or projects/.../cryptoKeys/KEY (GCP).")
        String uri;

        @Option(
                names = "--principal",
                required = true,
                paramLabel = "PRINCIPAL",
                description = "Role ARN (AWS) or service account email (GCP).")
        String principal;
    }

    @ArgGroup(
            exclusive = false,
            multiplicity = "0..*",
            heading = "Key specs (repeat the three options once per region):%n")
    List<Entry> entries = new ArrayList<>();

    @Option(
            names = "--from",
            paramLabel = "FILE",
            description = "Read key specs from FILE, one per line: REGION URI PRINCIPAL.")
    Path from;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Write the manifest to FILE (atomically) instead of stdout.")
    Path out;

    @Mixin
    CrossRegionKeysOption crossRegionKeys;

    ManifestBuildCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        if (out != null) {
            OutputPath.checkFile(out, "--out", "cmek_config.json");
        }
        List<RegionSpec> specs = new ArrayList<>();
        if (from != null) {
            specs.addAll(readSpecFile(from));
        }
        for (Entry e : entries) {
            specs.add(new RegionSpec(e.region, new KeySpec(typeOf(e.uri, "--uri"), e.uri, e.principal)));
        }
        if (specs.isEmpty()) {
            throw new CmekException.InvalidInput("no key specs: give --region/--uri/--principal or --from FILE");
        }
        // Through the same strict reader as a manifest file, so a built manifest obeys exactly the same rules.
        Manifest manifest = ManifestCodec.parse(ManifestCodec.format(new Manifest(specs)), "manifest build");
        KeySpecRules.checkRegionsMatch(manifest, crossRegionKeys.allow);
        if (out == null) {
            terminal.out().print(ManifestCodec.format(manifest));
            terminal.out().flush();
            return ExitCode.OK;
        }
        ManifestCodec.write(out, manifest);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", out.toString());
        doc.put("regions", manifest.regions());
        report().result(doc, List.of("wrote " + out + " (" + String.join(", ", manifest.regions()) + ")"));
        return ExitCode.OK;
    }

    private static List<RegionSpec> readSpecFile(Path file) {
        List<String> lines = StrictJson.readText(file).lines().toList();
        List<RegionSpec> specs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("[\\s,]+");
            String at = file + ":" + (i + 1);
            if (fields.length != 3) {
                throw new CmekException.InvalidInput(
                        at + ": expected REGION URI PRINCIPAL, found " + fields.length + " field(s)");
            }
            specs.add(new RegionSpec(fields[0], new KeySpec(typeOf(fields[1], at), fields[1], fields[2])));
        }
        return specs;
    }

    private static KeyType typeOf(String uri, String where) {
        if (uri.startsWith("arn:")) {
            return KeyType.AWS_KMS;
        }
        if (uri.startsWith("projects/")) {
            return KeyType.GCP_CLOUD_KMS;
        }
        if (uri.startsWith("https://") && uri.contains(".vault.azure.net/")) {
            return KeyType.AZURE_KEY_VAULT;
        }
        throw new CmekException.InvalidInput(where + ": cannot tell the key type of \"" + uri
                + "\" (expected arn:aws:kms:... or projects/.../cryptoKeys/...)");
    }
}
