module meshlens.dev/istioegress/alert-template

go 1.22
