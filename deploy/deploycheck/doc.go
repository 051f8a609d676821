// Package deploycheck holds the checks of the deployment kit: the Docker
// images, docker-compose.yml, the Kubernetes manifests in k8s/, Prometheus
// (configs, alert rules), Grafana dashboards, the GitHub Actions workflow and
// the operations scripts. It is a module of its own so that the service's
// go.mod does not carry the Kubernetes, Prometheus, Compose and BuildKit
// libraries the checks parse with.
//
// Every check compares a file of the kit with the code it deploys: image
// names, ports, probe and scrape paths, configuration keys and environment
// variables, and every metric and label used by an alert or a dashboard.
// Run them with `make check` (scripts/check-deploy.sh) from the repository
// root, or `go test ./...` here.
package deploycheck
