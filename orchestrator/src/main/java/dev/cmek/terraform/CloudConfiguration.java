package dev.cmek.terraform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cloud side of an export: one directory of Terraform files for the cluster's cloud. Each cloud says its providers
 * and writes its own blocks; the file layout and the import blocks are the same for all.
 */
abstract class CloudConfiguration {
    /** What exists: resource address to import id, in the order found. */
    final Map<String, String> existing = new LinkedHashMap<>();

    private final boolean importing;

    CloudConfiguration(boolean importing) {
        this.importing = importing;
    }

    /** {@code aws}, {@code gcp} or {@code azure}: the directory under the export's, and the state {@code ../cockroach} reads. */
    abstract String directory();

    /** The providers {@code versions.tf} pins. */
    abstract List<TerraformFiles.Provider> providers();

    /** {@code providers.tf}: how each provider is configured. */
    abstract void providerBlocks(Hcl.Body file);

    abstract void variables(Hcl.Body file);

    abstract void main(Hcl.Body file);

    abstract void outputs(Hcl.Body file);

    /** The key URI of each region, where it is known before applying (keys that exist, or named in advance). */
    abstract Map<String, String> keyUris();

    /** File name to content, in the order they are written. */
    final Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("versions.tf", Hcl.file(b -> TerraformFiles.versions(b, providers())));
        files.put("providers.tf", Hcl.file(this::providerBlocks));
        files.put("variables.tf", Hcl.file(this::variables));
        files.put("main.tf", Hcl.file(this::main));
        files.put("outputs.tf", Hcl.file(this::outputs));
        if (importing && !existing.isEmpty()) {
            files.put("imports.tf", Hcl.file(b -> TerraformFiles.importBlocks(b, existing)));
        }
        return files;
    }

    /** The address of every resource an {@code import} block adopts (none unless importing). */
    final List<String> imports() {
        return importing ? List.copyOf(existing.keySet()) : List.of();
    }

    /** The address of every resource of the configuration that exists already, importing or not. */
    final List<String> existing() {
        return List.copyOf(existing.keySet());
    }
}
