package dev.cmek.cli;

import dev.cmek.api.ApiKey;
import dev.cmek.api.ApiSettings;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekWaiter;
import dev.cmek.api.HttpCloudApi;
import dev.cmek.api.RequestPacer;
import dev.cmek.workflow.CmekLifecycle;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Mixin;

/** A subcommand that talks to the Cloud API; the client is built only when first needed, after input checks. */
abstract class ApiCommand extends BaseCommand {
    /** One pacer per process: every thread and command shares the API's 10 requests/s. */
    private static final RequestPacer PACER = RequestPacer.cloudApiDefault();

    @Mixin
    ApiOptions apiOptions;

    private CloudApi api;
    private ApiKey key;

    ApiCommand(Terminal terminal) {
        super(terminal);
    }

    CloudApi api() {
        if (api == null) {
            ApiSettings settings = ApiSettings.defaults(ApiSettings.resolveServer(apiOptions.server, terminal.env()))
                    .withPropagationWindow(propagationTimeout());
            key = ApiKey.resolve(apiOptions.apiKeyFile, terminal.env());
            api = new HttpCloudApi(settings, key, PACER, report()::progress);
        }
        return api;
    }

    /** How long a submitted key spec may be refused while cloud IAM propagates; commands that submit one override. */
    Duration propagationTimeout() {
        return PropagationOption.DEFAULT;
    }

    CmekWaiter waiter() {
        return new CmekWaiter(api(), CmekWaiter.Schedule.standard(), report()::progress);
    }

    CmekLifecycle lifecycle() {
        return new CmekLifecycle(api(), waiter(), allowCrossRegionKeys());
    }

    /** Whether an AWS key of another region may serve a region: only where the command takes the option. */
    boolean allowCrossRegionKeys() {
        return false;
    }

    static Optional<Duration> waitFor(WaitOptions wait) {
        return wait.noWait ? Optional.empty() : Optional.of(wait.timeout);
    }

    /** The key in use, so that the error handler can make sure it never prints it. */
    Optional<ApiKey> apiKey() {
        return Optional.ofNullable(key);
    }
}
