package dev.cmek.aws;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.KeyState;

/** What exists in the emulator, counted with the raw SDK (not through the code under test). */
record Inventory(int roles, Map<String, Integer> keys, Map<String, Integer> aliases, Map<String, Integer> grants) {

    static Inventory of(AwsClients clients, ClusterId cluster, List<Region> regions) {
        ResourceNames names = new ResourceNames(cluster);
        int roles = (int) clients.iam().listRolesPaginator().roles().stream()
                .filter(r -> r.roleName().startsWith("crdb-cmek-"))
                .count();
        Map<String, Integer> keys = new TreeMap<>();
        Map<String, Integer> aliases = new TreeMap<>();
        Map<String, Integer> grants = new TreeMap<>();
        for (Region r : regions) {
            var kms = clients.kms(r);
            List<KeyListEntry> live = kms.listKeys().keys().stream()
                    .filter(k -> kms.describeKey(b -> b.keyId(k.keyId()))
                                    .keyMetadata()
                                    .keyState()
                            != KeyState.PENDING_DELETION)
                    .toList();
            keys.put(r.id(), live.size());
            aliases.put(r.id(), (int) kms.listAliases().aliases().stream()
                    .filter(a -> a.aliasName().startsWith(names.aliasPrefix()))
                    .count());
            int g = 0;
            for (KeyListEntry k : live) {
                String p = kms.getKeyPolicy(b -> b.keyId(k.keyId()).policyName("default"))
                        .policy();
                g += (int) PolicyDocument.parse(p).statements().stream()
                        .filter(s -> names.grantSid().equals(s.path("Sid").asText(null)))
                        .count();
            }
            grants.put(r.id(), g);
        }
        return new Inventory(roles, keys, aliases, grants);
    }

    /** One role; per region one key, one alias, one grant statement. */
    static Inventory converged(List<Region> regions) {
        Map<String, Integer> one = new TreeMap<>();
        regions.forEach(r -> one.put(r.id(), 1));
        return new Inventory(1, one, one, one);
    }
}
