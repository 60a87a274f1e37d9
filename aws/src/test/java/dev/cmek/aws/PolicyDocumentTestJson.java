package dev.cmek.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;

final class PolicyDocumentTestJson {
    private PolicyDocumentTestJson() {}

    static ObjectNode object(String json) {
        try {
            return (ObjectNode) PolicyDocument.JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
