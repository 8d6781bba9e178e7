package io.vigil.launcher.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.launcher.CheckpointStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Vigil job on the Flink session cluster: submitted as a job jar by Flink's own client ({@code flink run
 * --detached}, the {@code CliFrontend} class, as its own process) through the JobManager's REST API, resumed from
 * its newest retained checkpoint when there is one, and cancelled at stop (its checkpoints are retained, so the next
 * start resumes). Found again by name through the REST API.
 */
public final class FlinkJob implements ClusterComponent {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String jobName;
    private final Path jar;
    private final String mainClass;
    private final Path settingsFile;
    private final int parallelism;
    private final String restUrl;
    private final Path flinkConf;
    private final Path checkpoints;
    private final Path jobIdFile;
    private final Path logDir;
    private final Map<String, String> clientEnvironment;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile String jobId;
    private volatile boolean resumed;

    public FlinkJob(String name, String jobName, Path jar, String mainClass, Path settingsFile, int parallelism,
                    String restUrl, Path flinkConf, Path checkpoints, Path stateDir, Path logDir) {
        this(name, jobName, jar, mainClass, settingsFile, parallelism, restUrl, flinkConf, checkpoints, stateDir, logDir,
                Map.of());
    }

    /**
     * With variables for the submitting client's environment: the secrets a routing names by {@code *_env}, which
     * the job's main checks before it submits (a {@link ChildProcess} gets no {@code VIGIL_*} variable otherwise).
     */
    public FlinkJob(String name, String jobName, Path jar, String mainClass, Path settingsFile, int parallelism,
                    String restUrl, Path flinkConf, Path checkpoints, Path stateDir, Path logDir,
                    Map<String, String> clientEnvironment) {
        this.clientEnvironment = Map.copyOf(clientEnvironment);
        this.name = name;
        this.jobName = jobName;
        this.jar = jar;
        this.mainClass = mainClass;
        this.settingsFile = settingsFile;
        this.parallelism = parallelism;
        this.restUrl = restUrl;
        this.flinkConf = flinkConf;
        this.checkpoints = checkpoints;
        this.jobIdFile = stateDir.resolve(name + ".job-id");
        this.logDir = logDir;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("job jar not found at " + jar + " (build it with ./mvnw -DskipTests package)");
        }
        Optional<Path> restoreFrom = latestCheckpoint();
        List<String> args = new ArrayList<>(List.of("run", "--detached", "--class", mainClass,
                "--parallelism", String.valueOf(parallelism)));
        if (restoreFrom.isPresent()) {
            args.addAll(List.of("--fromSavepoint", restoreFrom.get().toString(), "--allowNonRestoredState"));
        }
        args.add(jar.toString());
        args.add(settingsFile.toString());
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m",
                "-Djava.io.tmpdir=" + checkpoints.getParent().resolve("flink-tmp")));
        jvm.addAll(LocalCluster.FLINK_JVM_OPENS);
        Map<String, String> env = new java.util.HashMap<>(clientEnvironment);
        env.put("FLINK_CONF_DIR", flinkConf.toString());
        ChildProcess client = new ChildProcess("submit-" + name, "org.apache.flink.client.cli.CliFrontend", args,
                jvm, env, logDir, Duration.ofSeconds(5),
                LocalCluster.flinkClasspath());
        client.start();
        int code = client.await(Duration.ofMinutes(3));
        if (code != 0) throw new IllegalStateException("submitting " + jobName + " failed (exit " + code + "); see "
                + client.log());
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            JsonNode job = find();
            if (job != null && "RUNNING".equals(job.path("state").asText())) {
                jobId = job.path("jid").asText();
                Files.writeString(jobIdFile, jobId);
                resumed = restoreFrom.isPresent();
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(jobName + " is not RUNNING two minutes after its submission"
                        + (job == null ? "" : " (state " + job.path("state").asText() + ")") + "; see the "
                        + "JobManager's log");
            }
            Thread.sleep(500);
        }
    }

    /**
     * Submits the job unless the JobManager already runs it (by name): after a JobManager restart (a session cluster
     * without high availability forgets its jobs) it is submitted again, resuming from its newest checkpoint.
     *
     * @return whether it was submitted now
     * @throws IOException when the JobManager's REST API does not answer
     */
    public boolean ensureRunning() throws Exception {
        JsonNode jobs = get("/jobs/overview").path("jobs");
        for (JsonNode j : jobs) {
            if (jobName.equals(j.path("name").asText())
                    && !List.of("CANCELED", "FINISHED", "FAILED").contains(j.path("state").asText())) {
                jobId = j.path("jid").asText();
                return false;
            }
        }
        start();
        return true;
    }

    /** Whether the last submission resumed from a checkpoint. */
    public boolean resumed() {
        return resumed;
    }

    /** The newest complete checkpoint of this job's previous run, if it left one. */
    Optional<Path> latestCheckpoint() throws IOException {
        if (!Files.isRegularFile(jobIdFile)) return Optional.empty();
        return new CheckpointStore(checkpoints).latestOf(Files.readString(jobIdFile).trim());
    }

    /** This job (by name) as the REST API lists it, not yet ended; or null. */
    JsonNode find() {
        try {
            JsonNode jobs = get("/jobs/overview").path("jobs");
            for (JsonNode j : jobs) {
                String state = j.path("state").asText();
                if (jobName.equals(j.path("name").asText()) && !List.of("CANCELED", "FINISHED", "FAILED")
                        .contains(state)) {
                    return j;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return getJson(http, restUrl, path);
    }

    /** GET of a Flink REST resource, as JSON; an IOException unless it answers 200. */
    static JsonNode getJson(HttpClient http, String restUrl, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(restUrl + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET " + path + ": HTTP " + r.statusCode());
        return JSON.readTree(r.body());
    }

    public String jobId() {
        return jobId;
    }

    /** The job's state as the JobManager sees it (RUNNING, RESTARTING, ...), or UNKNOWN. */
    public String state() {
        if (jobId == null) return "NOT SUBMITTED";
        try {
            return get("/jobs/" + jobId).path("state").asText("UNKNOWN");
        } catch (IOException e) {
            return "UNKNOWN (JobManager not answering)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNKNOWN";
        }
    }

    @Override
    public String status() {
        return state() + (jobId == null ? "" : ", job " + jobId) + (resumed ? ", resumed from its checkpoint" : "");
    }

    /** Cancels the job; its retained checkpoints let the next start resume. */
    @Override
    public void close() throws Exception {
        if (jobId == null) return;
        try {
            http.send(HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + jobId + "?mode=cancel"))
                    .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (Instant.now().isBefore(deadline) && !"CANCELED".equals(state()) && !state().startsWith("UNKNOWN")) {
                Thread.sleep(300);
            }
        } catch (IOException jobManagerGone) {
            // Nothing to cancel.
        }
    }
}
