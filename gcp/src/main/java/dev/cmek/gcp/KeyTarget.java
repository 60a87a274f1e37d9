package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.KeyRingName;
import dev.cmek.core.Change;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One crypto key to provision and the regions that use it; {@code brought}: the customer's key, only granted. */
record KeyTarget(CryptoKeyName name, List<String> regions, boolean brought) {
    KeyTarget {
        regions = List.copyOf(regions);
    }

    KeyRingName ring() {
        return KeyRingName.of(name.getProject(), name.getLocation(), name.getKeyRing());
    }

    /** The regions, comma-separated, for {@link Change#region()}. */
    String regionList() {
        return String.join(",", regions);
    }

    /** The request's keys at this generation for these regions, one target per distinct key. */
    static List<KeyTarget> of(GcpCmekRequest req, int generation, List<String> regions) {
        Map<String, Integer> each = new LinkedHashMap<>();
        regions.forEach(r -> each.put(r, generation));
        return of(req, each, regions);
    }

    /** The request's keys for these regions, each at its generation in {@code generations} (else the first). */
    static List<KeyTarget> of(GcpCmekRequest req, Map<String, Integer> generations, List<String> regions) {
        Map<CryptoKeyName, List<String>> byKey = new LinkedHashMap<>();
        for (String r : regions) {
            byKey.computeIfAbsent(req.keyNameOf(r, generations.getOrDefault(r, 1)), k -> new ArrayList<>())
                    .add(r);
        }
        List<KeyTarget> out = new ArrayList<>();
        byKey.forEach((k, rs) -> out.add(new KeyTarget(
                k,
                rs,
                rs.stream().allMatch(r -> generations.getOrDefault(r, 1) == 1)
                        && req.existingKeys().containsValue(k))));
        return out;
    }

    static Map<String, CryptoKeyName> keysByRegion(List<KeyTarget> targets) {
        Map<String, CryptoKeyName> out = new LinkedHashMap<>();
        for (KeyTarget t : targets) {
            t.regions().forEach(r -> out.put(r, t.name()));
        }
        return out;
    }
}
