package dev.cmek.azure.emulator;

import java.time.Instant;
import java.util.Optional;

/** Reads the bearer token every resource host requires, and says why one is not acceptable. */
final class Auth {
    private Auth() {}

    /** The outcome of checking a request's token for one audience: its claims, or what is wrong with it. */
    record Check(Tokens.Claims claims, Problem problem) {
        boolean ok() {
            return problem == null;
        }
    }

    enum Problem {
        MISSING,
        INVALID,
        EXPIRED,
        WRONG_AUDIENCE
    }

    static String bearer(Http.Request r) {
        String h = r.header("authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return h.substring(7).trim();
    }

    static Check check(Tokens tokens, Http.Request r, String... audiences) {
        String token = bearer(r);
        if (token == null || token.isEmpty()) {
            return new Check(null, Problem.MISSING);
        }
        Optional<Tokens.Claims> claims = tokens.verify(token);
        if (claims.isEmpty()) {
            return new Check(null, Problem.INVALID);
        }
        Tokens.Claims c = claims.get();
        if (!Instant.now().isBefore(c.expiresAt())) {
            return new Check(c, Problem.EXPIRED);
        }
        for (String aud : audiences) {
            if (aud.equalsIgnoreCase(c.audience())) {
                return new Check(c, null);
            }
        }
        return new Check(c, Problem.WRONG_AUDIENCE);
    }
}
