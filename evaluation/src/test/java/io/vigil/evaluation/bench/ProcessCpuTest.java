package io.vigil.evaluation.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    @Test
    void readsThisProcesssCpuTimeItsParentAndAParentsTree() throws Exception {
        long self = ProcessHandle.current().pid();
        long before = ProcessCpu.ticks(self);
        long until = System.nanoTime() + 300_000_000L; // 0.3 s of CPU: 30 ticks at USER_HZ 100
        double x = 0;
        while (System.nanoTime() < until) x += Math.sqrt(x + 1);
        assertThat(x).isPositive();
        assertThat(ProcessCpu.ticks(self)).isGreaterThan(before);
        long parent = ProcessCpu.parent(self);
        assertThat(parent).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
        // The parent's tree holds this process: at least the ticks it had before the tree was read.
        long mine = ProcessCpu.ticks(self);
        assertThat(ProcessCpu.treeTicks(parent)).isGreaterThanOrEqualTo(mine);
        assertThat(ProcessCpu.ticks(Long.MAX_VALUE)).as("a process that is gone").isZero();
    }
}
