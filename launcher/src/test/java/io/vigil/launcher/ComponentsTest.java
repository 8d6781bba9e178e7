package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ComponentsTest {

    @Test
    void stopsInReverseOrderReplicasTogetherKafkaNodesOneByOneAndReportsFailures() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Components components = new Components(new PrintStream(console, true));
        List<String> stopped = new CopyOnWriteArrayList<>();
        // The two collectors each wait for the other to be stopping: only a concurrent stop lets both finish.
        CountDownLatch bothStopping = new CountDownLatch(2);
        List<Boolean> metInTime = new CopyOnWriteArrayList<>();
        for (String name : List.of("postgres", "kafka-1", "kafka-2", "writer-1", "collector-1", "collector-2")) {
            components.add(Components.of(name, () -> { }, () -> "running", () -> {
                if (name.startsWith("collector-")) {
                    bothStopping.countDown();
                    metInTime.add(bothStopping.await(10, TimeUnit.SECONDS));
                }
                if (name.equals("writer-1")) throw new IllegalStateException("stuck");
                stopped.add(name);
            }));
        }
        components.close();
        assertThat(metInTime).containsExactly(true, true);
        assertThat(stopped.subList(0, 2)).containsExactlyInAnyOrder("collector-1", "collector-2");
        assertThat(stopped.subList(2, stopped.size())).containsExactly("kafka-2", "kafka-1", "postgres");
        assertThat(console.toString()).contains("While stopping writer-1").contains("stuck");
        assertThat(components.all()).isEmpty();
    }

    @Test
    void replicasAreRecognisedByTheirNumberKafkaNodesExcepted() {
        assertThat(Components.replicaGroup("flink-taskmanager-2")).isEqualTo("flink-taskmanager");
        assertThat(Components.replicaGroup("writer-1")).isEqualTo("writer");
        assertThat(Components.replicaGroup("kafka-3")).isNull();
        assertThat(Components.replicaGroup("dashboard")).isNull();
    }
}
