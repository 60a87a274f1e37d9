package dev.cmek.bench;

import dev.cmek.model.KeySpec;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.ClusterTarget;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A {@link CloudKeys} that times {@link #revoke} (the cloud step of a revocation) and delegates everything. */
final class TimedKeys implements CloudKeys {
    private final CloudKeys delegate;
    volatile long lastRevokeNanos = -1;

    TimedKeys(CloudKeys delegate) {
        this.delegate = delegate;
    }

    @Override
    public Revocation revoke(RevokeScope scope, dev.cmek.core.RevocationJournal<DocumentIntent> log) {
        long t0 = System.nanoTime();
        try {
            return delegate.revoke(scope, log);
        } finally {
            lastRevokeNanos = System.nanoTime() - t0;
        }
    }

    @Override
    public ProvisionReport plan(ClusterTarget cluster) {
        return delegate.plan(cluster);
    }

    @Override
    public ProvisionReport provision(ClusterTarget cluster) {
        return delegate.provision(cluster);
    }

    @Override
    public ProvisionReport provisionNewKeys(ClusterTarget cluster, List<String> regions, int generation) {
        return delegate.provisionNewKeys(cluster, regions, generation);
    }

    @Override
    public int generationOf(ClusterTarget cluster, KeySpec spec) {
        return delegate.generationOf(cluster, spec);
    }

    @Override
    public KeySpec rotateKeyMaterial(KeySpec spec) {
        return delegate.rotateKeyMaterial(spec);
    }

    @Override
    public KeySpec newestSpec(KeySpec spec) {
        return delegate.newestSpec(spec);
    }

    @Override
    public Optional<String> principalOf(String clusterId) {
        return delegate.principalOf(clusterId);
    }

    @Override
    public RestoreReport restore(RestoreScope scope) {
        return delegate.restore(scope);
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs) {
        return delegate.verify(cluster, liveSpecs);
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs, Set<String> formerUris) {
        return delegate.verify(cluster, liveSpecs, formerUris);
    }

    @Override
    public Optional<Instant> newestKeyVersion(KeySpec spec) {
        return delegate.newestKeyVersion(spec);
    }

    @Override
    public Optional<String> unreachable(Map<String, KeySpec> liveSpecs) {
        return delegate.unreachable(liveSpecs);
    }
}
