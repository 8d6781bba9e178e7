package io.vigil.launcher.cluster;

/**
 * A part of the platform the launcher starts and stops: a broker, a Flink process, a job, a writer, the database,
 * the dashboard, a collector. The launcher is a list of them, started in order and stopped in reverse.
 */
public interface ClusterComponent extends AutoCloseable {

    /** A short name, unique in the list (e.g. {@code kafka-2}, {@code writer-1}). */
    String name();

    void start() throws Exception;

    /** One line on its state, e.g. {@code running, pid 4711, up 2m3s}. */
    String status();
}
