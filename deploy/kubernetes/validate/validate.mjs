// Validates every manifest in deploy/kubernetes against the Kubernetes API's OpenAPI schemas (kubernetes-models)
// and Strimzi's CRD schemas (@kubernetes-models/strimzi-kafka-operator), offline once `npm ci` has run. A
// FlinkDeployment (no published schema package) has its pod template validated as a core/v1 PodTemplateSpec and
// its top-level keys checked against the operator's v1beta1 spec. Exit status 1 on any error; each is printed.
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..");
const MODELS = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/PersistentVolumeClaim": "kubernetes-models/v1/PersistentVolumeClaim",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "apps/v1/DaemonSet": "kubernetes-models/apps/v1/DaemonSet",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
};
for (const kind of ["Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"]) {
  MODELS[`kafka.strimzi.io/v1beta2/${kind}`] = `@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/${kind}`;
}
// The Flink Kubernetes Operator's FlinkDeployment (flink.apache.org/v1beta1) spec keys.
const FLINK_SPEC_KEYS = new Set(["image", "imagePullPolicy", "serviceAccount", "flinkVersion", "ingress", "podTemplate",
  "jobManager", "taskManager", "job", "restartNonce", "flinkConfiguration", "logConfiguration", "mode"]);

async function model(key) {
  const path = MODELS[key];
  if (!path) return null;
  const mod = await import(path);
  return Object.values(mod).find((v) => typeof v === "function" && typeof v.prototype?.validate === "function");
}

function errorsOf(instance) {
  try {
    instance.validate();
    return [];
  } catch (e) {
    return (e.errors ?? [{ message: e.message }]).map((x) => `${x.instancePath ?? ""} ${x.message}`.trim());
  }
}

let documents = 0;
const problems = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
  const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      problems.push(`${file}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const m = doc.toJS();
    if (m == null) continue;
    documents++;
    const where = `${file}: ${m.kind}/${m.metadata?.name}`;
    if (m.apiVersion === "flink.apache.org/v1beta1" && m.kind === "FlinkDeployment") {
      for (const k of Object.keys(m.spec ?? {})) {
        if (!FLINK_SPEC_KEYS.has(k)) problems.push(`${where}: unknown spec key ${k}`);
      }
      const { PodTemplateSpec: Pod } = await import("kubernetes-models/v1/PodTemplateSpec");
      const template = { metadata: {}, ...m.spec.podTemplate };
      // The operator fills in the image of flink-main-container; the schema requires one.
      for (const c of template.spec?.containers ?? []) c.image ??= m.spec.image;
      errorsOf(new Pod(template)).forEach((e) => problems.push(`${where}: podTemplate${e.startsWith("/") ? "" : " "}${e}`));
      continue;
    }
    const Model = await model(`${m.apiVersion}/${m.kind}`);
    if (!Model) {
      problems.push(`${where}: no schema for ${m.apiVersion} ${m.kind}`);
      continue;
    }
    errorsOf(new Model(m)).forEach((e) => problems.push(`${where}: ${e}`));
  }
}
for (const p of problems) console.error(p);
console.log(`${documents} manifests in ${dir}: ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
