package deploycheck

import (
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// workflow is the part of a GitHub Actions workflow the checks read
// (actionlint, run by make check, validates the whole file).
type workflow struct {
	On map[string]any `json:"on"`
	// YAML 1.1 reads the key on as true.
	OnTrue map[string]any    `json:"true"`
	Env    map[string]string `json:"env"`
	Jobs   map[string]struct {
		Needs    any    `json:"needs"`
		If       string `json:"if"`
		Strategy struct {
			Matrix struct {
				Include []map[string]string `json:"include"`
			} `json:"matrix"`
		} `json:"strategy"`
		Steps []struct {
			Name string            `json:"name"`
			Uses string            `json:"uses"`
			Run  string            `json:"run"`
			With map[string]any    `json:"with"`
			Env  map[string]string `json:"env"`
		} `json:"steps"`
	} `json:"jobs"`
}

func loadWorkflow(t testing.TB, data []byte) workflow {
	t.Helper()
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf(".github/workflows/deploy.yaml: %v", err)
	}
	return w
}

// TestWorkflowMatchesKit checks the pipeline against the kit: it runs the
// tests with the race detector and coverage and make check, builds both
// images from their Dockerfiles under the names the manifests deploy, and
// deploys in the order the manifests need (config, migration job, rollout).
func TestWorkflowMatchesKit(t *testing.T) {
	checkWorkflow(t, loadWorkflow(t, readFile(t, ".github", "workflows", "deploy.yaml")), loadK8s(t)).report(t)
}

var (
	setImage  = regexp.MustCompile(`kustomize edit set image ((?:"?[\w./-]+=\$\{\w+\}:\$\{\w+\}"?\s*)+)`)
	rollout   = regexp.MustCompile(`rollout status deployment/([\w-]+)`)
	jobRef    = regexp.MustCompile(`job/([\w-]+)`)
	applyK    = regexp.MustCompile(`kubectl apply -k (\S+)`)
	kubectlNS = regexp.MustCompile(`kubectl -n (\S+)`)
)

