package dev.cmek.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeyType;
import org.junit.jupiter.api.Test;

/** Reading answers from a newer API: values added since 2024-09-16 must not break reads. */
class ApiModelTest {

    @Test
    void unknownEnumValuesAndFields_areTolerated() throws Exception {
        CmekClusterInfo info = HttpCloudApi.JSON.readValue("""
                {"status": "PAUSING", "future_field": 1, "region_infos": [{"region": "us-east-1", "status": "ENABLED",
                 "key_infos": [{"spec": {"type": "ORACLE_KMS", "uri": "x", "auth_principal": "y"}, "status": "ENABLED"}]}]}
                """, CmekClusterInfo.class);
        assertEquals(CmekStatus.UNRECOGNIZED, info.status());
        assertEquals(true, info.status().isInProgress(), "an unknown status is waited on, not taken as settled");
        assertEquals(
                KeyType.UNRECOGNIZED,
                info.region("us-east-1")
                        .orElseThrow()
                        .currentSpec()
                        .orElseThrow()
                        .type());

        Cluster cluster = HttpCloudApi.JSON.readValue("""
                {"id": "c", "cloud_provider": "ORACLE", "state": "HIBERNATING", "regions": [{"name": "r1", "node_count": 3, "x": 1}]}
                """, Cluster.class);
        assertEquals(CloudProvider.UNRECOGNIZED, cluster.cloudProvider());
        assertEquals(ClusterState.UNRECOGNIZED, cluster.state());
        assertEquals(3, cluster.regionNodes().get("r1"));
    }

    @Test
    void missingFields_readAsEmptyNotNull() throws Exception {
        CmekClusterInfo info = HttpCloudApi.JSON.readValue("{}", CmekClusterInfo.class);
        assertEquals(CmekStatus.UNRECOGNIZED, info.status());
        assertEquals(0, info.regionInfos().size());
    }
}
