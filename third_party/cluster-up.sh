#!/usr/bin/env bash
# Bring up everything the cluster path needs, at the versions in versions.env:
#   cluster (kind or k3d, or the current context) -> cert-manager -> KEDA -> OME CRDs and
#   controller -> Argo Workflows (cluster-wide) -> MinIO, S3 credentials, namespace, RBAC,
#   semaphore, artifact repository, bucket -> the steps image, loaded into kind/k3d.
# Idempotent: run it again after a failure, it skips or upgrades what is there.
# `make cluster-check` then reports what is still missing.
#
# Environment:
#   CLUSTER=kind|k3d|existing (kind)   CLUSTER_NAME (inference-autotuner)
#   AUTOTUNER_NAMESPACE (autotuner)    GPU_TRIALS (1: semaphore limit)
#   NVIDIA_DEVICE_PLUGIN=1             also install NVIDIA's device plugin (GPU nodes)
#   OME_VALUES=FILE                    values for the ome-resources chart
#   EXAMPLE_MODEL=HF_ID                also apply an example ClusterBaseModel + runtime
#   SKIP_IMAGE=1                       do not build/load the steps image
#   AUTOTUNE=PATH                      the autotune CLI (autotune on PATH)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
# shellcheck source-path=SCRIPTDIR source=versions.env
. "$here/versions.env"

cluster="${CLUSTER:-kind}"
name="${CLUSTER_NAME:-inference-autotuner}"
ns="${AUTOTUNER_NAMESPACE:-autotuner}"
autotune="${AUTOTUNE:-autotune}"
minio_ns=argo
s3_secret=inference-autotuner-s3

step() { printf '\n== %s\n' "$*"; }
die() {
  echo "cluster-up: $*" >&2
  exit 1
}
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed on PATH (see docs/cluster.md)"
  done
}
namespace() { kubectl create namespace "$1" --dry-run=client -o yaml | kubectl apply -f - >/dev/null; }

need kubectl helm "$autotune"
case "$cluster" in
  kind) need kind docker ;;
  k3d) need k3d docker ;;
  existing) ;;
  *) die "CLUSTER=$cluster: use kind, k3d or existing" ;;
esac

step "cluster ($cluster)"
case "$cluster" in
  kind)
    if kind get clusters 2>/dev/null | grep -qx "$name"; then
      echo "kind cluster $name exists"
    else
      kind create cluster --name "$name" --image "$KIND_NODE_IMAGE" --wait 120s
    fi
    kubectl config use-context "kind-$name"
    ;;
  k3d)
    if k3d cluster list "$name" >/dev/null 2>&1; then
      echo "k3d cluster $name exists"
    else
      # k3s ships Traefik; nothing here needs an ingress.
      k3d cluster create "$name" --image "$K3S_IMAGE" --k3s-arg "--disable=traefik@server:*" --wait
    fi
    kubectl config use-context "k3d-$name"
    ;;
  existing) echo "using context $(kubectl config current-context)" ;;
esac
kubectl get --raw=/readyz --request-timeout=10s >/dev/null || die "the cluster does not answer"

step "cert-manager $CERT_MANAGER_VERSION"
helm upgrade --install cert-manager oci://quay.io/jetstack/charts/cert-manager \
  --version "$CERT_MANAGER_VERSION" --namespace cert-manager --create-namespace \
  --set crds.enabled=true --wait --timeout 10m
kubectl wait --for=condition=Available deployment --all -n cert-manager --timeout=5m

step "KEDA $KEDA_CHART_VERSION"
helm repo add kedacore https://kedacore.github.io/charts --force-update >/dev/null
helm upgrade --install keda kedacore/keda --version "$KEDA_CHART_VERSION" \
  --namespace keda --create-namespace --wait --timeout 10m

step "PodMonitor CRD (Prometheus Operator $PROMETHEUS_OPERATOR_VERSION)"
kubectl apply --server-side -f "https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/$PROMETHEUS_OPERATOR_VERSION/example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml"

step "OME $OME_CHART_VERSION"
# Both charts in namespace `ome`: elsewhere OME's webhooks never get their CA bundle.
helm upgrade --install ome-crd oci://ghcr.io/moirai-internal/charts/ome-crd \
  --version "$OME_CHART_VERSION" --namespace ome --create-namespace