func checkWorkflow(t testing.TB, w workflow, kit *k8sKit) problems {
	t.Helper()
	var p problems
	const where = ".github/workflows/deploy.yaml"
	on := w.On
	if on == nil {
		on = w.OnTrue
	}
	push, _ := on["push"].(map[string]any)
	if push == nil || !strings.Contains(strings.Join(toStrings(push["branches"]), ","), "main") || !strings.Contains(strings.Join(toStrings(push["tags"]), ","), "v*") {
		p.addf("%s: must run on pushes to main and on v* tags", where)
	}

	// Tests: race detector, coverage, make check.
	var runs []string
	for _, s := range w.Jobs["test"].Steps {
		runs = append(runs, s.Run)
	}
	testRuns := strings.Join(runs, "\n")
	for _, want := range []string{"go test -race", "-coverprofile", "make check", "make lint"} {
		if !strings.Contains(testRuns, want) {
			p.addf("%s: job test does not run %q", where, want)
		}
	}

	// Images: each component's Dockerfile, pushed under the name the manifests deploy.
	images := kustomizeImages(kit)
	built := map[string]bool{}
	for _, inc := range w.Jobs["build"].Strategy.Matrix.Include {
		c := componentNamed(t, inc["component"])
		if inc["dockerfile"] != c.Dockerfile || !exists(inc["dockerfile"]) {
			p.addf("%s: build %s uses %q, want %s", where, c.Name, inc["dockerfile"], c.Dockerfile)
		}
		if inc["image"] != images[c.Image] {
			p.addf("%s: build %s pushes %q, but k8s/ deploys %s as %q", where, c.Name, inc["image"], c.Image, images[c.Image])
		}
		envName := strings.ToUpper(c.Name) + "_IMAGE"
		if w.Env[envName] != inc["image"] {
			p.addf("%s: env %s=%q differs from the matrix image %q", where, envName, w.Env[envName], inc["image"])
		}
		built[c.Name] = true
	}
	for _, c := range components {
		if !built[c.Name] {
			p.addf("%s: the build job does not build the %s image", where, c.Name)
		}
	}
	buildSteps := ""
	for _, s := range w.Jobs["build"].Steps {
		buildSteps += s.Uses + "\n"
		if strings.HasPrefix(s.Uses, "docker/build-push-action") {
			args, _ := s.With["build-args"].(string)
			if !strings.Contains(args, "VERSION=") || !strings.Contains(args, "BUILD_TIME=") {
				p.addf("%s: build-push-action does not pass VERSION and BUILD_TIME", where)
			}
		}
	}
	if !strings.Contains(buildSteps, "docker/metadata-action") {
		p.addf("%s: the build job does not tag images with docker/metadata-action", where)
	}

	// Deploy: the kustomizations in order, the objects that exist.
	var deploy []string
	for _, s := range w.Jobs["deploy"].Steps {
		deploy = append(deploy, s.Run)
	}
	script := strings.Join(deploy, "\n")
	var applied []string
	for _, m := range applyK.FindAllStringSubmatch(script, -1) {
		applied = append(applied, m[1])
	}
	if strings.Join(applied, " ") != "k8s/config k8s/jobs k8s" {
		p.addf("%s: deploy applies %v, want k8s/config, k8s/jobs, k8s in that order", where, applied)
	}
	for _, m := range setImage.FindAllStringSubmatch(script, -1) {
		for _, pair := range strings.Fields(m[1]) {
			name := strings.SplitN(strings.Trim(pair, `"`), "=", 2)[0]
			if _, ok := images[name]; !ok {
				p.addf("%s: kustomize edit set image %s: no such image in the kustomizations", where, name)
			}
		}
	}
	for _, m := range rollout.FindAllStringSubmatch(script, -1) {
		if kit.deployment(m[1]) == nil {
			p.addf("%s: rollout status of deployment %s, which k8s/ does not define", where, m[1])
		}
	}
	jobs := map[string]bool{}
	for _, o := range kit.objects["jobs/migrate.yaml"] {
		if j, ok := o.(interface{ GetName() string }); ok {
			jobs[j.GetName()] = true
		}
	}
	for _, m := range jobRef.FindAllStringSubmatch(script, -1) {
		if !jobs[m[1]] {
			p.addf("%s: job/%s is not the migration job of k8s/jobs", where, m[1])
		}
	}
	for _, m := range kubectlNS.FindAllStringSubmatch(script, -1) {
		if m[1] != namespace {
			p.addf("%s: kubectl -n %s, want %s", where, m[1], namespace)
		}
	}
	if !strings.Contains(script, "scripts/health-check.sh") || !exists("scripts", "health-check.sh") {
		p.addf("%s: deploy does not smoke-test with scripts/health-check.sh", where)
	}
	return p
}

func toStrings(v any) []string {
	var out []string
	if list, ok := v.([]any); ok {
		for _, x := range list {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestWorkflowChecksCatchMistakes breaks the workflow one way at a time.
func TestWorkflowChecksCatchMistakes(t *testing.T) {
	good := string(readFile(t, ".github", "workflows", "deploy.yaml"))
	for _, tc := range []struct{ name, from, to, want string }{
		{"worker built from the API Dockerfile", "dockerfile: Dockerfile.worker", "dockerfile: Dockerfile", `build worker uses "Dockerfile"`},
		{"image name the manifests do not deploy", "            image: ghcr.io/oceanops/adplatform/api", "            image: ghcr.io/oceanops/api", "but k8s/ deploys"},
		{"rollout of a deployment that does not exist", "deployment/oceanops-worker", "deployment/oceanops-workers", "oceanops-workers, which k8s/ does not define"},
		{"migration after the rollout", "kubectl apply -k k8s/jobs\n", "", "want k8s/config, k8s/jobs, k8s in that order"},
		{"tests without the race detector", "go test -race", "go test", `does not run "go test -race"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("fixture edit %q did not apply", tc.from)
			}
			checkWorkflow(t, loadWorkflow(t, []byte(bad)), loadK8s(t)).mustContain(t, tc.want)
		})
	}
}
