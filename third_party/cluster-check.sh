#!/usr/bin/env bash
# Report what the cluster path needs and what is missing, one line per check:
#   ok       <what>
#   missing  <what>
#            fix: <command or step>
#   warn     <what>            (not needed now, or could not be checked)
# Exit codes: 0 nothing missing, 1 something missing, 2 nothing could be checked (no
# kubectl, or no cluster reachable). Read-only: it never changes the cluster.
#
# Environment: AUTOTUNER_NAMESPACE (autotuner), AUTOTUNER_SA (inference-autotuner),
# REQUIRE_GPU (1; 0 turns a missing GPU into a warning, for a CPU-only control-plane test).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
. "$here/versions.env"

ns="${AUTOTUNER_NAMESPACE:-autotuner}"
sa="${AUTOTUNER_SA:-inference-autotuner}"
require_gpu="${REQUIRE_GPU:-1}"
minio_ns="argo"
missing=0
warned=0

ok() { printf 'ok       %s\n' "$1"; }
miss() {
  printf 'missing  %s\n         fix: %s\n' "$1" "$2"
  missing=$((missing + 1))
}
warn() {
  printf 'warn     %s\n         fix: %s\n' "$1" "$2"
  warned=$((warned + 1))
}

# kubectl with stderr dropped: a failed lookup is an answer here, not an error.
kc() { kubectl "$@" 2>/dev/null; }
exists() { kc get "$@" -o name >/dev/null; }
field() { kc get "$1" "$2" -n "$3" -o "jsonpath=$4"; }
available() {
  local replicas
  replicas="$(field deployment "$2" "$1" '{.status.availableReplicas}')"
  [[ "$replicas" =~ ^[1-9][0-9]*$ ]]
}

