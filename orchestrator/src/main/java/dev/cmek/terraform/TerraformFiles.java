package dev.cmek.terraform;

import static dev.cmek.terraform.Hcl.raw;
import static dev.cmek.terraform.Hcl.str;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.model.KeyType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The blocks every directory of an export shares. */
final class TerraformFiles {
    static final ObjectMapper JSON = new ObjectMapper();

    /** {@code import} blocks came with Terraform 1.5 (https://developer.hashicorp.com/terraform/language/import). */
    static final String REQUIRED_TERRAFORM = ">= 1.5.0";

    private TerraformFiles() {}

    /** A provider a directory needs: its local name, source and pinned version. */
    record Provider(String localName, String source, String version) {}

    /** The {@code terraform} block: the Terraform version and the one provider the directory needs, pinned. */
    static void versions(Hcl.Body file, String localName, String source, String version) {
        versions(file, List.of(new Provider(localName, source, version)));
    }

    /** The {@code terraform} block: the Terraform version and the providers the directory needs, pinned. */
    static void versions(Hcl.Body file, List<Provider> providers) {
        file.block("terraform", t -> {
            t.comment("import blocks need Terraform 1.5 or later.");
            t.attr("required_version", REQUIRED_TERRAFORM);
            t.blank();
            t.block(
                    "required_providers",
                    p -> providers.forEach(provider -> {
                        Map<String, Hcl.Expr> pin = new LinkedHashMap<>();
                        pin.put("source", str(provider.source()));
                        pin.put("version", str(provider.version()));
                        p.attr(provider.localName(), Hcl.Obj.of(pin));
                    }));
        });
    }

    /**
     * The {@code cmek_regions} output: every region's key spec in the shape of the {@code cockroach_cmek} resource's
     * {@code regions}, by region name (the order the Cloud API lists them in, so an imported resource reads the same).
     */
    static void cmekRegionsOutput(Hcl.Body file, KeyType type, Map<String, Hcl.Expr> uris, Hcl.Expr principal) {
        List<Hcl.Expr> regions = new ArrayList<>();
        new TreeMap<>(uris).forEach((region, uri) -> {
            Map<String, Hcl.Expr> key = new LinkedHashMap<>();
            key.put("auth_principal", principal);
            key.put("type", str(type.name()));
            key.put("uri", uri);
            Map<String, Hcl.Expr> spec = new LinkedHashMap<>();
            spec.put("region", str(region));
            spec.put("key", Hcl.Obj.of(key));
            regions.add(Hcl.Obj.of(spec));
        });
        file.block(
                "output",
                List.of("cmek_regions"),
                o -> o.attr(
                                "description",
                                "Every region's key spec for CockroachDB, as the cockroach_cmek resource takes them"
                                        + " (../cockroach reads it).")
                        .attr("value", new Hcl.Tuple(regions)));
    }

    /** One {@code import} block per resource that exists (address to import id). */
    static void importBlocks(Hcl.Body file, Map<String, String> imports) {
        file.comment("Adopts what already exists. `terraform plan` lists these imports and no other change when");
        file.comment("the resources are as cmek made them; after `terraform apply` this file may be deleted.");
        imports.forEach((address, id) -> {
            file.blank();
            file.block("import", b -> b.attr("to", raw(address)).attr("id", id));
        });
    }

    /** A {@code map(string)} variable, empty by default: what an organization adds to cmek's own tags or labels. */
    static void extraTagsVariable(Hcl.Body file, String name, String description) {
        file.block(
                "variable",
                List.of(name),
                v -> v.attr("description", description)
                        .attr("type", raw("map(string)"))
                        .attr("default", new Hcl.Obj(List.of())));
    }
}
