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
