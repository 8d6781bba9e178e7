package io.vigil.launcher;

import io.vigil.collectors.simulator.ClusterTopology;
import io.vigil.collectors.simulator.SimulatorMain;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ./vigil demo} checks before it starts anything, so a bad option or a taken port costs a line, not a
 * half-started platform: the simulator's settings and fault script, and that every fixed port it will listen on is
 * free (a PostgreSQL already on the embedded port would otherwise be the one the demo writes into).
 */
final class Preflight {

    /** A port the platform will bind, what binds it, and the flag that changes it. */
    record Port(String address, int port, String what, String flag) {}

    private Preflight() {}

    /** Throws {@link IllegalArgumentException} naming the first problem. */
    static void check(PlatformConfig config) {
        if (config.simulatorEnabled()) {
            var sim = SimulatorMain.config(config.settings());
            SimulatorMain.script(config.settings(), ClusterTopology.build(sim));
        }
        requireFree(ports(config));
    }

    /** The same for {@code ./vigil cluster}: its brokers, controllers and Flink ports as well. */
    static void check(io.vigil.launcher.cluster.ClusterConfig cluster) {
        PlatformConfig config = cluster.platform();
        if (config.simulatorEnabled()) {
            var sim = SimulatorMain.config(config.settings());
            SimulatorMain.script(config.settings(), ClusterTopology.build(sim));
        }
        requireFree(ports(cluster));
    }

    static List<Port> ports(io.vigil.launcher.cluster.ClusterConfig cluster) {
        PlatformConfig config = cluster.platform();
        List<Port> out = new ArrayList<>();
        for (int n = 1; n <= cluster.brokers(); n++) {
            out.add(new Port("127.0.0.1", cluster.brokerPort(n), "Kafka broker " + n, "--kafka-port"));
            out.add(new Port("127.0.0.1", cluster.controllerPort(n), "Kafka controller " + n,
                    "--config (cluster.kafka-controller-port)"));
        }
        out.add(new Port("127.0.0.1", cluster.flinkRestPort(), "Flink REST API", "--flink-port"));
        out.add(new Port("127.0.0.1", cluster.flinkRpcPort(), "Flink JobManager RPC",
                "--config (cluster.flink-rpc-port)"));
        if (config.externalDbUrl() == null) {
            out.add(new Port("127.0.0.1", config.dbPort(), "embedded PostgreSQL", "--db-port"));
        }
        if (config.dashboardEnabled() && config.dashboardPort() != 0) {
            out.add(new Port(config.dashboardAddress(), config.dashboardPort(), "dashboard", "--dashboard-port"));
        }
        return out;
    }

    private static void requireFree(List<Port> ports) {
        for (Port p : ports) {
            if (!free(p.address(), p.port())) {
                throw new IllegalArgumentException("port " + p.port() + " (" + p.what() + ") on " + p.address()
                        + " is already in use: stop what uses it, or choose another with " + p.flag() + " N");
            }
        }
    }

    static List<Port> ports(PlatformConfig config) {
        List<Port> out = new ArrayList<>();
        if (config.externalKafka() == null && config.kafkaPort() != 0) {
            out.add(new Port("127.0.0.1", config.kafkaPort(), "embedded Kafka", "--kafka-port"));
        }
        if (config.externalDbUrl() == null) {
            out.add(new Port("127.0.0.1", config.dbPort(), "embedded PostgreSQL", "--db-port"));
        }
        if (config.dashboardEnabled() && config.dashboardPort() != 0) {
            out.add(new Port(config.dashboardAddress(), config.dashboardPort(), "dashboard", "--dashboard-port"));
        }
        if (config.simulatorEnabled() && config.faultControlPort() != 0) {
            out.add(new Port("127.0.0.1", config.faultControlPort(), "fault injection", "--fault-port"));
        }
        return out;
    }

    static boolean free(String address, int port) {
        try (ServerSocket s = new ServerSocket()) {
            // As servers bind: connections of a stopped run in TIME_WAIT do not make the port taken, a listener does.
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            return true;
        } catch (BindException e) {
            return false;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot check port " + port + " on " + address + ": " + e.getMessage(), e);
        }
    }
}
