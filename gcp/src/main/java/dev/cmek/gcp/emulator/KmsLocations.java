package dev.cmek.gcp.emulator;

import com.google.cloud.kms.v1.LocationMetadata;
import com.google.cloud.location.GetLocationRequest;
import com.google.cloud.location.ListLocationsRequest;
import com.google.cloud.location.ListLocationsResponse;
import com.google.cloud.location.Location;
import com.google.cloud.location.LocationsGrpc;
import com.google.protobuf.Any;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code google.cloud.location.Locations} as Cloud KMS serves it on its own channel: each location carries a KMS
 * {@link LocationMetadata} saying whether HSM keys can be made there.
 * https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations
 */
final class KmsLocations extends LocationsGrpc.LocationsImplBase {
    /** The locations the emulator serves by default, every one with HSM; tests take HSM away where they need. */
    static final Map<String, Boolean> DEFAULT;

    static {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (String l : List.of(
                "global",
                "us",
                "europe",
                "asia",
                "nam4",
                "eur4",
                "us-central1",
                "us-east1",
                "us-east4",
                "us-east5",
                "us-south1",
                "us-west1",
                "us-west2",
                "us-west3",
                "us-west4",
                "northamerica-northeast1",
                "northamerica-northeast2",
                "southamerica-east1",
                "southamerica-west1",
                "europe-central2",
                "europe-north1",
                "europe-southwest1",
                "europe-west1",
                "europe-west2",
                "europe-west3",
                "europe-west4",
                "europe-west6",
                "europe-west8",
                "europe-west9",
                "europe-west12",
                "me-central1",
                "me-west1",
                "africa-south1",
                "asia-east1",
                "asia-east2",
                "asia-northeast1",
                "asia-northeast2",
                "asia-northeast3",
                "asia-south1",
                "asia-south2",
                "asia-southeast1",
                "asia-southeast2",
                "australia-southeast1",
                "australia-southeast2")) {
            m.put(l, true);
        }
        DEFAULT = Map.copyOf(m);
    }

    private static final Pattern PROJECT_NAME = Pattern.compile("projects/([^/]+)");
    private static final Pattern LOCATION_NAME = Pattern.compile("projects/([^/]+)/locations/([^/]+)");

    private final EmulatorState state;

    KmsLocations(EmulatorState state) {
        this.state = state;
    }

    private Location location(String project, String id, boolean hsm) {
        return Location.newBuilder()
                .setName("projects/" + project + "/locations/" + id)
                .setLocationId(id)
                .setDisplayName(id)
                .setMetadata(Any.pack(LocationMetadata.newBuilder()
                        .setHsmAvailable(hsm)
                        .setEkmAvailable(false)
                        .build()))
                .build();
    }

    @Override
    public void getLocation(GetLocationRequest req, StreamObserver<Location> out) {
        Rpc.answer(state, out, () -> {
            Matcher m = LOCATION_NAME.matcher(req.getName());
            if (!m.matches()) {
                throw Rpc.invalid("Invalid location name [" + req.getName() + "].");
            }
            Boolean hsm = state.kmsLocations.get(m.group(2));
            if (hsm == null) {
                throw Rpc.notFound("Location " + req.getName());
            }
            return location(m.group(1), m.group(2), hsm);
        });
    }

    @Override
    public void listLocations(ListLocationsRequest req, StreamObserver<ListLocationsResponse> out) {
        Rpc.answer(state, out, () -> {
            Matcher m = PROJECT_NAME.matcher(req.getName());
            if (!m.matches()) {
                throw Rpc.invalid("Invalid project name [" + req.getName() + "].");
            }
            ListLocationsResponse.Builder b = ListLocationsResponse.newBuilder();
            state.kmsLocations.forEach((id, hsm) -> b.addLocations(location(m.group(1), id, hsm)));
            return b.build();
        });
    }
}
