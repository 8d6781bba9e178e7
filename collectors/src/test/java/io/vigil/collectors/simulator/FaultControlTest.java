package io.vigil.collectors.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.OriginStamper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class FaultControlTest {

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(String method, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void injectsListsAndClearsFaultsAndRefusesBadRequests() throws Exception {
        ClusterSimulator sim = new ClusterSimulator(ClusterSimulatorTest.CONFIG, FaultScript.none(),
                new OriginStamper("t", 1), ClusterSimulatorTest.START);
        try (FaultControl control = new FaultControl(sim, 0)) {
            String base = "http://127.0.0.1:" + control.port() + "/faults";
            assertThat(send("POST", base + "?kind=thermal&host=A01-n1&gpu=3").statusCode()).isEqualTo(200);
            assertThat(send("POST", base + "?kind=stall&job=job-1&seconds=600").body()).contains("for 600 s");
            assertThat(sim.activeFaults()).containsExactlyInAnyOrder(new Fault.GpuThermalRunaway("A01-n1", 3),
                    new Fault.SyncStall("job-1"));
            assertThat(send("GET", base).body()).contains("thermal runaway on A01-n1/gpu3")
                    .contains("synchronization stall in job-1");

            HttpResponse<String> bad = send("POST", base + "?kind=meltdown");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("meltdown");
            assertThat(send("POST", base + "?kind=straggler&job=job-1").body()).contains("'rank'");

            assertThat(send("DELETE", base).body()).contains("cleared 2");
            assertThat(sim.activeFaults()).isEmpty();
        }
    }
}