check_crds() { # component fix crd...
  local component="$1" fix="$2" crd absent=()
  shift 2
  for crd in "$@"; do
    exists crd "$crd" || absent+=("$crd")
  done
  if ((${#absent[@]})); then
    miss "$component: CRD ${absent[*]} not installed" "$fix"
  else
    ok "$component: CRDs $*"
  fi
}

check_deployment() { # component namespace name fix
  if available "$2" "$3"; then
    ok "$1: deployment $2/$3 available"
  elif exists deployment "$3" -n "$2"; then
    miss "$1: deployment $2/$3 has no available replica" \
      "kubectl -n $2 describe deployment $3; kubectl -n $2 get pods (image pulls, Pending for CPU/memory)"
  else
    miss "$1: deployment $2/$3 not found" "$4"
  fi
}

# --- can anything be checked at all ----------------------------------------------------
if ! command -v kubectl >/dev/null 2>&1; then
  miss "kubectl: not on PATH" "install kubectl (https://kubernetes.io/docs/tasks/tools/)"
  exit 2
fi
context="$(kc config current-context || true)"
if ! probe="$(kubectl get --raw=/readyz --request-timeout=5s 2>&1)"; then
  miss "cluster: no cluster reachable (context: ${context:-none}): ${probe%%$'\n'*}" \
    "make cluster-up (a kind cluster), or point KUBECONFIG / kubectl config use-context at one"
  exit 2
fi
ok "cluster: reachable (context: ${context:-none})"

up="make cluster-up"

# --- Argo Workflows ----------------------------------------------------------------------
check_crds argo "$up (Argo $ARGO_WORKFLOWS_VERSION install.yaml)" \
  workflows.argoproj.io workflowtemplates.argoproj.io cronworkflows.argoproj.io \
  workflowtaskresults.argoproj.io
check_deployment argo argo workflow-controller "$up (Argo $ARGO_WORKFLOWS_VERSION install.yaml)"
image="$(field deployment workflow-controller argo '{.spec.template.spec.containers[0].image}')"
if [[ -n "$image" && "$image" != *":$ARGO_WORKFLOWS_VERSION" ]]; then
  miss "argo: workflow-controller runs $image, not $ARGO_WORKFLOWS_VERSION (manifests are validated against $ARGO_WORKFLOWS_VERSION's CRDs)" \
    "kubectl apply --server-side -n argo -f https://github.com/argoproj/argo-workflows/releases/download/$ARGO_WORKFLOWS_VERSION/install.yaml"
fi
container="$(field deployment workflow-controller argo '{.spec.template.spec.containers[0]}' | tr '[:upper:]' '[:lower:]')"
if [[ "$ns" != argo && "$container" == *namespaced* ]]; then
  miss "argo: the controller is a namespaced install (the quick-start): it only runs workflows in namespace argo, not $ns" \
    "$up (cluster-wide install.yaml), or AUTOTUNER_NAMESPACE=argo"
fi

# --- cert-manager, KEDA, OME -------------------------------------------------------------
check_crds cert-manager "$up (OME's webhooks need its certificates)" \
  certificates.cert-manager.io issuers.cert-manager.io
for deployment in cert-manager cert-manager-webhook cert-manager-cainjector; do
  check_deployment cert-manager cert-manager "$deployment" "$up (cert-manager $CERT_MANAGER_VERSION)"
done
check_crds keda "$up (KEDA $KEDA_CHART_VERSION: OME's autoscaling objects are KEDA ScaledObjects)" \
  scaledobjects.keda.sh
check_deployment keda keda keda-operator "$up (KEDA $KEDA_CHART_VERSION)"
check_crds ome "$up (helm chart ome-crd $OME_CHART_VERSION)" \
  inferenceservices.ome.io clusterservingruntimes.ome.io clusterbasemodels.ome.io
check_deployment ome ome ome-controller-manager "$up (helm chart ome-resources $OME_CHART_VERSION)"
ready="$(field certificate serving-cert ome '{.status.conditions[?(@.type=="Ready")].status}')"
if [[ "$ready" == True ]]; then
  ok "ome: webhook certificate ome/serving-cert Ready"
else
  miss "ome: webhook certificate ome/serving-cert not Ready: creating InferenceServices fails or times out in OME's webhooks" \
    "kubectl -n cert-manager get pods; kubectl wait --for=condition=Ready certificate/serving-cert -n ome --timeout=5m; then re-run: $up"
fi
if exists crd podmonitors.monitoring.coreos.com; then
  ok "ome: CRD podmonitors.monitoring.coreos.com"
else
  warn "ome: CRD podmonitors.monitoring.coreos.com not installed (OME from v1.3 needs it for Ready)" \
    "$up (Prometheus Operator $PROMETHEUS_OPERATOR_VERSION PodMonitor CRD)"
fi

# --- MinIO and the bucket ----------------------------------------------------------------
check_deployment minio "$minio_ns" minio "$up (MinIO ${MINIO_IMAGE##*:})"
succeeded="$(field job inference-autotuner-bucket "$minio_ns" '{.status.succeeded}')"
if [[ "$succeeded" =~ ^[1-9] ]]; then
  ok "minio: bucket job $minio_ns/inference-autotuner-bucket succeeded"
else
  miss "minio: bucket not created (job $minio_ns/inference-autotuner-bucket has not succeeded)" \
    "kubectl -n $minio_ns logs job/inference-autotuner-bucket; then $up"
fi

# --- the studies' namespace: access, semaphore, artifact repository, S3 credentials ------
manifests="autotune cluster-manifests --namespace $ns --minio | kubectl apply -f -"
if exists namespace "$ns"; then
  ok "namespace: $ns"
  for object in "serviceaccount $sa" "role $sa" "rolebinding $sa" "configmap inference-autotuner-semaphore" "configmap artifact-repositories" "service minio"; do
    read -r kind name <<<"$object"
    if exists "$kind" "$name" -n "$ns"; then
      ok "namespace $ns: $kind/$name"
    else
      miss "namespace $ns: $kind/$name not found" "$manifests"
    fi
  done
  if exists secret inference-autotuner-s3 -n "$ns"; then
    ok "namespace $ns: secret/inference-autotuner-s3"
  else
    miss "namespace $ns: secret/inference-autotuner-s3 (S3 keys accesskey/secretkey) not found" \
      "$up (copies MinIO's credentials into $ns)"
  fi
  # verb, resource, subresource ("pods/log" alone would read as the pod named "log").
  for grant in "create inferenceservices.ome.io" "get clusterservingruntimes.ome.io" \
    "get pods log" "create workflowtaskresults.argoproj.io"; do
    read -r verb resource subresource <<<"$grant"
    answer="$(kc auth can-i "$verb" "$resource" ${subresource:+"--subresource=$subresource"} \
      -n "$ns" --as="system:serviceaccount:$ns:$sa")"
    what="$verb $resource${subresource:+/$subresource}"
    if [[ "$answer" == yes ]]; then
      ok "rbac: $sa may $what"
    else
      miss "rbac: $sa may not $what" "$manifests"
    fi
  done
else
  miss "namespace: $ns not found" "$manifests"
fi

# --- GPUs -----------------------------------------------------------------------------------
gpus=0
for count in $(kc get nodes -o 'jsonpath={.items[*].status.allocatable.nvidia\.com/gpu}'); do
  [[ "$count" =~ ^[0-9]+$ ]] && gpus=$((gpus + count))
done
if ((gpus > 0)); then
  ok "gpu: $gpus nvidia.com/gpu allocatable"
else
  what="gpu: no node advertises nvidia.com/gpu (SGLang engines stay Pending)"
  fix="install the NVIDIA driver + container toolkit on the nodes, then NVIDIA_DEVICE_PLUGIN=1 $up (device plugin $NVIDIA_DEVICE_PLUGIN_VERSION); Minikube's docker driver hides GPUs: use --driver=none or --gpus=all (docs/cluster.md)"
  if [[ "$require_gpu" == 0 ]]; then warn "$what" "$fix"; else miss "$what" "$fix"; fi
fi

echo
if ((missing)); then
  echo "cluster-check: $missing missing, $warned warnings. Run the fixes above, or $up."
  exit 1
fi
echo "cluster-check: everything in place ($warned warnings)."
