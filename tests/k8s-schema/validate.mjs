// Reads Kubernetes manifests (YAML, one or more documents) on standard input and validates each against its API
// schema: kubernetes-models (generated from the Kubernetes OpenAPI), @kubernetes-models/prometheus-operator and
// @kubernetes-models/keda. Prints one line per problem ("Kind/name: message") and exits 1 when there is any. A kind
// with no schema here is a problem too, so that nothing passes unchecked. The schemas check types, formats, enums and
// required fields; they do not reject unknown fields.
import { parseAllDocuments } from "yaml";

const packageOfGroup = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "keda.sh": "@kubernetes-models/keda",
};

async function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group === "" ? `kubernetes-models/${version}` : `${packageOfGroup[group] ?? "kubernetes-models"}/${group}/${version}`;
  try {
    return (await import(module))[kind];
  } catch (error) {
    // Only a group or version with no model here means "no schema"; any other failure is the checker's own.
    if (error.code === "ERR_MODULE_NOT_FOUND" || error.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return undefined;
    throw error;
  }
}

let input = "";
for await (const chunk of process.stdin) input += chunk;

const problems = [];
let checked = 0;
for (const document of parseAllDocuments(input)) {
  if (document.errors.length > 0) {
    problems.push(`YAML: ${document.errors[0].message}`);
    continue;
  }
  const manifest = document.toJS();
  if (manifest === null) continue;
  const name = `${manifest.kind}/${manifest.metadata?.name}`;
  const Model = await modelOf(String(manifest.apiVersion), String(manifest.kind));
  if (Model === undefined) {
    problems.push(`${name}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
    continue;
  }
  try {
    new Model(manifest).validate();
    checked++;
  } catch (error) {
    problems.push(`${name}: ${error.message}`);
  }
}

for (const problem of problems) console.log(problem);
console.log(`${checked} manifest(s) valid, ${problems.length} problem(s)`);
process.exit(problems.length === 0 && checked > 0 ? 0 : 1);
