package dev.cmek.aws;

import dev.cmek.core.Change;
import dev.cmek.core.ResourceKind;

/** What an AWS change is about. */
public enum AwsResource implements ResourceKind {
    ROLE("role"),
    KEY("key"),
    KEY_POLICY("key policy"),
    KEY_ROTATION("key rotation");

    private final String words;

    AwsResource(String words) {
        this.words = words;
    }

    @Override
    public String words() {
        return words;
    }

    static Change role(String name, Change.Action action, String detail) {
        return new Change(ROLE, name, null, action, detail);
    }

    static Change key(String resource, String region, Change.Action action, String detail) {
        return new Change(KEY, resource, region, action, detail);
    }

    static Change keyPolicy(String key, String region, Change.Action action, String detail) {
        return new Change(KEY_POLICY, key, region, action, detail);
    }

    static Change keyRotation(String key, String region, Change.Action action, String detail) {
        return new Change(KEY_ROTATION, key, region, action, detail);
    }
}
