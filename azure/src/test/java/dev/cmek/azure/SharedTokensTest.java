package dev.cmek.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.cmek.core.Backoff;
import dev.cmek.core.Parallel;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** One token per resource, tenant and CAE flag, asked for once at a time. */
class SharedTokensTest {
    private static final class Counting implements TokenCredential {
        final AtomicInteger asked = new AtomicInteger();
        volatile OffsetDateTime expires = OffsetDateTime.now().plusHours(1);
        volatile boolean fail;

        @Override
        public Mono<AccessToken> getToken(TokenRequestContext request) {
            return Mono.fromSupplier(() -> getTokenSync(request));
        }

        @Override
        public AccessToken getTokenSync(TokenRequestContext request) {
            asked.incrementAndGet();
            Backoff.sleep(Duration.ofMillis(50)); // long enough for the others to ask meanwhile
            if (fail) {
                throw new IllegalStateException("refused");
            }
            return new AccessToken("t" + asked.get(), expires);
        }
    }

    private static TokenRequestContext vault(boolean cae) {
        return new TokenRequestContext()
                .addScopes("https://vault.azure.net/.default")
                .setTenantId("t")
                .setCaeEnabled(cae);
    }

    @Test
    void clientsAskingAtOnce_shareOneRequest() {
        Counting c = new Counting();
        SharedTokens shared = new SharedTokens(c);
        List<Supplier<String>> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(() -> shared.getTokenSync(vault(true)).getToken());
        }

        List<String> tokens = Parallel.all(six);

        assertEquals(1, c.asked.get());
        assertEquals(List.of("t1", "t1", "t1", "t1", "t1", "t1"), tokens);
        shared.getTokenSync(vault(false));
        assertEquals(2, c.asked.get(), "another CAE flag is another token");
    }

    @Test
    void aTokenNearExpiry_isAskedForAgain_andAFailureIsNotKept() {
        Counting c = new Counting();
        SharedTokens shared = new SharedTokens(c);
        c.expires = OffsetDateTime.now().plusMinutes(2);
        shared.getTokenSync(vault(true));
        shared.getTokenSync(vault(true));
        assertEquals(2, c.asked.get());

        c.fail = true;
        c.expires = OffsetDateTime.now().plusHours(1);
        assertThrows(IllegalStateException.class, () -> shared.getTokenSync(vault(true)));
        c.fail = false;
        assertEquals("t4", shared.getTokenSync(vault(true)).getToken());
    }

    @Test
    void aRequestWithClaims_alwaysGoesToTheCredential() {
        Counting c = new Counting();
        SharedTokens shared = new SharedTokens(c);
        shared.getTokenSync(vault(true).setClaims("{\"access_token\":{}}"));
        shared.getTokenSync(vault(true).setClaims("{\"access_token\":{}}"));
        assertEquals(2, c.asked.get());
    }
}
