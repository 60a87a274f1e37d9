package dev.cmek.gcp;

import dev.cmek.core.Change;
import dev.cmek.core.ResourceKind;
import java.util.Locale;

/** What a GCP change is about. */
public enum GcpResource implements ResourceKind {
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_POLICY,
    KEY_RING,
    CRYPTO_KEY,
    CRYPTO_KEY_POLICY,
    CRYPTO_KEY_ROTATION;

    /** In words, as shown to users: "service account", "crypto key policy", ... */
    @Override
    public String words() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** A change to the service account or its policy, which serve every region. */
    static Change account(GcpResource type, String resource, Change.Action action, String detail) {
        return new Change(type, resource, null, action, detail);
    }
}
