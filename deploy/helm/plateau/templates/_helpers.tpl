{{/* ---------------------------------------------------------------- names */}}

{{- define "plateau.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-plateau, or the release name alone when it already contains the
chart name. Truncated to 63 characters because some Kubernetes name fields are limited.
*/}}
{{- define "plateau.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "plateau.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the Secret the chart manages (secret key, credential keys, database and broker URLs). */}}
{{- define "plateau.secretName" -}}
{{- include "plateau.fullname" . }}
{{- end }}

{{/* Name of the short-lived Secret the migration hook reads (see job-migrate.yaml). */}}
{{- define "plateau.migrateSecretName" -}}
{{- printf "%s-migrate" (include "plateau.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "plateau.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "plateau.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "plateau.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{/* --------------------------------------------------------------- labels */}}

{{- define "plateau.labels" -}}
helm.sh/chart: {{ include "plateau.chart" . }}
{{ include "plateau.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: plateau
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "plateau.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plateau.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component. Call with (dict "root" $ "component" "web"). */}}
{{- define "plateau.componentLabels" -}}
{{ include "plateau.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "plateau.componentSelectorLabels" -}}
{{ include "plateau.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* ------------------------------------------------------------ validation */}}

{{/*
Stop rendering with a message. `helm install`, `upgrade` and `template` stop at `fail`.
`helm lint` only logs what `fail` says and carries on, so the include of a template that
cannot exist, named after the message, makes lint report the error too.
*/}}
{{- define "plateau.fail" -}}
{{- fail . }}
{{- include (printf "ERROR: %s" .) . }}
{{- end }}

{{/*
Checks the schema cannot express (one of two keys), with messages that name the keys.
Included by every template that needs the settings, so `helm template` and `helm lint`
both stop on them.
*/}}
{{- define "plateau.validate" -}}
{{- if and (not .Values.database.url) (not .Values.database.existingSecret) }}
{{- include "plateau.fail" "database.url or database.existingSecret is required: Plateau needs an external PostgreSQL database (e.g. --set database.url=postgresql://user:password@host:5432/plateau)." }}
{{- end }}
{{- if and .Values.database.url .Values.database.existingSecret }}
{{- include "plateau.fail" "database.url and database.existingSecret are both set: give only one." }}
{{- end }}
{{- if and (not .Values.broker.url) (not .Values.broker.existingSecret) }}
{{- include "plateau.fail" "broker.url or broker.existingSecret is required: Plateau needs an external Redis or RabbitMQ broker (e.g. --set broker.url=redis://host:6379/0)." }}
{{- end }}
{{- if and .Values.broker.url .Values.broker.existingSecret }}
{{- include "plateau.fail" "broker.url and broker.existingSecret are both set: give only one." }}
{{- end }}
{{- if and .Values.secretKey.value .Values.secretKey.existingSecret }}
{{- include "plateau.fail" "secretKey.value and secretKey.existingSecret are both set: give only one." }}
{{- end }}
{{- if and .Values.secretKey.value (lt (len .Values.secretKey.value) 32) }}
{{- include "plateau.fail" "secretKey.value must be at least 32 characters long (PLATEAU_SECRET_KEY)." }}
{{- end }}
{{- if and .Values.credentialKeys.value .Values.credentialKeys.existingSecret }}
{{- include "plateau.fail" "credentialKeys.value and credentialKeys.existingSecret are both set: give only one." }}
{{- end }}
{{- if not (kindIs "slice" .Values.credentialKeys.value) }}
{{- include "plateau.fail" "credentialKeys.value must be a list of Fernet keys, e.g. --set 'credentialKeys.value={NEW_KEY,OLD_KEY}'." }}
{{- end }}
{{- range $component := list "web" "worker" }}
{{- $pdb := (index $.Values $component).pdb }}
{{- if and $pdb.enabled (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "invalid" $pdb.maxUnavailable)) }}
{{- include "plateau.fail" (printf "%s.pdb: set minAvailable or maxUnavailable, not both (set the other to null)." $component) }}
{{- end }}
{{- end }}
{{- if and .Values.web.autoscaling.enabled (gt (int .Values.web.autoscaling.minReplicas) (int .Values.web.autoscaling.maxReplicas)) }}
{{- include "plateau.fail" "web.autoscaling.minReplicas must not be greater than web.autoscaling.maxReplicas." }}
{{- end }}
{{- $dataDir := trimSuffix "/" .Values.config.dataDir }}
{{- $staticRoot := trimSuffix "/" .Values.config.staticRoot }}
{{- if or (eq $staticRoot $dataDir) (hasPrefix (printf "%s/" $dataDir) $staticRoot) }}
{{- include "plateau.fail" (printf "config.staticRoot (%s) must be outside config.dataDir (%s): the data volume mounted there would hide the static files collected into the image." .Values.config.staticRoot .Values.config.dataDir) }}
{{- end }}
{{- range $name, $_ := .Values.config.extra }}
{{- if has $name (list "PLATEAU_SECRET_KEY" "PLATEAU_CREDENTIAL_KEYS" "DATABASE_URL" "CELERY_BROKER_URL") }}
{{- include "plateau.fail" (printf "config.extra.%s: secrets do not belong in the ConfigMap; use secretKey, credentialKeys, database or broker." $name) }}
{{- end }}
{{- end }}
{{- /* The chart always sets PLATEAU_CREDENTIAL_KEYS; Plateau refuses a key file as well. */}}
{{- if hasKey .Values.config.extra "PLATEAU_CREDENTIAL_KEY_FILE" }}
{{- include "plateau.fail" "config.extra.PLATEAU_CREDENTIAL_KEY_FILE: the chart sets PLATEAU_CREDENTIAL_KEYS from credentialKeys, and Plateau refuses both; use credentialKeys.existingSecret." }}
{{- end }}
{{- range .Values.extraEnv }}
{{- if has .name (list "PLATEAU_CREDENTIAL_KEYS" "PLATEAU_CREDENTIAL_KEY_FILE") }}
{{- include "plateau.fail" (printf "extraEnv %s: the chart sets PLATEAU_CREDENTIAL_KEYS from credentialKeys; use credentialKeys.value or credentialKeys.existingSecret." .name) }}
{{- end }}
{{- end }}
{{- end }}

{{/* --------------------------------------------------------------- secrets */}}

{{/*
The Django secret key when the chart owns it: the configured value, else the one already
stored in the release's Secret (upgrades keep it), else a new random one. The result is
memoised in .Values so that every template of one render sees the same key.
*/}}
{{- define "plateau.secretKeyValue" -}}
{{- if .Values.secretKey.value }}
{{- .Values.secretKey.value }}
{{- else }}
{{- if not (hasKey .Values "__generatedSecretKey") }}
{{- $key := "" }}
{{- $live := lookup "v1" "Secret" .Release.Namespace (include "plateau.secretName" .) }}
{{- if and $live $live.data (hasKey $live.data "secret-key") }}
{{- $key = index $live.data "secret-key" | b64dec }}
{{- else }}
{{- $key = randAlphaNum 64 }}
{{- end }}
{{- $_ := set .Values "__generatedSecretKey" $key }}
{{- end }}
{{- index .Values "__generatedSecretKey" }}
{{- end }}
{{- end }}

{{/*
The credential encryption keys when the chart owns them, comma-separated (the format of
PLATEAU_CREDENTIAL_KEYS): the configured list, else the keys already stored in the
release's Secret (upgrades keep them), else one new Fernet key (32 random bytes in
url-safe base64). Memoised in .Values like the secret key, so that the chart's Secret and
the migration hook's copy hold the same key.
*/}}
{{- define "plateau.credentialKeysValue" -}}
{{- if .Values.credentialKeys.value }}
{{- join "," .Values.credentialKeys.value }}
{{- else }}
{{- if not (hasKey .Values "__generatedCredentialKeys") }}
{{- $keys := "" }}
{{- $live := lookup "v1" "Secret" .Release.Namespace (include "plateau.secretName" .) }}
{{- if and $live $live.data (hasKey $live.data "credential-keys") }}
{{- $keys = index $live.data "credential-keys" | b64dec }}
{{- else }}
{{- $keys = randBytes 32 | replace "+" "-" | replace "/" "_" }}
{{- end }}
{{- $_ := set .Values "__generatedCredentialKeys" $keys }}
{{- end }}
{{- index .Values "__generatedCredentialKeys" }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the chart must store at least one value in a Secret. */}}
{{- define "plateau.ownsSecrets" -}}
{{- if or (not .Values.secretKey.existingSecret) (not .Values.credentialKeys.existingSecret) .Values.database.url .Values.broker.url }}true{{ end }}
{{- end }}

{{/*
`data:` of the chart's Secret (and of the migration hook's copy of it).
*/}}
{{- define "plateau.secretData" -}}
{{- if not .Values.secretKey.existingSecret }}
secret-key: {{ include "plateau.secretKeyValue" . | b64enc | quote }}
{{- end }}
{{- if not .Values.credentialKeys.existingSecret }}
credential-keys: {{ include "plateau.credentialKeysValue" . | b64enc | quote }}
{{- end }}
{{- with .Values.database.url }}
database-url: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.broker.url }}
broker-url: {{ . | b64enc | quote }}
{{- end }}
{{- end }}

{{/*
Environment variables read from Secrets, never literals. Call with
(dict "root" $ "secretName" <name of the chart-owned Secret to read>).
*/}}
{{- define "plateau.secretEnv" -}}
{{- $v := .root.Values }}
- name: PLATEAU_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.secretKey.existingSecret | default .secretName }}
      key: {{ ternary $v.secretKey.existingSecretKey "secret-key" (not (empty $v.secretKey.existingSecret)) }}
- name: PLATEAU_CREDENTIAL_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $v.credentialKeys.existingSecret | default .secretName }}
      key: {{ ternary $v.credentialKeys.existingSecretKey "credential-keys" (not (empty $v.credentialKeys.existingSecret)) }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.database.existingSecret | default .secretName }}
      key: {{ ternary $v.database.existingSecretKey "database-url" (not (empty $v.database.existingSecret)) }}
