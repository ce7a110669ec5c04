{{/* A role's resource name: <release>-<role>. */}}
{{- define "ferrochat.name" -}}
{{- printf "%s-%s" .root.Release.Name .role | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select a role's pods. */}}
{{- define "ferrochat.selector" -}}
app.kubernetes.io/name: ferrochat
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "ferrochat.labels" -}}
{{ include "ferrochat.selector" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}
