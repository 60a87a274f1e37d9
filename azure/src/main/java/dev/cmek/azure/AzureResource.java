package dev.cmek.azure;

import dev.cmek.core.ResourceKind;

/** What an Azure change is about. */
public enum AzureResource implements ResourceKind {
    RESOURCE_GROUP("resource group"),
    KEY_VAULT("key vault"),
    KEY("key"),
    KEY_ROTATION("key rotation policy"),
    SERVICE_PRINCIPAL("service principal"),
    ROLE_ASSIGNMENT("role assignment");

    private final String words;

    AzureResource(String words) {
        this.words = words;
    }

    @Override
    public String words() {
        return words;
    }
}
