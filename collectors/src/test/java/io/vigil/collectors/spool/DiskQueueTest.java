package io.vigil.collectors.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskQueueTest {

    @TempDir Path dir;

    static byte[] rec(int i) {
        return ("record-" + i + "-" + "x".repeat(90)).getBytes(StandardCharsets.UTF_8);
    }

    static int id(byte[] r) {
        String s = new String(r, StandardCharsets.UTF_8);
        return Integer.parseInt(s.substring(7, s.indexOf('-', 7)));
    }

    @Test
    void readsInOrderAcrossSegmentsAndResumesAfterTheLastAckWhenReopened() throws Exception {
        try (DiskQueue q = new DiskQueue(dir, 1 << 20, 4096)) {
            for (int i = 0; i < 300; i++) q.append(rec(i));
            assertThat(q.depth()).isEqualTo(300);
            for (int i = 0; i < 100; i++) assertThat(id(q.next(0))).isEqualTo(i);
            q.ack(100);
            for (int i = 100; i < 150; i++) assertThat(id(q.next(0))).isEqualTo(i);
            // Read but never acknowledged: comes back after a rewind...
            q.rewind();
            assertThat(id(q.next(0))).isEqualTo(100);
            assertThat(q.depth()).isEqualTo(200);
        }
        // ... and after a restart.
        try (DiskQueue q = new DiskQueue(dir, 1 << 20, 4096)) {
            assertThat(q.depth()).isEqualTo(200);
            List<Integer> rest = new ArrayList<>();
            for (byte[] r = q.next(0); r != null; r = q.next(0)) rest.add(id(r));
            assertThat(rest).hasSize(200).startsWith(100, 101).endsWith(299);
            q.ack(rest.size());
            assertThat(q.depth()).isZero();
            q.append(rec(300));
            assertThat(id(q.next(0))).isEqualTo(300);
        }
    }

    @Test
    void aFullQueueDropsItsOldestSegmentAndCountsIt() throws Exception {
        try (DiskQueue q = new DiskQueue(dir, 16 * 1024, 4096)) {
            for (int i = 0; i < 1000; i++) q.append(rec(i));
            assertThat(q.droppedRecords()).isPositive();
            assertThat(q.droppedSegments()).isPositive();
            assertThat(q.depth() + q.droppedRecords()).isEqualTo(1000);
            byte[] first = q.next(0);
            assertThat(id(first)).isEqualTo((int) q.droppedRecords());
            int last = id(first);
            for (byte[] r = q.next(0); r != null; r = q.next(0)) {
                assertThat(id(r)).isEqualTo(last + 1);
                last = id(r);
            }
            assertThat(last).isEqualTo(999);
        }
    }

    @Test
    void aReaderWaitsForTheWriter() throws Exception {
        try (DiskQueue q = new DiskQueue(dir, 1 << 20, 4096)) {
            assertThat(q.next(50)).isNull();
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ignored) {
                    return;
                }
                q.append(rec(7));
            });
            writer.start();
            assertThat(id(q.next(10_000))).isEqualTo(7);
            writer.join();
        }
    }
}