- name: CELERY_BROKER_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.broker.existingSecret | default .secretName }}
      key: {{ ternary $v.broker.existingSecretKey "broker-url" (not (empty $v.broker.existingSecret)) }}
{{- end }}

{{/* ---------------------------------------------------------------- config */}}

{{/* Scheme for an ingress host: https when a TLS entry lists it. */}}
{{- define "plateau.hostScheme" -}}
{{- $scheme := "http" }}
{{- range .root.Values.web.ingress.tls }}
{{- if has $.host (.hosts | default list) }}{{ $scheme = "https" }}{{ end }}
{{- end }}
{{- $scheme }}
{{- end }}

{{/*
"true" when Plateau is reached over TLS (PLATEAU_HTTPS): config.https, or when null,
whether the ingress has TLS. Else "false".
*/}}
{{- define "plateau.https" -}}
{{- $https := .Values.config.https }}
{{- if kindIs "invalid" $https }}
{{- $https = and .Values.web.ingress.enabled (not (empty .Values.web.ingress.tls)) }}
{{- end }}
{{- ternary "true" "false" $https }}
{{- end }}

{{/*
Non-secret settings as a YAML map of environment variables: the ConfigMap's data and
the migration Job's env both come from here.
*/}}
{{- define "plateau.configData" -}}
{{- $v := .Values }}
{{- $fullname := include "plateau.fullname" . }}
{{- $ingressHosts := list }}
{{- if $v.web.ingress.enabled }}
{{- range $v.web.ingress.hosts }}{{ $ingressHosts = append $ingressHosts .host }}{{ end }}
{{- end }}
{{- /* ALLOWED_HOSTS */}}
{{- $allowed := list }}
{{- if $v.config.allowedHosts }}
{{- $allowed = $v.config.allowedHosts }}
{{- else }}
{{- range $ingressHosts }}
{{- $allowed = append $allowed (ternary (trimPrefix "*" .) . (hasPrefix "*." .)) }}
{{- end }}
{{- $allowed = concat $allowed (list $fullname (printf "%s.%s" $fullname .Release.Namespace) (printf "%s.%s.svc" $fullname .Release.Namespace)) }}
{{- end }}
{{- $allowed = append $allowed $v.web.probes.host | uniq }}
{{- /* CSRF_TRUSTED_ORIGINS */}}
{{- $origins := list }}
{{- if $v.config.csrfTrustedOrigins }}
{{- $origins = $v.config.csrfTrustedOrigins }}
{{- else }}
{{- range $ingressHosts }}
{{- $origins = append $origins (printf "%s://%s" (include "plateau.hostScheme" (dict "root" $ "host" .)) .) }}
{{- end }}
{{- end }}
{{- /* SITE_URL */}}
{{- $siteUrl := $v.config.siteUrl }}
{{- if not $siteUrl }}
{{- if $ingressHosts }}
{{- $host := first $ingressHosts }}
{{- $siteUrl = printf "%s://%s" (include "plateau.hostScheme" (dict "root" $ "host" $host)) $host }}
{{- else if eq (int $v.web.service.port) 80 }}
{{- $siteUrl = printf "http://%s.%s.svc" $fullname .Release.Namespace }}
{{- else }}
{{- $siteUrl = printf "http://%s.%s.svc:%d" $fullname .Release.Namespace (int $v.web.service.port) }}
{{- end }}
{{- end }}
PLATEAU_DEBUG: {{ ternary "true" "false" $v.config.debug | quote }}
PLATEAU_LOG_LEVEL: {{ $v.config.logLevel | quote }}
PLATEAU_TIME_ZONE: {{ $v.config.timeZone | quote }}
PLATEAU_ALLOWED_HOSTS: {{ join "," $allowed | quote }}
PLATEAU_CSRF_TRUSTED_ORIGINS: {{ join "," $origins | quote }}
PLATEAU_SITE_URL: {{ $siteUrl | quote }}
PLATEAU_HTTPS: {{ include "plateau.https" . | quote }}
PLATEAU_DATA_DIR: {{ $v.config.dataDir | quote }}
PLATEAU_STATIC_ROOT: {{ $v.config.staticRoot | quote }}
{{- range $name, $value := $v.config.extra }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* ------------------------------------------------------------- pod parts */}}

