package dev.cmek.sandbox;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.whitelist.ValidationErrorsWhitelist;
import com.atlassian.oai.validator.whitelist.rule.WhitelistRules;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks recorded Cloud API exchanges against the published OpenAPI spec (a copy in test resources,
 * {@value #SPEC_RESOURCE}, version 2024-09-16). Reuse it on any {@link CloudApiSandbox#requestLog()}:
 * {@code OpenApiContract.assertConforms(sandbox.requestLog().exchanges())}.
 */
public final class OpenApiContract {

    /** Classpath location of the spec copy. */
    public static final String SPEC_RESOURCE = "/cockroach-cloud-openapi.json";

    private static volatile OpenApiInteractionValidator validator;

    private OpenApiContract() {}

    /** Fails listing every violation if any request or response of {@code exchanges} breaks the spec. */
    public static void assertConforms(List<RecordedExchange> exchanges) {
        assertNoViolations(exchanges, true);
    }

    /** {@link #assertConforms} on everything {@code sandbox} answered, then closes it, pass or fail (a test's teardown). */
    public static void assertConformsThenClose(CloudApiSandbox sandbox) {
        try {
            assertConforms(sandbox.requestLog().exchanges());
        } finally {
            sandbox.close();
        }
    }

    /**
     * Fails listing every violation if any response breaks the spec; requests are not checked, for tests
     * that send deliberately malformed requests.
     */
    public static void assertResponsesConform(List<RecordedExchange> exchanges) {
        assertNoViolations(exchanges, false);
    }

    /** The spec violations of one exchange, each as "METHOD path status: [level key] message"; empty if none. */
    public static List<String> violations(RecordedExchange exchange, boolean checkRequest) {
        Request request = toRequest(exchange);
        SimpleResponse.Builder response = new SimpleResponse.Builder(exchange.status());
        exchange.responseHeaders().forEach(response::withHeader);
        if (!exchange.responseBody().isEmpty()) response.withBody(exchange.responseBody());
        ValidationReport report = checkRequest
                ? validator().validate(request, response.build())
                : validator().validateResponse(exchange.path(), request.getMethod(), response.build());
        List<String> out = new ArrayList<>();
        for (ValidationReport.Message m : report.getMessages()) {
            if (m.getLevel() == ValidationReport.Level.ERROR) {
                out.add(exchange.method() + " " + exchange.path() + " " + exchange.status() + ": [" + m.getKey() + "] "
                        + m.getMessage());
            }
        }
        return out;
    }

    private static void assertNoViolations(List<RecordedExchange> exchanges, boolean checkRequest) {
        List<String> all = new ArrayList<>();
        for (RecordedExchange e : exchanges) {
            all.addAll(violations(e, checkRequest));
        }
        if (!all.isEmpty()) {
            throw new AssertionError(all.size() + " OpenAPI violation(s) in " + exchanges.size() + " exchange(s):\n  "
                    + String.join("\n  ", all));
        }
    }

    private static Request toRequest(RecordedExchange e) {
        SimpleRequest.Builder b = new SimpleRequest.Builder(e.method().toUpperCase(Locale.ROOT), e.path());
        e.requestHeaders().forEach(b::withHeader);
        if (!e.query().isEmpty()) {
            for (String pair : e.query().split("&")) {
                int eq = pair.indexOf('=');
                b.withQueryParam(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        if (!e.requestBody().isEmpty()) b.withBody(e.requestBody());
        return b.build();
    }

    private static OpenApiInteractionValidator validator() {
        OpenApiInteractionValidator v = validator;
        if (v == null) {
            synchronized (OpenApiContract.class) {
                v = validator;
                if (v == null) {
                    URL spec = OpenApiContract.class.getResource(SPEC_RESOURCE);
                    if (spec == null)
                        throw new IllegalStateException("OpenAPI spec not on the classpath: " + SPEC_RESOURCE);
                    v = OpenApiInteractionValidator.createForSpecificationUrl(spec.toString())
                            .withLevelResolver(LevelResolver.create()
                                    // The request log never stores Authorization (by design), so the
                                    // Bearer requirement cannot be checked from it; auth has its own tests.
                                    .withLevel("validation.request.security.missing", ValidationReport.Level.IGNORE)
                                    .build())
                            // The spec's Cluster lists is_customer_cloud_account as required but never
                            // declares it under properties, so a conforming Cluster cannot avoid this
                            // additionalProperties error; forgive exactly that one property, nothing else.
                            .withWhitelist(ValidationErrorsWhitelist.create()
                                    .withRule(
                                            "Cluster.is_customer_cloud_account is required but undeclared in the spec",
                                            WhitelistRules.allOf(
                                                    WhitelistRules.isResponse(),
                                                    WhitelistRules.messageHasKey(
                                                            "validation.response.body.schema.additionalProperties"),
                                                    WhitelistRules.messageContainsRegexp(
                                                            ".*: \\[\"is_customer_cloud_account\"\\]$"))))
                            .build();
                    validator = v;
                }
            }
        }
        return v;
    }
}
