package dev.cmek.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.ApiKey;
import dev.cmek.api.CmekWaiter;
import dev.cmek.api.HttpCloudApi;
import dev.cmek.api.RequestPacer;
import dev.cmek.core.Change;
import dev.cmek.model.ManifestCodec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.RecordedExchange;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet workflow against the sandbox: one shared client and rate limit, failures kept per cluster, re-runs. */
class FleetTest {
    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2");
    private static final List<String> IDS = FleetSandboxes.clusterIds(6);
    private static final Fleet.Options FAST = new Fleet.Options(
            4,
            Duration.ofSeconds(30),
            new CmekWaiter.Schedule(Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(10)),
            Duration.ofMillis(20));

    @TempDir
    Path dir;

    private CloudApiSandbox sandbox;
    /** One pacer for every run of a test, as in one process: a fresh one would not know the last second's requests. */
    private final RequestPacer pacer = RequestPacer.cloudApiDefault();

    private final List<Fleet.ClusterResult> finished = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private FleetFile fleet() {
        sandbox = sandbox == null ? FleetSandboxes.start(IDS, REGIONS, Duration.ofMillis(150)) : sandbox;
        return FleetFile.read(FleetSandboxes.writeFleet(dir, IDS, REGIONS));
    }

    private Fleet.Result run(FleetFile fleet, Set<String> skip, java.util.function.Consumer<Fleet.ClusterResult> also) {
        HttpCloudApi api =
                new HttpCloudApi(Sandboxes.fastSettings(sandbox), ApiKey.of(Sandboxes.API_KEY), pacer, notice -> {});
        return new Fleet(api, e -> ManifestCodec.read(e.manifest().orElseThrow()), FAST, r -> {
                    finished.add(r);
                    also.accept(r);
                })
                .run(fleet.clusters(), skip);
    }

    private List<RecordedExchange> changes(String clusterId) {
        return sandbox.requestLog()
                .exchanges(x -> !x.method().equals("GET") && x.path().contains(clusterId));
    }

    private List<RecordedExchange> touching(String clusterId) {
        return sandbox.requestLog().exchanges(x -> x.path().contains(clusterId));
    }

    @Test
    void run_allFromManifests_enablesEveryCluster_withOnePostEach() {
        Fleet.Result result = run(fleet(), Set.of(), r -> {});

        assertEquals(
                IDS,
                result.clusters().stream().map(Fleet.ClusterResult::clusterId).toList(),
                "fleet-file order");
        result.clusters().forEach(c -> assertEquals(Fleet.Outcome.ENABLED, c.outcome(), c.toString()));
        assertEquals(new Fleet.Summary(6, 6, 0, 0, 0), result.summary());
        assertEquals(ExitCode.OK, result.exitCode());
        assertEquals(6, finished.size(), "every cluster reported once as it finished");
        for (String id : IDS) {
            assertEquals(1, changes(id).size(), id);
            assertEquals("POST", changes(id).get(0).method());
        }
        assertEquals(
                0,
                sandbox.requestLog().exchanges(x -> x.status() == 429).size(),
                "the shared pacer kept under the limit");
        assertTrue(
                sandbox.requestLog().size() <= IDS.size() * 6,
                "few polls: " + sandbox.requestLog().size());
    }

    @Test
    void run_oneClusterFails_othersAreEnabled_andExitCodeIsThatClusters() {
        FleetFile fleet = fleet();
        sandbox.failNextCmekOperation(IDS.get(2), "us-west-2", "access denied to key k2");

        Fleet.Result result = run(fleet, Set.of(), r -> {});

        Fleet.ClusterResult bad = result.clusters().get(2);
        assertEquals(Fleet.Outcome.FAILED, bad.outcome());
        assertEquals(ExitCode.OPERATION_FAILED, bad.exitCode());
        assertTrue(
                bad.message().contains("us-west-2") && bad.message().contains("access denied to key k2"),
                bad.message());
        assertEquals(new Fleet.Summary(6, 5, 0, 0, 1), result.summary());
        assertEquals(ExitCode.OPERATION_FAILED, result.exitCode());
    }

