package io.vigil.evaluation.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.testsupport.AlertmanagerProcess;
import io.vigil.testsupport.ReceiverStub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * R7's paging side, outside the cluster: a real Alertmanager HA pair (Debian's {@code prometheus-alertmanager}) whose
 * one receiver is on-call's webhook (a local stand-in that records what it is told), and a receiver that is down for
 * the whole run — a black hole that accepts connections and never answers, the worst kind of dead endpoint. Vigil's
 * routing ({@link #routing()}) sends every incident to the pair and a copy to the black hole.
 */
final class PagingRig implements AutoCloseable {

    /** The pair's own routing to on-call: one group per incident, as Vigil's README recommends. */
    static final String ALERTMANAGER_CONFIG = """
            route:
              receiver: oncall
              group_by: ['incident']
              group_wait: 5s
              group_interval: 30s
              repeat_interval: 4h
            receivers:
              - name: oncall
                webhook_configs:
                  - url: '%s/oncall'
                    send_resolved: true
            """;

    final ReceiverStub onCall;
    private final Path dir;
    private final AlertmanagerProcess[] pair = new AlertmanagerProcess[2];
    private final ServerSocket blackHole;
    private final List<Socket> swallowed = new CopyOnWriteArrayList<>();

    private PagingRig(Path dir) throws Exception {
        this.dir = dir;
        this.onCall = new ReceiverStub();
        this.blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!blackHole.isClosed()) {
                try {
                    swallowed.add(blackHole.accept()); // held open, never read, never answered
                } catch (IOException closed) {
                    return;
                }
            }
        }, "r7-black-hole");
        t.setDaemon(true);
        t.start();
    }

    static PagingRig start(Path dir) throws Exception {
        PagingRig rig = new PagingRig(dir);
        try {
            List<AlertmanagerProcess> pair = AlertmanagerProcess.startPair(dir,
                    ALERTMANAGER_CONFIG.formatted(rig.onCall.url()));
            rig.pair[0] = pair.get(0);
            rig.pair[1] = pair.get(1);
            return rig;
        } catch (Exception | Error e) {
            rig.close();
            throw e;
        }
    }

    /** Vigil's routing file: every incident to the pair, and a copy to the dead receiver. */
    Path routing() throws IOException {
        Path file = dir.resolve("routing.yml");
        Files.writeString(file, """
                route:
                  receiver: pair
                  routes:
                    - receiver: gone
                      continue: true
                    - receiver: pair
                receivers:
                  - name: pair
                    alertmanager_configs:
                      - urls: ['%s', '%s']
                  - name: gone
                    webhook_configs:
                      - url: 'http://127.0.0.1:%d/hook'
                """.formatted(pair[0].url(), pair[1].url(), blackHole.getLocalPort()));
        return file;
    }

    /**
     * The instance that notifies first: Alertmanager orders the cluster's members by name, and the first sends at
     * once while the others wait their turn; killing it is the harder case.
     */
    int first() {
        try {
            JsonNode status = ClusterChaos.JSON.readTree(get(pair[0], "/api/v2/status"));
            List<String> names = new ArrayList<>();
            status.path("cluster").path("peers").forEach(p -> names.add(p.path("name").asText()));
            names.sort(String::compareTo);
            String own = status.path("cluster").path("name").asText();
            return names.isEmpty() || names.get(0).equals(own) ? 0 : 1;
        } catch (Exception e) {
            return 0;
        }
    }

    void kill(int i) throws InterruptedException {
        pair[i].kill();
    }

    void restart(int i) throws Exception {
        pair[i] = pair[i].restart();
    }

    /** The incidents an instance holds as active alerts; null when it does not answer. */
    Set<String> active(int i) {
        try {
            Set<String> out = new TreeSet<>();
            for (JsonNode a : ClusterChaos.JSON.readTree(get(pair[i], "/api/v2/alerts?active=true&silenced=false"
                    + "&inhibited=false"))) {
                if ("active".equals(a.path("status").path("state").asText())) {
                    out.add(a.path("labels").path("incident").asText());
                }
            }
            return out;
        } catch (Exception e) {
            return null;
        }
    }

    /** Connections the dead receiver swallowed. */
    int swallowedConnections() {
        return swallowed.size();
    }

    List<PagingCheck.Message> messages() {
        List<PagingCheck.Message> out = new ArrayList<>();
        for (ReceiverStub.Request r : onCall.requests()) {
            try {
                out.add(PagingCheck.Message.of(ClusterChaos.JSON.readTree(r.body()), r.atMs()));
            } catch (IOException notJson) {
                // not Alertmanager's: ignored
            }
        }
        return out;
    }

    private static String get(AlertmanagerProcess am, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(am.url() + path)).timeout(java.time.Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() throws Exception {
        for (AlertmanagerProcess am : pair) {
            if (am != null) am.close();
        }
        onCall.close();
        blackHole.close();
        for (Socket s : swallowed) s.close();
    }
}
