package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.collectors.simulator.ClusterTopology;
import io.vigil.collectors.simulator.SimulatorMain;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** ./vigil demo refuses a bad option or a taken port before it starts anything. */
class PreflightTest {

    static PlatformConfig parse(String... flags) {
        String[] args = new String[flags.length + 1];
        args[0] = "demo";
        System.arraycopy(flags, 0, args, 1, flags.length);
        return VigilCommand.parse(args, Path.of("."));
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aTakenPortIsNamedWithTheFlagThatChangesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            PlatformConfig config = parse("--db-port", String.valueOf(port), "--kafka-port", "0", "--dashboard-port",
                    "0", "--fault-port", "0");
            assertThatThrownBy(() -> Preflight.check(config)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("port " + port + " (embedded PostgreSQL) on 127.0.0.1 is already in use: stop what "
                            + "uses it, or choose another with --db-port N");
        }
        PlatformConfig free = parse("--db-port", String.valueOf(freePort()), "--kafka-port", "0", "--dashboard-port",
                "0", "--fault-port", "0");
        Preflight.check(free); // nothing taken: no complaint
        // An external database is not the embedded one's port to check.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PlatformConfig external = parse("--db-port", String.valueOf(taken.getLocalPort()), "--db-url",
                    "jdbc:postgresql://db.example:5432/vigil", "--kafka-port", "0", "--dashboard-port", "0",
                    "--fault-port", "0");
            assertThat(Preflight.ports(external)).noneMatch(p -> p.flag().equals("--db-port"));
        }
    }

    @Test
    void sixteenThousandGpusAreASiteTheSimulatorBuildsAndABadFaultScriptIsRefusedUpFront(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        PlatformConfig big = parse("--hosts", "2048", "--db-port", "1", "--kafka-port", "0", "--dashboard-port", "0",
                "--fault-port", "0");
        ClusterTopology topology = ClusterTopology.build(SimulatorMain.config(big.settings()));
        assertThat(topology.hosts()).hasSize(2048);
        assertThat(topology.hosts().stream().map(h -> h.rack().substring(0, 1)).distinct()).hasSize(16); // rows A–P
        Path file = dir.resolve("vigil.properties");
        java.nio.file.Files.writeString(file, "simulator.fault-script=chaos\n");
        // Refused as the settings are read, before any preflight: the catalog says which scripts there are.
        assertThatThrownBy(() -> parse("--config", file.toString(), "--db-port", "1", "--kafka-port", "0",
                "--dashboard-port", "0", "--fault-port", "0")).hasMessageContaining("simulator.fault-script")
                .hasMessageContaining("one of demo, none");
    }
}