    @Test
    void run_transitionOutlastsTheTimeout_failsEveryClusterWithExit5_fromItsPolls() {
        FleetFile fleet = fleet();
        sandbox.setTransitionDelay(Duration.ofSeconds(5));
        Fleet.Options impatient =
                new Fleet.Options(FAST.parallel(), Duration.ofMillis(600), FAST.schedule(), FAST.pollGap());
        HttpCloudApi api =
                new HttpCloudApi(Sandboxes.fastSettings(sandbox), ApiKey.of(Sandboxes.API_KEY), pacer, notice -> {});

        Fleet.Result result = new Fleet(
                        api, e -> ManifestCodec.read(e.manifest().orElseThrow()), impatient, r -> {})
                .run(fleet.clusters(), Set.of());

        assertEquals(new Fleet.Summary(6, 0, 0, 0, 6), result.summary());
        assertEquals(ExitCode.TIMEOUT, result.exitCode());
        for (Fleet.ClusterResult c : result.clusters()) {
            assertTrue(c.message().contains("did not reach ENABLED within 600ms (now: ENABLING: "), c.message());
            assertTrue(
                    c.message()
                            .endsWith("the operation may still complete: check with `cmek status --cluster "
                                    + c.clusterId() + "`"),
                    c.message());
            long polls = sandbox.requestLog()
                            .exchanges(x -> x.method().equals("GET") && x.path().endsWith(c.clusterId() + "/cmek"))
                            .size()
                    - 1; // the first GET .../cmek is the submission's own read
            assertTrue(polls >= 1 && polls <= 5, c.clusterId() + " polled " + polls + " times");
        }
    }

    @Test
    void rerun_afterPartialFailure_touchesOnlyTheUnfinishedCluster() {
        FleetFile fleet = fleet();
        Path stateFile = dir.resolve("fleet.json.state.json");
        FleetState state = FleetState.load(stateFile, Clock.systemUTC());
        sandbox.failNextCmekOperation(IDS.get(4), "us-east-1", "key disabled");
        assertEquals(
                ExitCode.OPERATION_FAILED,
                run(fleet, state.enabled(), state::record).exitCode());
        assertTrue(Files.exists(stateFile));
        sandbox.requestLog().clear();

        FleetState reloaded = FleetState.load(stateFile, Clock.systemUTC());
        assertEquals(5, reloaded.enabled().size());
        Fleet.Result again = run(fleet, reloaded.enabled(), reloaded::record);

        assertEquals(ExitCode.OK, again.exitCode());
        assertEquals(new Fleet.Summary(6, 1, 0, 5, 0), again.summary());
        assertEquals(Fleet.Outcome.ENABLED, again.clusters().get(4).outcome());
        for (String id : IDS) {
            if (!id.equals(IDS.get(4))) {
                assertEquals(List.of(), touching(id), "skipped cluster " + id + " got no request");
            }
        }
        assertEquals(
                List.of("PUT"),
                changes(IDS.get(4)).stream().map(RecordedExchange::method).toList(),
                "the ENABLE_FAILED cluster gets its keys again by PUT");
        assertEquals(6, FleetState.load(stateFile, Clock.systemUTC()).enabled().size());
    }

    @Test
    void rerun_withoutState_isAlreadyEnabledEverywhere_andChangesNothing() {
        FleetFile fleet = fleet();
        run(fleet, Set.of(), r -> {});
        sandbox.requestLog().clear();

        Fleet.Result again = run(fleet, Set.of(), r -> {});

        assertEquals(new Fleet.Summary(6, 0, 6, 0, 0), again.summary());
        assertEquals(
                0,
                sandbox.requestLog().exchanges(x -> !x.method().equals("GET")).size());
        assertEquals(
                IDS.size() * 2,
                sandbox.requestLog().size(),
                "GET cluster + GET cmek per cluster: " + sandbox.requestLog().exchanges());
    }

