package dev.cmek.cli;

import dev.cmek.terraform.TerraformExport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code cmek export terraform} wrote, as a JSON document and as text lines. */
final class ExportView {
    private ExportView() {}

    static Map<String, Object> document(TerraformExport.Result r, boolean importing) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", r.clusterId());
        doc.put("cloud", r.cloud());
        doc.put("directory", r.directory().toString());
        doc.put("import", importing);
        doc.put("files", r.files());
        doc.put("imports", r.imports());
        doc.put("notes", r.notes());
        return doc;
    }

    static List<String> lines(TerraformExport.Result r) {
        List<String> lines = new ArrayList<>();
        lines.add("wrote a Terraform configuration for cluster " + r.clusterId() + " on " + r.cloud() + " to "
                + r.directory() + ":");
        r.files().forEach(f -> lines.add("  " + f));
        if (!r.imports().isEmpty()) {
            lines.add("import blocks adopt " + r.imports().size() + " existing resources: "
                    + String.join(", ", r.imports()));
        }
        r.notes().forEach(n -> lines.add("note: " + n));
        String cloudDir = r.cloud().toLowerCase(java.util.Locale.ROOT);
        lines.add("next: cd " + r.directory().resolve(cloudDir) + " && terraform init && terraform plan (see "
                + r.directory().resolve("README.md") + ")");
        return lines;
    }
}
