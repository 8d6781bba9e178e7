package io.vigil.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The embedded detection job's retained checkpoints under the data directory, so that a restarted demo resumes
 * with the detectors' state (open alerts, timers, Kafka offsets) instead of forgetting it, which would leave alerts
 * of the previous run firing forever.
 *
 * <p>Layout (Flink's): {@code <dir>/<job id>/chk-<n>/_metadata}.
 */
public final class CheckpointStore {

    private final Path dir;

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    /** The newest complete checkpoint (one with its {@code _metadata} written), if any. */
    public Optional<Path> latest() throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(dir)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(CheckpointStore::checkpointsOf)
                    .filter(chk -> Files.isRegularFile(chk.resolve("_metadata")))
                    .max(Comparator.comparing(CheckpointStore::modified));
        }
    }

    /** The newest complete checkpoint of the job {@code jobId}, if it left one. */
    public Optional<Path> latestOf(String jobId) {
        Path job = dir.resolve(jobId);
        if (!Files.isDirectory(job)) return Optional.empty();
        return checkpointsOf(job).filter(chk -> Files.isRegularFile(chk.resolve("_metadata")))
                .max(Comparator.comparing(CheckpointStore::modified));
    }

    /** Deletes every job's checkpoints but those of the job that {@code keep} belongs to. */
    public void pruneAllBut(Path keep) throws IOException {
        Path keepJob = keep.getParent();
        try (Stream<Path> jobs = Files.list(dir)) {
            for (Path job : jobs.filter(Files::isDirectory).filter(j -> !j.equals(keepJob)).toList()) {
                Directories.deleteTree(job);
            }
        }
    }

    private static Stream<Path> checkpointsOf(Path job) {
        try {
            return Files.list(job).filter(p -> p.getFileName().toString().startsWith("chk-")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

}