ome_args=(--version "$OME_CHART_VERSION" --namespace ome)
[[ -n "${OME_VALUES:-}" ]] && ome_args+=(-f "$OME_VALUES")
# Helm 4 applies server-side by default, and then conflicts with the CA bundle that
# cert-manager writes into OME's webhook configurations.
[[ "$(helm version --template '{{.Version}}')" == v4* ]] && ome_args+=(--server-side=false)
# The first install can fail while the webhook certificate is not issued yet: wait for
# it and the controller, then install again.
for attempt in 1 2 3; do
  if helm upgrade --install ome oci://ghcr.io/moirai-internal/charts/ome-resources "${ome_args[@]}"; then
    break
  fi
  ((attempt < 3)) || die "ome-resources did not install (see docs/cluster.md, 'webhook')"
  echo "ome-resources: attempt $attempt failed; waiting for the webhook certificate"
  kubectl wait --for=condition=Ready certificate/serving-cert -n ome --timeout=5m || true
  kubectl rollout status deployment/ome-controller-manager -n ome --timeout=5m || true
done
kubectl wait --for=condition=Ready certificate/serving-cert -n ome --timeout=5m
kubectl wait --for=condition=Available deployment/ome-controller-manager -n ome --timeout=10m

if [[ "${NVIDIA_DEVICE_PLUGIN:-0}" == 1 ]]; then
  step "NVIDIA device plugin $NVIDIA_DEVICE_PLUGIN_VERSION"
  helm repo add nvdp https://nvidia.github.io/k8s-device-plugin --force-update >/dev/null
  helm upgrade --install nvdp nvdp/nvidia-device-plugin --version "$NVIDIA_DEVICE_PLUGIN_VERSION" \
    --namespace nvidia-device-plugin --create-namespace --wait --timeout 5m
fi

step "Argo Workflows $ARGO_WORKFLOWS_VERSION (cluster-wide)"
# install.yaml, not the quick-start: the quick-start's controller only runs workflows in
# its own namespace. Server-side apply: v4's full CRDs exceed client-side apply's limit.
namespace argo
kubectl apply --server-side -n argo \
  -f "https://github.com/argoproj/argo-workflows/releases/download/$ARGO_WORKFLOWS_VERSION/install.yaml"
# A development cluster: the UI and hera's client without a token, as in the quick-start.
kubectl -n argo patch deployment argo-server --type=json \
  -p '[{"op":"replace","path":"/spec/template/spec/containers/0/args","value":["server","--auth-mode=server"]}]'
kubectl -n argo rollout status deployment/workflow-controller --timeout=5m
kubectl -n argo rollout status deployment/argo-server --timeout=5m

step "namespace $ns: RBAC, semaphore, artifact repository, MinIO"
manifests="$(mktemp)"
keys="$(mktemp -d)"
trap 'rm -rf "$manifests" "$keys"' EXIT
example=()
[[ -n "${EXAMPLE_MODEL:-}" ]] && example=(--example-model "$EXAMPLE_MODEL")
"$autotune" cluster-manifests --namespace "$ns" --gpu-trials "${GPU_TRIALS:-1}" --minio \
  ${example[@]+"${example[@]}"} >"$manifests"
namespace "$ns"
# The S3 keys: kept if they exist (MinIO's data was written with them), else generated.
# Written to files, not passed as arguments, so they never show in the process list.
if kubectl -n "$minio_ns" get secret "$s3_secret" >/dev/null 2>&1; then
  for key in accesskey secretkey; do
    kubectl -n "$minio_ns" get secret "$s3_secret" -o "jsonpath={.data.$key}" | base64 --decode >"$keys/$key"
  done
else
  printf 'autotuner' >"$keys/accesskey"
  (umask 077 && head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40 >"$keys/secretkey")
fi
for target in "$minio_ns" "$ns"; do
  kubectl -n "$target" create secret generic "$s3_secret" \
    --from-file=accesskey="$keys/accesskey" --from-file=secretkey="$keys/secretkey" \
    --dry-run=client -o yaml | kubectl apply -f -
done
# A Job's pod template is immutable: replace the bucket job rather than patch it.
kubectl -n "$minio_ns" delete job inference-autotuner-bucket --ignore-not-found
kubectl apply -f "$manifests"
kubectl -n "$minio_ns" rollout status deployment/minio --timeout=5m
kubectl -n "$minio_ns" wait --for=condition=complete job/inference-autotuner-bucket --timeout=5m

if [[ "${SKIP_IMAGE:-0}" != 1 && "$cluster" != existing ]]; then
  step "steps image $STEPS_IMAGE"
  docker build -f "$repo/images/steps/Dockerfile" -t "$STEPS_IMAGE" "$repo"
  case "$cluster" in
    kind) kind load docker-image "$STEPS_IMAGE" --name "$name" ;;
    k3d) k3d image import "$STEPS_IMAGE" --cluster "$name" ;;
  esac
fi

step "done"
echo "Check with: make cluster-check   (AUTOTUNER_NAMESPACE=$ns)"
echo "Argo UI:    kubectl -n argo port-forward deployment/argo-server 2746:2746  -> https://localhost:2746"
