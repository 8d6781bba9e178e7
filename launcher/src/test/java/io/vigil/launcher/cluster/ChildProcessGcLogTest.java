package io.vigil.launcher.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessGcLogTest {

    /** A child that makes the collector pause, then exits. */
    public static final class CollectsGarbage {
        public static void main(String[] args) {
            for (int i = 0; i < 3; i++) System.gc();
        }
    }

    @Test
    void aChildWritesItsPausesToItsOwnGcLogAndTheLongestIsRead(@TempDir Path logs) throws Exception {
        ChildProcess child = new ChildProcess("gc-child", CollectsGarbage.class.getName(), List.of(),
                List.of("-Xmx64m", "-XX:+UseSerialGC"), Map.of(), logs, Duration.ofSeconds(5));
        child.start();
        assertThat(child.await(Duration.ofSeconds(60))).isZero();
        assertThat(child.gcLog()).isEqualTo(logs.resolve("gc-child.gc.log"));
        assertThat(Files.readString(child.gcLog())).contains("Pause Full (System.gc())");
        assertThat(child.longestGcPauseMillis()).isPositive();
    }

    @Test
    void theLongestPauseCountsTheRotatedFileToo(@TempDir Path logs) throws Exception {
        ChildProcess child = new ChildProcess("kafka-1", "unused", List.of(), List.of(), Map.of(), logs,
                Duration.ofSeconds(5));
        Files.writeString(logs.resolve("kafka-1.gc.log"), String.join("\n",
                "[2026-11-30T23:00:00.000+0000][1.234s] Using Serial",
                "[2026-11-30T23:00:01.000+0000][2.345s] GC(0) Pause Young (Allocation Failure) 20M->5M(64M) 3.250ms",
                "[2026-11-30T23:00:02.000+0000][3.456s] GC(1) Pause Young (Allocation Failure) 21M->5M(64M) 1.5ms",
                ""));
        Files.writeString(logs.resolve("kafka-1.gc.log.0"),
                "[2026-11-30T22:00:01.000+0000][9.000s] GC(7) Pause Full (Ergonomics) 60M->30M(64M) 412.125ms\n");
        assertThat(child.longestGcPauseMillis()).isEqualTo(412.125);
        assertThat(ChildProcess.pauseMillis("GC(2) Pause Remark 12M->12M(64M) 0.901ms")).isEqualTo(0.901);
    }
}
