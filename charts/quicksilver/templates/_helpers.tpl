{{/*
Shared defines. Every define is namespaced `quicksilver.`; per-model defines take a context built as
`dict "root" $ "model" $m`.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "quicksilver.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* `<release>-<chart>` (or the release name when it already contains the chart name), or fullnameOverride. Kept
to 36 characters so that `<fullname>-pod-<model name>` stays a valid 63-character DNS label. */}}
{{- define "quicksilver.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 36 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 36 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 36 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "quicksilver.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select this release's pods; templates add app.kubernetes.io/component (and quicksilver/model). */}}
{{- define "quicksilver.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quicksilver.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every resource: the selector labels plus chart, version and commonLabels. */}}
{{- define "quicksilver.labels" -}}
{{ include "quicksilver.selectorLabels" . }}
helm.sh/chart: {{ include "quicksilver.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: quicksilver
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of a Deployment's pod template, before the component's: the resources' labels without helm.sh/chart and
app.kubernetes.io/version, which change with every chart release and would roll every pod (a model load each) on an
upgrade that changes nothing the pods run (the image reference rolls them when the image changes); then commonLabels
and the workload's podLabels (its value wins), which the values check keeps off the chart's own keys.
Context: root, podLabels. */}}
{{- define "quicksilver.podTemplateLabels" -}}
{{ include "quicksilver.selectorLabels" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: quicksilver
{{- with mergeOverwrite (deepCopy (default dict .root.Values.commonLabels)) (deepCopy (default dict .podLabels)) }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Name of the gateway's Deployment, Service, HPA, PDB and ConfigMap. */}}
{{- define "quicksilver.gateway.fullname" -}}
{{- printf "%s-gateway" (include "quicksilver.fullname" .) }}
{{- end }}

{{/* Name of one model's Deployment, headless Service, PDB, ConfigMap and ScaledObject. Context: root, model. */}}
{{- define "quicksilver.pod.fullname" -}}
{{- printf "%s-pod-%s" (include "quicksilver.fullname" .root) .model.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The DNS name of one model's headless Service, which lists its ready pods. Context: root, model. */}}
{{- define "quicksilver.pod.headlessHost" -}}
{{- printf "%s.%s.svc.%s" (include "quicksilver.pod.fullname" .) .root.Release.Namespace .root.Values.clusterDomain }}
{{- end }}

{{- define "quicksilver.gateway.serviceAccountName" -}}
{{- if .Values.gateway.serviceAccount.create }}
{{- default (include "quicksilver.gateway.fullname" .) .Values.gateway.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.gateway.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "quicksilver.pod.serviceAccountName" -}}
{{- if .Values.pods.serviceAccount.create }}
{{- default (printf "%s-pod" (include "quicksilver.fullname" .)) .Values.pods.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.pods.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* An image reference: [registry/]repository[:tag][@digest]; the tag defaults to the chart's appVersion.
Context: image (the values block), root. */}}
{{- define "quicksilver.image" -}}
{{- $registry := default .root.Values.global.imageRegistry .image.registry }}
{{- $repository := ternary (printf "%s/%s" $registry .image.repository) .image.repository (ne $registry "") }}
{{- $tag := default .root.Chart.AppVersion .image.tag }}
{{- if .image.digest }}
{{- printf "%s:%s@%s" $repository $tag .image.digest }}
{{- else }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}
{{- end }}

{{/*
A whole image reference (repository:tag) under global.imageRegistry when one is set, unless the reference names a
registry of its own (a first path segment with a dot or a port, or localhost). Context: root, reference.
*/}}
{{- define "quicksilver.mirroredImage" -}}
{{- $segments := splitList "/" .reference }}
{{- $first := first $segments }}
{{- $namesRegistry := and (gt (len $segments) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) }}
{{- if and .root.Values.global.imageRegistry (not $namesRegistry) }}
{{- printf "%s/%s" .root.Values.global.imageRegistry .reference }}
{{- else }}
{{- .reference }}
{{- end }}
{{- end }}

{{- define "quicksilver.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the gateway key. */}}
{{- define "quicksilver.gatewayKey.secretName" -}}
{{- default (printf "%s-gateway-key" (include "quicksilver.fullname" .)) .Values.gatewayKey.existingSecret }}
{{- end }}

{{/* The gateway key the chart stores: the value given, else the one already in the cluster, else a new random one.
Resolved once per render (kept in .Values), so that the Secret and the checksums in the pod templates agree. */}}
{{- define "quicksilver.gatewayKey.value" -}}
{{- if not (hasKey .Values.gatewayKey "resolved") }}
{{- $key := .Values.gatewayKey.value }}
{{- if not $key }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "quicksilver.gatewayKey.secretName" .) }}
{{- if and $existing $existing.data }}
{{- $key = index $existing.data .Values.gatewayKey.secretKey | default "" | b64dec }}
{{- end }}
{{- end }}
{{- $_ := set .Values.gatewayKey "resolved" (default (randAlphaNum 48) $key) }}
{{- end }}
{{- index .Values.gatewayKey "resolved" }}
{{- end }}

{{/* A pod-template annotation that rolls the pods when the chart-managed gateway key changes (the key reaches them as
an environment variable, read at start). Nothing with gatewayKey.existingSecret: the chart cannot see that Secret.
The pods' is of the keys they accept, in either order: swapping the key and the previous one (the second step of a
rotation) changes nothing they accept, and rolls the gateway only.
Context: root, previous (whether the pods also take gatewayKey.previous). */}}
{{- define "quicksilver.gatewayKey.checksum" -}}
{{- $values := .root.Values.gatewayKey }}
{{- if not $values.existingSecret }}
{{- $keys := include "quicksilver.gatewayKey.value" .root }}
{{- if and .previous $values.previous }}
{{- $keys = list $keys $values.previous | sortAlpha | join "\n" }}
{{- end }}
{{- printf "checksum/gateway-key: %s" ($keys | sha256sum) }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the tenants file. */}}
{{- define "quicksilver.tenants.secretName" -}}
{{- default (printf "%s-tenants" (include "quicksilver.fullname" .)) .Values.tenants.existingSecret }}
{{- end }}

{{/* A values scalar as configuration text: whole float64 numbers (how YAML numbers reach templates) print as
integers, so 1048576 does not become 1.048576e+06. */}}
{{- define "quicksilver.scalar" -}}
{{- if kindIs "float64" . }}
{{- if eq (float64 (int64 .)) . }}{{ int64 . }}{{ else }}{{ . }}{{ end }}
{{- else }}
{{- . }}
{{- end }}
{{- end }}

{{/* Seconds as the hh:mm:ss a .NET TimeSpan setting reads. */}}
{{- define "quicksilver.duration" -}}
{{- $s := int64 . }}
{{- printf "%02d:%02d:%02d" (div $s 3600) (div (mod $s 3600) 60) (mod $s 60) }}
{{- end }}

{{/* A preStop hook that waits before SIGTERM: the native sleep action on Kubernetes 1.30+, else `sleep` from the
image. Context: the number of seconds, root. */}}
{{- define "quicksilver.preStop" -}}
{{- if gt (int .seconds) 0 }}
lifecycle:
  preStop:
    {{- if semverCompare ">=1.30-0" .root.Capabilities.KubeVersion.Version }}
    sleep:
      seconds: {{ int .seconds }}
    {{- else }}
    exec:
      command: ["sleep", "{{ int .seconds }}"]
    {{- end }}
{{- end }}
{{- end }}

{{/* The gateway's settings as environment variables (its ConfigMap's data; hashed into a pod annotation so that
changes roll the gateway). */}}
{{- define "quicksilver.gateway.config" -}}
ASPNETCORE_URLS: {{ printf "http://+:%d;http://+:%d" (int .Values.gateway.containerPort) (int .Values.gateway.managementPort) | quote }}
Gateway__ManagementPort: {{ .Values.gateway.managementPort | int | quote }}
{{- $drain := int .Values.gateway.drainTimeoutSeconds }}
Gateway__DrainTimeout: {{ printf "%02d:%02d:%02d" (div $drain 3600) (mod (div $drain 60) 60) (mod $drain 60) | quote }}
Gateway__MaxRequestBodyBytes: {{ .Values.gateway.maxRequestBodyBytes | int64 | quote }}
Gateway__Tenancy__ApiKeysFile: "/etc/quicksilver/tenants/tenants.json"
Gateway__Tenancy__ReloadInterval: {{ .Values.tenants.reloadInterval | quote }}
{{- range $key, $value := .Values.gateway.routing }}
{{- if not (kindIs "invalid" $value) }}
Gateway__Routing__{{ $key }}: {{ include "quicksilver.scalar" $value | quote }}
{{- end }}
{{- end }}
{{- range $m := .Values.models }}
Gateway__Models__{{ $m.id }}__HeadlessService: {{ include "quicksilver.pod.headlessHost" (dict "root" $ "model" $m) | quote }}
Gateway__Models__{{ $m.id }}__PodPort: {{ $.Values.pods.containerPort | int | quote }}
{{- $limits := deepCopy (default dict $.Values.pods.limits) }}
{{- $_ := include "quicksilver.overlay" (dict "into" $limits "over" $m.limits) }}
{{- with $limits.MaxTokens }}
Gateway__Models__{{ $m.id }}__MaxTokens: {{ . | int | quote }}
{{- end }}
{{- end }}
{{- range $external := .Values.gateway.externalModels }}
{{- range $i, $pod := $external.pods }}
Gateway__Models__{{ $external.id }}__Pods__{{ $i }}: {{ $pod | quote }}
{{- end }}
{{- end }}
{{- with .Values.gateway.otlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- end }}

{{/* Where a model's weights are inside the pod. Context: root, model. */}}
{{- define "quicksilver.pod.modelPath" -}}
{{- $storage := .model.storage }}
{{- if eq $storage.type "embedded" }}
{{- printf "/app/models/%s" (default "quicksilver-tiny" $storage.subPath) }}
{{- else if $storage.subPath }}
{{- printf "/models/%s" (trimPrefix "/" $storage.subPath) }}
{{- else }}
{{- print "/models" }}
{{- end }}
{{- end }}

{{/*
Sets each key of .over (a model's own settings) on .into (a copy of the shared pods.* settings), so the model's value
wins even when it is false, 0 or null (null clears the shared one). Sprig's merge would keep the shared value for
those: it fills every "empty" key of its destination.
*/}}
{{- define "quicksilver.overlay" -}}
{{- range $key, $value := (default dict .over) }}
{{- $_ := set $.into $key $value }}
{{- end }}
{{- end }}

{{/* A model's pod settings, set on .into: backend (null or empty: pods.backend); gpu, image and autoscaling, the
model's keys merged over the pods.* ones (an image of another repository or registry does not inherit the shared
digest); runtimeClassName, nodeSelector, tolerations, affinity and resourceClaims, the model's whenever it sets one, empty included
(so a CPU model can drop the GPU nodes' selector), else the pods.* one. Context: root, model, into. */}}
{{- define "quicksilver.pod.settings" -}}
{{- $pods := .root.Values.pods }}
{{- $model := .model }}
{{- $_ := set .into "backend" (default $pods.backend $model.backend) }}
{{- $image := deepCopy $pods.image }}
{{- if or (index (default dict $model.image) "repository") (index (default dict $model.image) "registry") }}
{{- /* Another image: the shared digest pins the shared image, not this one. */}}
{{- $_ := unset $image "digest" }}
{{- end }}
{{- $_ := include "quicksilver.overlay" (dict "into" $image "over" $model.image) }}
{{- $_ := set .into "image" $image }}
{{- $gpu := deepCopy $pods.gpu }}
{{- $_ := include "quicksilver.overlay" (dict "into" $gpu "over" $model.gpu) }}
{{- $_ := set .into "gpu" $gpu }}
{{- $_ := set .into "runtimeClassName" (ternary $pods.runtimeClassName $model.runtimeClassName (kindIs "invalid" $model.runtimeClassName)) }}
{{- $_ := set .into "nodeSelector" (ternary $pods.nodeSelector $model.nodeSelector (kindIs "invalid" $model.nodeSelector)) }}
{{- $_ := set .into "tolerations" (ternary $pods.tolerations $model.tolerations (kindIs "invalid" $model.tolerations)) }}
{{- $_ := set .into "affinity" (ternary $pods.affinity $model.affinity (kindIs "invalid" $model.affinity)) }}
{{- $_ := set .into "resourceClaims" (ternary $pods.resourceClaims $model.resourceClaims (kindIs "invalid" $model.resourceClaims)) }}
{{- $autoscaling := deepCopy $pods.autoscaling }}
{{- $_ := include "quicksilver.overlay" (dict "into" $autoscaling "over" $model.autoscaling) }}
{{- $_ := set .into "autoscaling" $autoscaling }}
{{- end }}

{{/* One model's settings as environment variables (its ConfigMap's data). Context: root, model. */}}
{{- define "quicksilver.pod.config" -}}
{{- $root := .root }}
{{- $pods := $root.Values.pods }}
{{- $engine := deepCopy (default dict $pods.engine) }}
{{- $_ := include "quicksilver.overlay" (dict "into" $engine "over" .model.engine) }}
{{- $limits := deepCopy (default dict $pods.limits) }}
{{- $_ := include "quicksilver.overlay" (dict "into" $limits "over" .model.limits) }}
{{- $settings := dict }}
{{- $_ := include "quicksilver.pod.settings" (dict "root" $root "model" .model "into" $settings) }}
{{- $price := $pods.gpuHourPriceUsd }}
{{- if not (kindIs "invalid" .model.gpuHourPriceUsd) }}
{{- $price = .model.gpuHourPriceUsd }}
{{- end }}
ASPNETCORE_URLS: {{ printf "http://+:%d" (int $pods.containerPort) | quote }}
Quicksilver__ModelPath: {{ include "quicksilver.pod.modelPath" . | quote }}
Quicksilver__Engine__ModelId: {{ .model.id | quote }}
Quicksilver__Engine__Backend: {{ $settings.backend | quote }}
Quicksilver__Engine__KernelCacheDirectory: "/var/cache/quicksilver/kernels"
{{- range $key, $value := $engine }}
{{- if not (kindIs "invalid" $value) }}
Quicksilver__Engine__{{ $key }}: {{ include "quicksilver.scalar" $value | quote }}
{{- end }}
{{- end }}
{{- range $key, $value := $limits }}
{{- if not (kindIs "invalid" $value) }}
Quicksilver__Limits__{{ $key }}: {{ include "quicksilver.scalar" $value | quote }}
{{- end }}
{{- end }}
Quicksilver__DrainTimeout: {{ include "quicksilver.duration" $pods.drainTimeoutSeconds | quote }}
Quicksilver__Metering__GpuHourPriceUsd: {{ include "quicksilver.scalar" $price | quote }}
Quicksilver__Tenancy__RequireGateway: {{ $pods.requireGateway | toString | quote }}
{{- with $pods.otlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- end }}

{{/* terminationGracePeriodSeconds of the model pods: longer than preStop + drain + the server's 5 s margin. */}}
{{- define "quicksilver.pod.terminationGracePeriodSeconds" -}}
{{- $pods := .Values.pods }}
{{- if not (kindIs "invalid" $pods.terminationGracePeriodSeconds) }}
{{- int $pods.terminationGracePeriodSeconds }}
{{- else }}
{{- add (int $pods.preStopSleepSeconds) (int $pods.drainTimeoutSeconds) 15 }}
{{- end }}
{{- end }}

{{/* progressDeadlineSeconds of the model Deployments: the startup probe's whole budget plus 10 minutes (scheduling,
the image pull, a model download), so that a model load the probe still allows is not reported as a failed rollout
(Kubernetes' default is 600 s; the probe allows 30 minutes by default). */}}
{{- define "quicksilver.pod.progressDeadlineSeconds" -}}
{{- $pods := .Values.pods }}
{{- if not (kindIs "invalid" $pods.progressDeadlineSeconds) }}
{{- int $pods.progressDeadlineSeconds }}
{{- else }}
{{- $probe := default dict $pods.startupProbe }}
{{- add (int (default 0 (index $probe "initialDelaySeconds"))) (mul (int (default 10 $probe.periodSeconds)) (int (default 3 $probe.failureThreshold))) 600 }}
{{- end }}
{{- end }}

{{/* A probe from values. Helm merges a user's probe into the default one, so a user's exec, tcpSocket or grpc would
sit beside the default httpGet, which Kubernetes refuses: another handler replaces httpGet. */}}
{{- define "quicksilver.probe" -}}
{{- $probe := deepCopy . }}
{{- if or (hasKey $probe "exec") (hasKey $probe "tcpSocket") (hasKey $probe "grpc") }}
{{- $_ := unset $probe "httpGet" }}
{{- end }}
{{- toYaml $probe }}
{{- end }}

{{/* terminationGracePeriodSeconds of the gateway: longer than preStop + its shutdown timeout. */}}
{{- define "quicksilver.gateway.terminationGracePeriodSeconds" -}}
{{- $gateway := .Values.gateway }}
{{- if not (kindIs "invalid" $gateway.terminationGracePeriodSeconds) }}
{{- int $gateway.terminationGracePeriodSeconds }}
{{- else }}
{{- add (int $gateway.preStopSleepSeconds) (int $gateway.drainTimeoutSeconds) 10 }}
{{- end }}
{{- end }}

{{/* Checks what the schema cannot (combinations of values) and fails the render with every problem at once. */}}
{{- define "quicksilver.validateValues" -}}
{{- $messages := list }}
{{- $names := dict }}
{{- $ids := dict }}
{{- range $m := .Values.models }}
{{- if hasKey $names $m.name }}
{{- $messages = append $messages (printf "models: the name %q is used twice." $m.name) }}
{{- end }}
{{- $_ := set $names $m.name true }}
{{- if hasKey $ids (lower $m.id) }}
{{- $messages = append $messages (printf "models: the id %q is served twice (ids are compared ignoring case: they name the gateway's settings, which are); one Deployment per model id." $m.id) }}
{{- end }}
{{- $_ := set $ids (lower $m.id) true }}
{{- $settings := dict }}
{{- $_ := include "quicksilver.pod.settings" (dict "root" $ "model" $m "into" $settings) }}
{{- if and (eq $settings.backend "cuda") (eq (int $settings.gpu.count) 0) (not $settings.resourceClaims) }}
{{- $messages = append $messages (printf "models[%s]: backend cuda needs gpu.count >= 1 (pods.gpu or the model's gpu), or resourceClaims that give it a GPU (DRA); use backend cpu (image quicksilver/pod-cpu) for CPU-only pods." $m.name) }}
{{- end }}
{{- $claimNames := list }}
{{- range $claim := (default list $settings.resourceClaims) }}
{{- $claimNames = append $claimNames $claim.name }}
{{- end }}
{{- range $claim := (default list (default $.Values.pods.resources $m.resources).claims) }}
{{- if not (has $claim.name $claimNames) }}
{{- $messages = append $messages (printf "models[%s]: resources.claims names %q, which is not among its resourceClaims (pods.resourceClaims or the model's)." $m.name $claim.name) }}
{{- end }}
{{- end }}
{{- if and $settings.autoscaling.enabled (not $.Values.monitoring.serviceMonitor.enabled) (not $settings.autoscaling.query) }}
{{- $messages = append $messages (printf "models[%s]: pods.autoscaling needs monitoring.serviceMonitor.enabled (its default query selects the pods' series by the ServiceMonitor's service label) or an autoscaling.query of your own." $m.name) }}
{{- end }}
{{- if and $settings.autoscaling.enabled (gt (int $settings.autoscaling.minReplicas) (int $settings.autoscaling.maxReplicas)) }}
{{- $messages = append $messages (printf "models[%s]: autoscaling.minReplicas (%d) exceeds maxReplicas (%d)." $m.name (int $settings.autoscaling.minReplicas) (int $settings.autoscaling.maxReplicas)) }}
{{- end }}
{{- $storage := $m.storage }}
{{- if and (eq $storage.type "pvc") (not $storage.pvc.claimName) }}
{{- $messages = append $messages (printf "models[%s].storage.pvc.claimName is required with storage.type pvc." $m.name) }}
{{- end }}
{{- if and (eq $storage.type "hostPath") (not $storage.hostPath.path) }}
{{- $messages = append $messages (printf "models[%s].storage.hostPath.path is required with storage.type hostPath." $m.name) }}
{{- end }}
{{- if and (eq $storage.type "image") (not $storage.image.repository) }}
{{- $messages = append $messages (printf "models[%s].storage.image.repository is required with storage.type image." $m.name) }}
{{- end }}
{{- if and (eq $storage.type "url") (not $storage.url.files) }}
{{- $messages = append $messages (printf "models[%s].storage.url.files must list the model's files with storage.type url." $m.name) }}
{{- end }}
{{- $engine := deepCopy (default dict $.Values.pods.engine) }}
{{- $_ := include "quicksilver.overlay" (dict "into" $engine "over" $m.engine) }}
{{- $limits := deepCopy (default dict $.Values.pods.limits) }}
{{- $_ := include "quicksilver.overlay" (dict "into" $limits "over" $m.limits) }}
{{- $choices := int (default 8 $limits.MaxChoices) }}
{{- $queue := int (default 256 $engine.MaxQueuedRequests) }}
{{- if gt $choices $queue }}
{{- $messages = append $messages (printf "models[%s]: limits.MaxChoices (%d) must not exceed engine.MaxQueuedRequests (%d): a request's choices queue together, and the pod refuses to start." $m.name $choices $queue) }}
{{- end }}
{{- end }}
{{- range $external := .Values.gateway.externalModels }}
{{- if hasKey $ids (lower $external.id) }}
{{- $messages = append $messages (printf "gateway.externalModels: %q is also in models." $external.id) }}
{{- end }}
{{- end }}
{{- $pods := .Values.pods }}
{{- if not (kindIs "invalid" $pods.terminationGracePeriodSeconds) }}
{{- if le (int $pods.terminationGracePeriodSeconds) (add (int $pods.preStopSleepSeconds) (int $pods.drainTimeoutSeconds) 5) }}
{{- $messages = append $messages "pods.terminationGracePeriodSeconds must exceed preStopSleepSeconds + drainTimeoutSeconds + 5, or the kubelet kills streams the pod is still draining." }}
{{- end }}
{{- end }}
{{- $gateway := .Values.gateway }}
{{- if not (kindIs "invalid" $gateway.terminationGracePeriodSeconds) }}
{{- if le (int $gateway.terminationGracePeriodSeconds) (add (int $gateway.preStopSleepSeconds) (int $gateway.drainTimeoutSeconds)) }}
{{- $messages = append $messages "gateway.terminationGracePeriodSeconds must exceed preStopSleepSeconds + drainTimeoutSeconds." }}
{{- end }}
{{- end }}
{{- if and .Values.gatewayKey.value (lt (len .Values.gatewayKey.value) 16) }}
{{- $messages = append $messages "gatewayKey.value must be at least 16 characters (the gateway refuses a shorter Gateway:PodKey)." }}
{{- end }}
{{- if and .Values.gatewayKey.previous .Values.gatewayKey.existingSecret }}
{{- $messages = append $messages (printf "gatewayKey.previous is stored in the chart's Secret, which gatewayKey.existingSecret replaces: put the previous key in your Secret under %q instead." .Values.gatewayKey.previousSecretKey) }}
{{- end }}
{{- if and .Values.gatewayKey.previous (not .Values.gatewayKey.existingSecret) (eq .Values.gatewayKey.previous (include "quicksilver.gatewayKey.value" .)) }}
{{- $messages = append $messages "gatewayKey.previous must differ from the gateway key (gatewayKey.value, or the one the cluster's Secret holds): the pods refuse to start with the same key twice." }}
{{- end }}
{{- if and .Values.tenants.existingSecret .Values.tenants.list }}
{{- $messages = append $messages "tenants.list is ignored when tenants.existingSecret is set; keep one of them." }}
{{- end }}
{{- if and .Values.monitoring.serviceMonitor.enabled .Values.networkPolicy.enabled (not .Values.networkPolicy.pods.extraFrom) }}
{{- $messages = append $messages "monitoring.serviceMonitor scrapes the model pods' port, which networkPolicy opens to the gateway only: add your Prometheus to networkPolicy.pods.extraFrom (e.g. [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}], or a podSelector when it runs in this namespace), or set networkPolicy.enabled false." }}
{{- end }}
{{- if and .Values.monitoring.prometheusRule.enabled (not .Values.monitoring.serviceMonitor.enabled) }}
{{- $messages = append $messages "monitoring.prometheusRule's alerts read the series monitoring.serviceMonitor scrapes (up{service=...} among them): without it QuicksilverGatewayDown fires forever. Enable monitoring.serviceMonitor too." }}
{{- end }}
{{- if eq (int .Values.gateway.managementPort) (int .Values.gateway.containerPort) }}
{{- $messages = append $messages "gateway.managementPort must differ from gateway.containerPort: the management port answers /metrics (every tenant's traffic and spend) and health only." }}
{{- end }}
{{- if and .Values.gateway.autoscaling.enabled (gt (int .Values.gateway.autoscaling.minReplicas) (int .Values.gateway.autoscaling.maxReplicas)) }}
{{- $messages = append $messages "gateway.autoscaling.minReplicas exceeds maxReplicas." }}
{{- end }}
{{- $chartLabels := list "app.kubernetes.io/name" "app.kubernetes.io/instance" "app.kubernetes.io/component" "app.kubernetes.io/managed-by" "app.kubernetes.io/part-of" "app.kubernetes.io/version" "helm.sh/chart" "quicksilver/model" }}
{{- range $setting, $labels := dict "commonLabels" .Values.commonLabels "gateway.podLabels" .Values.gateway.podLabels "pods.podLabels" .Values.pods.podLabels }}
{{- range $label := $chartLabels }}
{{- if hasKey (default dict $labels) $label }}
{{- $messages = append $messages (printf "%s must not set %s: the chart sets it (selectors rely on it)." $setting $label) }}
{{- end }}
{{- end }}
{{- end }}
{{- if $messages }}
{{- fail (printf "\n\nVALUES VALIDATION:\n%s" (join "\n" $messages)) }}
{{- end }}
{{- end }}
