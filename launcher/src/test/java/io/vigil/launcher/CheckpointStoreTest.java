package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    @TempDir Path dir;

    Path checkpoint(String job, int n, long metadataTimeMs) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
        if (metadataTimeMs >= 0) {
            Path meta = Files.writeString(chk.resolve("_metadata"), "m");
            Files.setLastModifiedTime(meta, FileTime.fromMillis(metadataTimeMs));
        }
        return chk;
    }

    @Test
    void noDirectoryOrNoCompleteCheckpointMeansNothingToResumeFrom() throws Exception {
        assertThat(new CheckpointStore(dir.resolve("absent")).latest()).isEmpty();
        checkpoint("job-a", 3, -1); // still being written: no _metadata
        Files.createDirectories(dir.resolve("job-a").resolve("shared"));
        assertThat(new CheckpointStore(dir).latest()).isEmpty();
    }

    @Test
    void theNewestCompleteCheckpointOfAnyJobIsChosen() throws Exception {
        checkpoint("job-a", 7, 1_000);
        Path newest = checkpoint("job-b", 2, 5_000);
        checkpoint("job-b", 1, 3_000);
        checkpoint("job-b", 3, -1);
        assertThat(new CheckpointStore(dir).latest()).contains(newest);
    }

    @Test
    void pruningKeepsOnlyTheJobOfTheCheckpointKept() throws Exception {
        checkpoint("job-a", 7, 1_000);
        Path keep = checkpoint("job-b", 2, 5_000);
        checkpoint("job-b", 1, 3_000);
        checkpoint("job-c", 9, 2_000);
        CheckpointStore store = new CheckpointStore(dir);
        store.pruneAllBut(keep);
        assertThat(dir.resolve("job-a")).doesNotExist();
        assertThat(dir.resolve("job-c")).doesNotExist();
        assertThat(keep.resolve("_metadata")).exists();
        assertThat(dir.resolve("job-b").resolve("chk-1")).exists();
        assertThat(store.latest()).contains(keep);
    }
}
