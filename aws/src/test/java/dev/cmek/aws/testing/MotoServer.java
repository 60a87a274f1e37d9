package dev.cmek.aws.testing;

import dev.cmek.aws.AccountId;
import dev.cmek.aws.SdkClients;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A real moto server for tests, behind {@link StrictAws} so that it behaves as AWS does (eventual consistency,
 * throttling, session tokens): started on a free 127.0.0.1 port before the class (or one a finished class of this JVM
 * left, reset), reset before each test (the strict behaviours back to their defaults), and after the class kept for
 * the next one, stopped when the JVM exits. If it cannot start the tests fail (never skip).
 * Register with {@code @RegisterExtension static MotoServer moto = MotoServer.create();} or use {@link #start()}
 * outside JUnit. The binary is {@code $MOTO_SERVER}, else {@code moto_server} on PATH, else the machine's pyenv Python.
 * moto runs with {@code moto_sitecustomize.py}, which takes one cost off moto that AWS does not have: an RSA key pair
 * generated inside every symmetric CreateKey.
 *
 * <p>{@link #clients()} are what the code under test uses: session credentials, through the strict proxy. {@link
 * #rawClients()} go straight to moto, for a test's own set-up and inspection ("out of band").
 */
public final class MotoServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AutoCloseable {
    /** The account moto pretends to be (set through MOTO_ACCOUNT_ID). */
    public static final AccountId ACCOUNT = AccountId.of("111122223333");
    /** The temporary credentials every test signs with; the strict proxy refuses requests without the token. */
    public static final String ACCESS_KEY_ID = "ASIAQTESTSESSION0001";

    public static final String SECRET_ACCESS_KEY = "testing-secret";
    public static final String SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEsessiontoken";

    static final String FALLBACK = "/root/.pyenv/versions/3.11.7/bin/moto_server";
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final String SITE_CUSTOMIZE = "moto_sitecustomize.py";
    static final String LAZY_KEYS_MARKER = "cmek-moto: KMS key pairs of symmetric keys are made on first use";

    /**
     * Motos of test classes that ended in this JVM, for the next class (reset first): a new moto costs about 0.9 s of CPU
     * to start and more to import each service on its first call. Only for the JUnit extension of the default binary;
     * {@link #start()} and {@link #launch()} always start their own.
     */
    private static final Deque<Idle> IDLE = new ConcurrentLinkedDeque<>();

    private record Idle(Process process, int port, Path log) {
        void discard() {
            stop(process);
            deleteLog(log);
        }
    }

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> IDLE.forEach(Idle::discard), "moto-idle-stopper"));
    }

    private final String binary;
    private Process process;
    private Path log;
    private int port;
    private StrictAws strict;

    private MotoServer(String binary) {
        this.binary = binary;
    }

    public static MotoServer create() {
        return new MotoServer(null);
    }

    /** A server run from this executable instead of the one found by {@link #binary()}. */
    public static MotoServer create(String binary) {
        return new MotoServer(binary);
    }

    /** Starts a server now (for benchmarks and mains); close it when done. */
    public static MotoServer start() {
        MotoServer m = new MotoServer(null);
        m.launch();
        return m;
    }

    /** Where the code under test sends AWS calls: the strict proxy in front of moto. */
    public URI endpoint() {
        return strict.endpoint();
    }

    /** Moto itself, without the strict behaviours. */
    public URI motoEndpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The proxy's knobs, faults and call counts. */
    public StrictAws strict() {
        return strict;
    }

    public AccountId account() {
        return ACCOUNT;
    }

    /** SDK clients with session credentials, through the strict proxy: what the code under test gets. */
    public SdkClients clients() {
        return SdkClients.builder()
                .endpoint(endpoint())
                .credentials(sessionCredentials())
                .build();
    }

    /** SDK clients straight to moto, for a test's own set-up and inspection. */
    public SdkClients rawClients() {
        return SdkClients.builder()
                .endpoint(motoEndpoint())
                .credentials(sessionCredentials())
                .controlPlanePerSecond(0)
                .build();
    }

    public static StaticCredentialsProvider sessionCredentials() {
        return StaticCredentialsProvider.create(
                AwsSessionCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN));
    }

    /** Forgets every resource (POST /moto-api/reset). */
    public void reset() {
        try {
            HttpURLConnection c = (HttpURLConnection)
                    motoEndpoint().resolve("/moto-api/reset").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.getOutputStream().close();
            if (c.getResponseCode() != 200) {
                throw new IllegalStateException("moto reset answered " + c.getResponseCode());
            }
            c.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("moto reset failed at " + motoEndpoint(), e);
        }
        if (strict != null) {
            strict.reset();
        }
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        for (Idle idle; binary == null && process == null && (idle = IDLE.poll()) != null; ) {
            if (idle.process().isAlive()) {
                process = idle.process();
                port = idle.port();
                log = idle.log();
                reset();
                strict = new StrictAws(motoEndpoint());
                return;
            }
            idle.discard();
        }
        launch();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (binary == null && process != null && process.isAlive()) {
            strict.close();
            strict = null;
            IDLE.push(new Idle(process, port, log));
            process = null;
            log = null;
            return;
        }
        close();
    }

    static String binary() {
        String env = System.getenv("MOTO_SERVER");
        if (env != null && !env.isBlank()) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "moto_server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return FALLBACK;
    }

    synchronized void launch() {
        if (process != null) {
            return;
        }
        String bin = binary != null ? binary : binary();
        try {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            log = Files.createTempFile("moto-", ".log");
            ProcessBuilder pb = new ProcessBuilder(bin, "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("MOTO_ACCOUNT_ID", ACCOUNT.value());
            // moto's Tagging API (GetResources, which finds our tagged keys) touches the Region's EC2 backend whatever
            // the ResourceTypeFilters, and after each reset that backend is rebuilt with every default AMI: 40 to 120
            // ms of CPU per Region under moto's one interpreter lock (measured with cProfile, moto 5.2.1
            // resourcegroupstaggingapi/models.py ec2_backend, ec2/models/amis.py _load_amis), which held up every
            // other call of a provision, and which AWS has no counterpart of. The toolkit never uses EC2; moto's own
            // setting (moto/settings.py ec2_load_default_amis) skips the AMIs: about 6 ms instead.
            env.put("MOTO_EC2_LOAD_DEFAULT_AMIS", "false");
            env.put("PYTHONPATH", pythonPath(siteCustomization(), env.get("PYTHONPATH")));
            process = pb.start();
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    break;
                }
                if (answers()) {
                    if (!readLog().contains(LAZY_KEYS_MARKER)) {
                        String output = readLog();
                        close();
                        throw new IllegalStateException("moto_server '" + bin + "' answered without loading "
                                + SITE_CUSTOMIZE + " (its marker \"" + LAZY_KEYS_MARKER + "\" is not in its output);"
                                + " run moto[server]==5.2.1 with the Python it was installed with. Its output:\n"
                                + output);
                    }
                    strict = new StrictAws(motoEndpoint());
                    return;
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            close();
            throw new IllegalStateException(
                    "cannot start moto_server '" + bin + "': " + e.getMessage()
                            + ". Install moto[server] or set MOTO_SERVER to its path.",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String output = readLog();
        close();
        throw new IllegalStateException("moto_server '" + bin + "' did not answer on 127.0.0.1:" + port + " within "
                + STARTUP.toSeconds() + "s. Install moto[server] or set MOTO_SERVER. Its output:\n" + output);
    }

    /**
     * A directory holding {@code moto_sitecustomize.py} as {@code sitecustomize.py}: on moto's PYTHONPATH, Python
     * loads it at start whatever launches moto_server (console script, pyenv shim, wrapper). See there: moto's RSA
     * key pair for symmetric keys made on first use, not inside every CreateKey.
     */
    static Path siteCustomization() throws IOException {
        Path dir = Files.createTempDirectory("cmek-moto-site-");
        Path file = dir.resolve("sitecustomize.py");
        try (InputStream in = MotoServer.class.getResourceAsStream(SITE_CUSTOMIZE)) {
            if (in == null) {
                throw new IOException("the test resource " + SITE_CUSTOMIZE + " is missing");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return dir;
    }

    /** {@code dir} first on PYTHONPATH, before whatever the environment had. */
    static String pythonPath(Path dir, String inherited) {
        return inherited == null || inherited.isBlank() ? dir.toString() : dir + File.pathSeparator + inherited;
    }

    private static void deleteLog(Path log) {
        try {
            if (log != null) {
                Files.deleteIfExists(log);
            }
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection)
                    motoEndpoint().resolve("/moto-api/data.json").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            int code = c.getResponseCode();
            c.getInputStream().readAllBytes();
            return code == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private String readLog() {
        try {
            return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (strict != null) {
            strict.close();
            strict = null;
        }
        if (process != null) {
            stop(process);
            process = null;
        }
        deleteLog(log);
        log = null;
    }
}