{{/*
Environment of every Plateau container. Call with
(dict "root" $ "secretName" <chart-owned Secret> "configMap" <bool: envFrom the ConfigMap>).
*/}}
{{- define "plateau.envFrom" -}}
- configMapRef:
    name: {{ include "plateau.fullname" .root }}
{{- with .root.Values.extraEnvFrom }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "plateau.env" -}}
{{ include "plateau.secretEnv" (dict "root" .root "secretName" .secretName) }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volumes of a Plateau pod. Call with (dict "root" $ "persistent" <bool>). */}}
{{- define "plateau.volumes" -}}
- name: data
{{- if and .persistent .root.Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ .root.Values.persistence.existingClaim | default (printf "%s-data" (include "plateau.fullname" .root)) }}
{{- else }}
  emptyDir: {}
{{- end }}
- name: tmp
  emptyDir: {}
{{- with .root.Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "plateau.volumeMounts" -}}
- name: data
  mountPath: {{ .Values.config.dataDir }}
- name: tmp
  mountPath: /tmp
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Pod-level settings shared by every Plateau pod. Call with
(dict "root" $ "component" <values of the component>).
*/}}
{{- define "plateau.podSpecCommon" -}}
{{- $v := .root.Values }}
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
automountServiceAccountToken: {{ $v.serviceAccount.automount }}
{{- with $v.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.component.nodeSelector | default $v.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.component.tolerations | default $v.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.component.affinity | default $v.affinity) }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pod annotations: config checksums (restart on change) plus the user's. */}}
{{- define "plateau.podAnnotations" -}}
checksum/config: {{ include (print .root.Template.BasePath "/configmap.yaml") .root | sha256sum }}
checksum/secret: {{ include (print .root.Template.BasePath "/secret.yaml") .root | sha256sum }}
{{- with .root.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- with .component.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}