    @Test
    void run_oneBadManifest_failsThatClusterWithExit2_andSendsNothingForIt() throws Exception {
        FleetFile fleet = fleet();
        Files.writeString(dir.resolve("bad.json"), "{\"region_specs\": []}");
        List<FleetFile.Entry> entries = new java.util.ArrayList<>(fleet.clusters());
        entries.set(1, new FleetFile.Entry(IDS.get(1), java.util.Optional.of(dir.resolve("bad.json"))));

        Fleet.Result result = run(new FleetFile(fleet.source(), entries), Set.of(), r -> {});

        assertEquals(Fleet.Outcome.FAILED, result.clusters().get(1).outcome());
        assertEquals(ExitCode.BAD_INPUT, result.exitCode());
        assertEquals(List.of(), touching(IDS.get(1)));
        assertEquals(5, result.summary().enabled());
    }

    /** Cloud keys that "provision" a key per region, or report a blocked resource for {@code blockedCluster}. */
    private static CloudKeys fakeKeys(String blockedCluster) {
        return (CloudKeys) java.lang.reflect.Proxy.newProxyInstance(
                CloudKeys.class.getClassLoader(), new Class<?>[] {CloudKeys.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("provision")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    ClusterTarget target = (ClusterTarget) args[0];
                    if (target.clusterId().equals(blockedCluster)) {
                        return new CloudKeys.ProvisionReport(
                                target.regions().stream()
                                        .map(r -> new dev.cmek.model.RegionSpec(
                                                r, new dev.cmek.model.KeySpec(dev.cmek.model.KeyType.AWS_KMS, "", "")))
                                        .toList(),
                                List.of(new Change(
                                        dev.cmek.aws.AwsResource.ROLE,
                                        "crdb-cmek-x",
                                        null,
                                        Change.Action.BLOCKED,
                                        "exists without our tag")));
                    }
                    return new CloudKeys.ProvisionReport(
                            ManifestCodec.parse(FleetSandboxes.manifest(target.regions()), "fake")
                                    .regionSpecs(),
                            List.of());
                });
    }

    @Test
    void run_provisionEntries_readTheOrganizationOnce_writeManifests_andABlockedOneFailsWithExit3() {
        fleet();
        List<FleetFile.Entry> entries = IDS.stream()
                .map(id -> new FleetFile.Entry(id, java.util.Optional.empty()))
                .toList();
        HttpCloudApi api =
                new HttpCloudApi(Sandboxes.fastSettings(sandbox), ApiKey.of(Sandboxes.API_KEY), pacer, notice -> {});
        Provisioning provisioning = new Provisioning(api, cloud -> fakeKeys(IDS.get(5)));

        Fleet.Result result = new Fleet(
                        api, new FleetManifests(java.util.Optional.of(provisioning), dir), FAST, finished::add)
                .run(entries, Set.of());

        assertEquals(new Fleet.Summary(6, 5, 0, 0, 1), result.summary());
        assertEquals(ExitCode.REJECTED, result.clusters().get(5).exitCode());
        assertTrue(
                result.clusters().get(5).message().contains("is blocked: [crdb-cmek-x (exists without our tag)]"),
                result.clusters().get(5).message());
        assertEquals(
                1,
                sandbox.requestLog()
                        .exchanges(x -> x.path().endsWith("/organization"))
                        .size());
        assertTrue(Files.exists(dir.resolve("cmek_config-" + IDS.get(0) + ".json")));
        assertTrue(Files.notExists(dir.resolve("cmek_config-" + IDS.get(5) + ".json")));
        assertEquals(List.of(), changes(IDS.get(5)));
    }

    @Test
    void state_damagedFile_isBadInput() throws Exception {
        Path file = Files.writeString(dir.resolve("s.json"), "{\"clusters\": 3}");
        CmekException e = assertThrows(CmekException.class, () -> FleetState.load(file, Clock.systemUTC()));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
    }
}
