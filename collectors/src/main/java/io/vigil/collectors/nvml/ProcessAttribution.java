package io.vigil.collectors.nvml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which training job and rank a process belongs to, read from the process itself, so that no change to the
 * training code is needed: its environment ({@code /proc/<pid>/environ}: {@code SLURM_JOB_ID},
 * {@code SLURM_PROCID}, {@code RANK}, {@code LOCAL_RANK}, {@code WORLD_SIZE}, {@code TORCHELASTIC_RUN_ID}) and,
 * where the environment says nothing, its cgroup (a Slurm job cgroup, or a Kubernetes pod UID).
 *
 * <p>Results are cached per process and start time (a reused PID is read afresh), and forgotten for processes no
 * longer seen, so the cost is one read per new process, not per scrape.
 */
public final class ProcessAttribution {

    /** A process's job and rank; either may be null. */
    public record Attribution(String jobId, Integer rank, Integer worldSize, String team, String account,
                              String namespace) {
        static final Attribution NONE = new Attribution(null, null, null, null, null, null);

        public Attribution(String jobId, Integer rank, Integer worldSize) {
            this(jobId, rank, worldSize, null, null, null);
        }
    }

    private static final Pattern SLURM_CGROUP = Pattern.compile("/job_(\\d+)(/|$)");
    private static final Pattern POD_CGROUP = Pattern.compile("pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})");

    private record Cached(long startTime, Attribution attribution) {}

    /** The environment variables read by default, first found wins. */
    public static final List<String> JOB_VARIABLES = List.of("SLURM_JOB_ID", "TORCHELASTIC_RUN_ID", "VIGIL_JOB_ID");
    public static final List<String> RANK_VARIABLES = List.of("RANK", "SLURM_PROCID");
    public static final List<String> WORLD_SIZE_VARIABLES = List.of("WORLD_SIZE", "SLURM_NTASKS");
    /** Who owns the job, for routing its incidents: a team, the Slurm account, the Kubernetes namespace. */
    public static final List<String> TEAM_VARIABLES = List.of("VIGIL_TEAM");
    public static final List<String> ACCOUNT_VARIABLES = List.of("VIGIL_ACCOUNT", "SLURM_JOB_ACCOUNT");
    public static final List<String> NAMESPACE_VARIABLES = List.of("VIGIL_NAMESPACE", "POD_NAMESPACE");

    private final Path proc;
    private final List<String> jobVariables;
    private final List<String> rankVariables;
    private final Map<Integer, Cached> cache = new HashMap<>();

    /** @param jobVariables, rankVariables which environment variables name the job and the rank, first found wins */
    public ProcessAttribution(Path proc, List<String> jobVariables, List<String> rankVariables) {
        this.proc = proc;
        this.jobVariables = List.copyOf(jobVariables);
        this.rankVariables = List.copyOf(rankVariables);
    }

    public static ProcessAttribution system() {
        return new ProcessAttribution(Path.of("/proc"), JOB_VARIABLES, RANK_VARIABLES);
    }

    public synchronized Attribution of(int pid) {
        long start = startTime(pid);
        Cached c = cache.get(pid);
        if (c != null && c.startTime() == start) {
            return c.attribution();
        }
        Attribution a = read(pid);
        cache.put(pid, new Cached(start, a));
        return a;
    }

    /** Forgets processes not in {@code alive}. */
    public synchronized void retain(Set<Integer> alive) {
        cache.keySet().retainAll(alive);
    }

    synchronized int cached() {
        return cache.size();
    }

    private Attribution read(int pid) {
        Map<String, String> env = environment(pid);
        String job = first(env, jobVariables);
        Integer rank = integer(first(env, rankVariables));
        Integer world = integer(first(env, WORLD_SIZE_VARIABLES));
        if (job == null) {
            job = fromCgroup(pid);
        }
        return job == null && rank == null ? Attribution.NONE : new Attribution(job, rank, world,
                first(env, TEAM_VARIABLES), first(env, ACCOUNT_VARIABLES), first(env, NAMESPACE_VARIABLES));
    }

    private Map<String, String> environment(int pid) {
        Map<String, String> env = new HashMap<>();
        try {
            byte[] raw = Files.readAllBytes(proc.resolve(String.valueOf(pid)).resolve("environ"));
            int from = 0;
            for (int i = 0; i <= raw.length; i++) {
                if (i == raw.length || raw[i] == 0) {
                    String kv = new String(raw, from, i - from, StandardCharsets.UTF_8);
                    int eq = kv.indexOf('=');
                    if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
                    from = i + 1;
                }
            }
        } catch (IOException | SecurityException e) {
            // Gone, or not ours to read (the agent should run as root): no attribution from the environment.
        }
        return env;
    }

    private String fromCgroup(int pid) {
        try {
            String cgroup = Files.readString(proc.resolve(String.valueOf(pid)).resolve("cgroup"));
            Matcher slurm = SLURM_CGROUP.matcher(cgroup);
            if (slurm.find()) return slurm.group(1);
            Matcher pod = POD_CGROUP.matcher(cgroup);
            if (pod.find()) return "pod-" + pod.group(1).replace('_', '-');
        } catch (IOException | SecurityException e) {
            // No cgroup information.
        }
        return null;
    }

    private long startTime(int pid) {
        try {
            String stat = Files.readString(proc.resolve(String.valueOf(pid)).resolve("stat"));
            // Field 22 (starttime) counted after the command name, which may contain spaces, in parentheses.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String first(Map<String, String> env, List<String> keys) {
        for (String k : keys) {
            String v = env.get(k);
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }

    private static Integer integer(String v) {
        try {
            return v == null ? null : Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
