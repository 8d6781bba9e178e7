package io.vigil.evaluation.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of processes from /proc (utime + stime, in clock ticks of {@link #TICKS_PER_SECOND}). */
final class ProcessCpu {
    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
    static final int TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    static long ticks(long pid) {
        String[] f = stat(pid);
        return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long parent(long pid) {
        String[] f = stat(pid);
        if (f == null) throw new IllegalStateException("process " + pid + " is gone");
        return Long.parseLong(f[1]);
    }

    /** The process and its children (PostgreSQL's backends and workers are the postmaster's children). */
    static long treeTicks(long pid) throws IOException {
        long sum = ticks(pid);
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                String[] f = stat(Long.parseLong(name));
                if (f != null && Long.parseLong(f[1]) == pid) sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        }
        return sum;
    }

    /** The fields after the command name (the first is the state, field 3 of proc(5)), or null if gone. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }
}
