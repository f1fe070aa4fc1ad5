module meshlens.dev/istioegress/kubectl-yaml

go 1.22.0

require (
	k8s.io/apimachinery v0.31.0
	sigs.k8s.io/yaml v1.4.0
)

require sigs.k8s.io/json v0.0.0-20221116044647-bc3834ca7abd // indirect
