package io.vigil.launcher;

import io.vigil.launcher.cluster.ClusterComponent;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher's list of components, shared by {@code ./vigil demo} and {@code ./vigil cluster}: each is started in
 * order as it is added, and {@link #close()} stops them in reverse order, reporting (not throwing) what fails to
 * stop, so one stuck part never keeps the others running.
 */
public final class Components implements AutoCloseable {

    /** What starts a component made with {@link #of}. */
    public interface Start {
        void run() throws Exception;
    }

    private final PrintStream console;
    private final List<ClusterComponent> started = new ArrayList<>();
    private final Map<String, ClusterComponent> byName = new LinkedHashMap<>();

    public Components(PrintStream console) {
        this.console = console;
    }

    /** Starts {@code c} and keeps it for stopping; if it fails to start, it is stopped (what it began) and rethrown. */
    public <C extends ClusterComponent> C add(C c) throws Exception {
        track(c);
        c.start();
        return c;
    }

    /** Keeps {@code c}, already running, for stopping and status. */
    public void track(ClusterComponent c) {
        started.add(c);
        byName.put(c.name(), c);
    }

    /** A component from a start action, a status line and a stop action. */
    public static ClusterComponent of(String name, Start start, java.util.function.Supplier<String> status,
                                      AutoCloseable stop) {
        return new ClusterComponent() {
            public String name() {
                return name;
            }

            public void start() throws Exception {
                start.run();
            }

            public String status() {
                return status.get();
            }

            public void close() throws Exception {
                stop.close();
            }
        };
    }

    public List<ClusterComponent> all() {
        return List.copyOf(started);
    }

    public ClusterComponent get(String name) {
        ClusterComponent c = byName.get(name);
        if (c == null) throw new IllegalArgumentException("no component " + name + "; have " + byName.keySet());
        return c;
    }

    /** One line per component: its name and state. */
    public List<String> statusLines() {
        List<String> lines = new ArrayList<>();
        int width = started.stream().mapToInt(c -> c.name().length()).max().orElse(10);
        for (ClusterComponent c : started) lines.add(String.format("  %-" + width + "s  %s", c.name(), c.status()));
        return lines;
    }

    /**
     * Stops everything in reverse order of start. Replicas started one after another ({@code collector-1},
     * {@code collector-2}; writers; TaskManagers) stop together, since none waits on another; Kafka nodes stop one at
     * a time, each handing its partitions to the others.
     */
    @Override
    public void close() {
        int i = started.size() - 1;
        while (i >= 0) {
            String group = replicaGroup(started.get(i).name());
            List<ClusterComponent> batch = new ArrayList<>();
            while (i >= 0 && group != null && group.equals(replicaGroup(started.get(i).name()))) {
                batch.add(started.get(i--));
            }
            if (batch.isEmpty()) batch.add(started.get(i--));
            List<Thread> stopping = new ArrayList<>();
            for (ClusterComponent c : batch) {
                Thread t = new Thread(() -> stop(c), "vigil-stop-" + c.name());
                t.start();
                stopping.add(t);
            }
            for (Thread t : stopping) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        started.clear();
        byName.clear();
    }

    /** The name of a component's kind when its replicas may stop together ({@code writer-2} → {@code writer}). */
    static String replicaGroup(String name) {
        if (!name.matches(".*-\\d+") || name.startsWith("kafka-")) return null;
        return name.substring(0, name.lastIndexOf('-'));
    }

    private void stop(ClusterComponent c) {
        try {
            c.close();
        } catch (Exception e) {
            console.println("While stopping " + c.name() + ": " + e);
        }
    }
}
