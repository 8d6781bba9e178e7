package io.vigil.launcher.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process of {@code ./vigil cluster}: a JVM on the launcher's class path running {@code mainClass} (through
 * {@link ChildMain}, which ends it when the launcher is gone), its output appended to {@code logs/<name>.log}.
 * Stopped with SIGTERM, then -9 after a grace period; the failure tests kill it with -9 and start it again.
 */
public final class ChildProcess implements ClusterComponent {

    private final String name;
    private final String mainClass;
    private final List<String> args;
    private final List<String> jvmOptions;
    private final Map<String, String> environment;
    private final Path log;
    private final Duration stopGrace;
    private final String classpath;
    private volatile Process process;
    private volatile Instant startedAt;
    private volatile boolean stopping;
    private volatile int starts;

    public ChildProcess(String name, String mainClass, List<String> args, List<String> jvmOptions,
                        Map<String, String> environment, Path logDir, Duration stopGrace) {
        this(name, mainClass, args, jvmOptions, environment, logDir, stopGrace, Classpath.current());
    }

    /** With its own class path (Flink's processes get only Flink's jars, as a Flink distribution's lib/ has). */
    public ChildProcess(String name, String mainClass, List<String> args, List<String> jvmOptions,
                        Map<String, String> environment, Path logDir, Duration stopGrace, String classpath) {
        this.classpath = classpath;
        this.name = name;
        this.mainClass = mainClass;
        this.args = List.copyOf(args);
        this.jvmOptions = List.copyOf(jvmOptions);
        this.environment = Map.copyOf(environment);
        this.log = logDir.resolve(name + ".log");
        this.stopGrace = stopGrace;
    }

    /** This process's garbage-collection log (pauses, one line each). */
    public Path gcLog() {
        return log.resolveSibling(name + ".gc.log");
    }

    /** The longest garbage-collection pause in {@link #gcLog()} and its rotated predecessor, in milliseconds. */
    public double longestGcPauseMillis() {
        double longest = 0;
        for (Path f : List.of(gcLog(), gcLog().resolveSibling(gcLog().getFileName() + ".0"))) {
            if (!java.nio.file.Files.isRegularFile(f)) continue;
            try (var lines = java.nio.file.Files.lines(f)) {
                longest = Math.max(longest, lines.filter(l -> l.contains(" Pause ") && l.endsWith("ms"))
                        .mapToDouble(ChildProcess::pauseMillis).max().orElse(0));
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // A log being rotated as it is read: what was read stands.
            }
        }
        return longest;
    }

    /** {@code [..] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 100M->20M(256M) 12.345ms} → 12.345. */
    static double pauseMillis(String line) {
        int end = line.length() - 2;
        int start = line.lastIndexOf(' ', end) + 1;
        try {
            return Double.parseDouble(line.substring(start, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) throw new IllegalStateException(name + " already runs");
        Files.createDirectories(log.getParent());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        // Garbage-collection pauses in a file of their own: a stalled checkpoint or a slow replica is then
        // explainable after the fact. Two files of 10 MB at most; a restart rotates the previous one away.
        cmd.add("-Xlog:gc:file=" + gcLog() + ":time,uptime:filecount=2,filesize=10m");
        // Loading Kafka's, Flink's or Spring's classes crosses the JVM's first metaspace mark (about 21 MB) several
        // times, and each crossing was a full collection of 0.2-1.2 s in the first seconds (seen in those logs, and
        // behind the slowest checkpoints of a cluster's start-up). A higher first mark skips them.
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-XX:MetaspaceSize="))) cmd.add("-XX:MetaspaceSize=128m");
        cmd.add("-Dlog4j2.configurationFile=log4j2-child.xml");
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Djava.io.tmpdir="))) {
            cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(ChildMain.class.getName());
        cmd.add(String.valueOf(ProcessHandle.current().pid()));
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Settings reach a process through its own file; the launcher's VIGIL_* variables were resolved into it.
        pb.environment().keySet().removeIf(k -> k.startsWith("VIGIL_"));
        pb.environment().putAll(environment);
        stopping = false;
        process = pb.start();
        startedAt = Instant.now();
        starts++;
    }

    /** The process id, or -1 before the first start. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Whether it ended without being asked to (a crash, or a kill from outside). */
    public boolean died() {
        Process p = process;
        return p != null && !p.isAlive() && !stopping;
    }

    public Path log() {
        return log;
    }

    /** Kills it as {@code kill -9} would, and waits until it is gone. */
    public void kill() throws InterruptedException {
        Process p = process;
        if (p == null) return;
        stopping = true;
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits until it exits by itself (a one-shot process, such as a job submission); its exit code. */
    public int await(Duration timeout) throws InterruptedException {
        Process p = process;
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not finish within " + timeout + "; see " + log);
        }
        return p.exitValue();
    }

    @Override
    public String status() {
        Process p = process;
        if (p == null) return "not started";
        if (p.isAlive()) {
            long s = Duration.between(startedAt, Instant.now()).toSeconds();
            return "running, pid " + p.pid() + ", up " + (s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s")
                    + (starts > 1 ? ", restarted " + (starts - 1) + "x" : "");
        }
        return (stopping ? "stopped" : "EXITED") + " (code " + p.exitValue() + ")";
    }

    @Override
    public void close() throws InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) return;
        stopping = true;
        p.destroy();
        if (!p.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
