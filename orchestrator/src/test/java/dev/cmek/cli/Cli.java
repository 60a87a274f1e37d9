package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.testing.Sandboxes;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process with captured streams, a given environment and given keyboard input. */
public final class Cli {
    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private boolean interactive;

    public record Result(int exit, String out, String err) {
        /** Everything the run printed, for checks that a secret appears nowhere. */
        public String all() {
            return out + "\n" + err;
        }
    }

    public Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The Cloud API: the sandbox's address and the API key it accepts. */
    public Cli api(CloudApiSandbox sandbox) {
        return env("COCKROACH_API_KEY", Sandboxes.API_KEY)
                .env("COCKROACH_SERVER", sandbox.baseUri().toString());
    }

    /** AWS: moto through its strict stand-in, with the session credentials it expects. */
    public Cli aws(MotoServer moto) {
        return env("AWS_ENDPOINT_URL", moto.endpoint().toString())
                .env("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY)
                .env("AWS_SESSION_TOKEN", MotoServer.SESSION_TOKEN);
    }

    /** GCP: the emulator through both emulator variables, as a user would. */
    public Cli gcp(GcpEmulator emulator) {
        String host = emulator.endpoint().orElseThrow();
        return env("CLOUDKMS_EMULATOR_HOST", host).env("IAM_EMULATOR_HOST", host);
    }

    /**
     * Azure: the emulator's admin (tenant, client id and secret, subscription), its token endpoint as the authority host,
     * and the emulator as the proxy whose CA to trust: every variable the adapter reads.
     */
    public Cli azure(AzureEmulator emulator) {
        emulator.env().forEach(this::env);
        return this;
    }

    /** {@code r}, once it is known to have exited with {@code code}; otherwise fails showing both streams. */
    public static Result exit(int code, Result r) {
        assertEquals(code, r.exit(), () -> "stderr: " + r.err() + "\nstdout: " + r.out());
        return r;
    }

    /** {@code r}, once it is known to have succeeded; otherwise fails showing both streams. */
    public static Result ok(Result r) {
        return exit(0, r);
    }

    /** {@code cmek enable --cluster ID --provision --out FILE}, then {@code more}: keys made and CMEK enabled. */
    public Result enableProvisioning(String clusterId, java.nio.file.Path out, String... more) {
        String[] args = {"enable", "--cluster", clusterId, "--provision", "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return run(all);
    }

    public Cli typing(String input) {
        this.stdin = input;
        this.interactive = true;
        return this;
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(
                new BufferedReader(new StringReader(stdin)),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                Map.copyOf(env),
                interactive);
        int exit = Main.run(terminal, args);
        Result result = new Result(exit, out.toString(), err.toString());
        String key = env.get("COCKROACH_API_KEY");
        if (key != null && !key.isBlank() && result.all().contains(key)) {
            throw new AssertionError("the API key appeared in the output of cmek " + String.join(" ", args));
        }
        String secret = env.get("AZURE_CLIENT_SECRET");
        if (secret != null && !secret.isBlank() && result.all().contains(secret)) {
            throw new AssertionError(
                    "the Azure client secret appeared in the output of cmek " + String.join(" ", args));
        }
        return result;
    }
}
