package deploycheck

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/oceanops/adplatform/internal/config"
)

var update = flag.Bool("update", false, "rewrite k8s/config/configmap.yaml from config/config.yaml")

const (
	namespace     = "oceanops"
	secretExample = "secret.example.yaml"
	// appUID is the non-root user of the images (USER in the Dockerfiles).
	appUID = 1000
)

// codecs decode strictly: unknown and duplicate fields are errors, as is a
// kind outside the registered API groups.
var codecs = func() serializer.CodecFactory {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme,
		networkingv1.AddToScheme, autoscalingv2.AddToScheme, policyv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict)
}()

// decodeManifests decodes every YAML document of data into a typed object.
func decodeManifests(name string, data []byte) ([]runtime.Object, error) {
	var out []runtime.Object
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, _, err := codecs.UniversalDeserializer().Decode(doc, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i+1, err)
		}
		out = append(out, obj)
	}
	return out, nil
}

func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return out
}

// kustomization is the part of kustomize's Kustomization the kit uses;
// strict decoding rejects anything else, so a new field needs a look here.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Resources  []string `json:"resources"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName"`
		NewTag  string `json:"newTag"`
		Digest  string `json:"digest,omitempty"`
	} `json:"images"`
}

// k8sKit is the k8s/ directory, decoded.
type k8sKit struct {
	// kustomizations by directory relative to k8s/ ("." for the top one).
	kustomizations map[string]kustomization
	// objects by manifest file relative to k8s/.
	objects map[string][]runtime.Object
	// problems found while loading (decoding, file listing).
	problems problems
}

func loadK8s(t testing.TB) *k8sKit {
	t.Helper()
	kit := &k8sKit{kustomizations: map[string]kustomization{}, objects: map[string][]runtime.Object{}}
	err := filepath.WalkDir(path("k8s"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(path("k8s"), p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case d.Name() == "kustomization.yaml":
			var k kustomization
			if err := yaml.UnmarshalStrict(data, &k); err != nil {
				kit.problems.addf("k8s/%s: %v", rel, err)
				return nil
			}
			kit.kustomizations[filepath.Dir(rel)] = k
		case strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml"):
			objs, err := decodeManifests("k8s/"+rel, data)
			if err != nil {
				kit.problems.addf("%v", err)
				return nil
			}
			kit.objects[rel] = objs
		default:
			kit.problems.addf("k8s/%s: not a YAML manifest", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kit
}

// all returns every object of every manifest, in file order.
func (k *k8sKit) all() []runtime.Object {
	var out []runtime.Object
	for _, f := range sortedKeys(k.objects) {
		out = append(out, k.objects[f]...)
	}
	return out
}

// named returns the kit's object of type T called name (nil when none).
func named[T interface {
	runtime.Object
	GetName() string
}](k *k8sKit, name string) T {
	for _, o := range k.all() {
		if v, ok := o.(T); ok && v.GetName() == name {
			return v
		}
	}
	var none T
	return none
}

func (k *k8sKit) deployment(name string) *appsv1.Deployment {
	return named[*appsv1.Deployment](k, name)
}

func (k *k8sKit) configMap(name string) *corev1.ConfigMap { return named[*corev1.ConfigMap](k, name) }

func (k *k8sKit) secret(name string) *corev1.Secret { return named[*corev1.Secret](k, name) }

// workload is a pod template of the kit with what runs in it.
type workload struct {
	where     string
	component component
	spec      *corev1.PodTemplateSpec
}

func (k *k8sKit) workloads() []workload {
	var out []workload
	for _, f := range sortedKeys(k.objects) {
		for _, o := range k.objects[f] {
			switch v := o.(type) {
			case *appsv1.Deployment:
				c := v.Spec.Template.Labels["app.kubernetes.io/component"]
				comp := component{Name: c}
				for _, known := range components {
					if known.Name == c {
						comp = known
					}
				}
				out = append(out, workload{where: "k8s/" + f + " Deployment " + v.Name, component: comp, spec: &v.Spec.Template})
			case *batchv1.Job:
				out = append(out, workload{where: "k8s/" + f + " Job " + v.Name, component: components[0], spec: &v.Spec.Template})
			}
		}
	}
	return out
}

// podEnv is the environment Kubernetes gives the container: envFrom
// ConfigMaps and the Secret (its template's placeholders replaced by valid
// test values), then env.
func (k *k8sKit) podEnv(t testing.TB, where string, c *corev1.Container, p *problems) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm := k.configMap(from.ConfigMapRef.Name)
			if cm == nil {
				p.addf("%s: envFrom ConfigMap %q is not in k8s/", where, from.ConfigMapRef.Name)
				continue
			}
			for key, v := range cm.Data {
				env[key] = v
			}
		case from.SecretRef != nil:
			s := k.secret(from.SecretRef.Name)
			if s == nil {
				p.addf("%s: envFrom Secret %q has no template in k8s/%s", where, from.SecretRef.Name, secretExample)
				continue
			}
			for _, key := range sortedKeys(s.StringData) {
				env[key] = ""
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			env[e.Name] = "1"
			continue
		}
		env[e.Name] = e.Value
	}
	for key, v := range secretTestValues(t, env) {
		if _, set := env[key]; set {
			env[key] = v
		}
	}
	return env
}

// secretTestValues are valid stand-ins for the Secret's keys, so that the
// config can be loaded and validated as the pods will.
func secretTestValues(t testing.TB, env map[string]string) map[string]string {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	active := env["CRYPTO_ACTIVE_KEY"]
	if active == "" {
		active = "test"
	}
	return map[string]string{
		"DB_PASSWORD":    "test-db-password",
		"REDIS_PASSWORD": "",
		"JWT_SECRET":     strings.Repeat("s", 48),
		"OE_APP_ID":      "1000",
		"OE_SECRET":      strings.Repeat("a", 40), // release mode refuses shorter app secrets
		"CRYPTO_KEYS":    active + "=" + base64.StdEncoding.EncodeToString(key),
	}
}

// TestK8sManifestsDecodeStrictly decodes every manifest into the official API
// types, rejecting unknown fields, duplicate fields and unknown kinds, and
// checks that the kustomizations list exactly the manifests (and never the
// secret template).
func TestK8sManifestsDecodeStrictly(t *testing.T) {
	kit := loadK8s(t)
	kit.problems.report(t)
	checkKustomizations(kit).report(t)
	if len(kit.objects) == 0 {
		t.Fatal("no manifests found in k8s/")
	}
}

// checkKustomizations checks each kustomization's resources exist, every
// manifest is listed by one of them (the secret template by none), and that
// namespaces and image names agree.
func checkKustomizations(kit *k8sKit) problems {
	var p problems
	listed := map[string]int{}
	for _, dir := range sortedKeys(kit.kustomizations) {
		k := kit.kustomizations[dir]
		where := filepath.Join("k8s", dir, "kustomization.yaml")
		if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
			p.addf("%s: apiVersion/kind %s/%s, want kustomize.config.k8s.io/v1beta1/Kustomization", where, k.APIVersion, k.Kind)
		}
		if k.Namespace != namespace {
			p.addf("%s: namespace %q, want %q", where, k.Namespace, namespace)
		}
		for _, r := range k.Resources {
			rel := filepath.Join(dir, r)
			if _, isDir := kit.kustomizations[rel]; isDir {
				continue
			}
			if _, ok := kit.objects[rel]; !ok {
				p.addf("%s: resource %s does not exist (or is not a manifest)", where, r)
			}
			listed[rel]++
		}
		for _, img := range k.Images {
			if !strings.HasPrefix(img.NewName, "ghcr.io/") || img.NewTag == "" {
				p.addf("%s: image %s → %s:%s: want a registry name and a tag", where, img.Name, img.NewName, img.NewTag)
			}
		}
	}
	for _, f := range sortedKeys(kit.objects) {
		switch {
		case f == secretExample && listed[f] > 0:
			p.addf("k8s/%s is listed in a kustomization: applying it would overwrite the real Secret with placeholders", f)
		case f != secretExample && listed[f] == 0:
			p.addf("k8s/%s is listed in no kustomization.yaml, so `kubectl apply -k` never applies it", f)
		case listed[f] > 1:
			p.addf("k8s/%s is listed in %d kustomizations", f, listed[f])
		}
	}
	for _, o := range kit.all() {
		m, _ := o.(metav1.Object)
		if _, isNS := o.(*corev1.Namespace); isNS {
			if m.GetName() != namespace {
				p.addf("Namespace %q, want %q", m.GetName(), namespace)
			}
			continue
		}
		if ns := m.GetNamespace(); ns != "" && ns != namespace {
			p.addf("%s %s: namespace %q, want %q", o.GetObjectKind().GroupVersionKind().Kind, m.GetName(), ns, namespace)
		}
	}
	return p
}

// TestK8sMatchesCode checks the manifests against the code and the config.
func TestK8sMatchesCode(t *testing.T) {
	kit := loadK8s(t)
	if len(kit.problems) > 0 {
		t.Fatalf("manifests do not decode: %v", kit.problems)
	}
	checkK8sAgainstCode(t, kit).report(t)
}

// checkK8sAgainstCode is every consistency check between k8s/ and the code.
func checkK8sAgainstCode(t testing.TB, kit *k8sKit) problems {
	t.Helper()
	var p problems
	configYAML := readFile(t, "config", "config.yaml")
	images := kustomizeImages(kit)
	seen := map[string]bool{}
	for _, w := range kit.workloads() {
		checkWorkload(t, kit, w, configYAML, images, &p)
		seen[w.component.Name] = true
	}
	for _, c := range components {
		if !seen[c.Name] {
			p.addf("k8s/: no Deployment with app.kubernetes.io/component=%s (%s)", c.Name, c.Cmd)
		}
	}
	checkConfigMapIsConfigFile(kit, configYAML, &p)
	checkSecretTemplate(kit, &p)
	checkRouting(t, kit, &p)
	return p
}

func kustomizeImages(kit *k8sKit) map[string]string {
	out := map[string]string{}
	for _, k := range kit.kustomizations {
		for _, img := range k.Images {
			out[img.Name] = img.NewName
		}
	}
	return out
}

func checkWorkload(t testing.TB, kit *k8sKit, w workload, configYAML []byte, images map[string]string, p *problems) {
	t.Helper()
	spec := w.spec.Spec
	if len(spec.Containers) != 1 {
		p.addf("%s: %d containers, want 1", w.where, len(spec.Containers))
		return
	}
	c := &spec.Containers[0]
	where := w.where + " container " + c.Name
	isJob := spec.RestartPolicy == corev1.RestartPolicyNever || spec.RestartPolicy == corev1.RestartPolicyOnFailure

	if w.component.Cmd == "" {
		p.addf("%s: component label %q is none of the binaries (%v)", w.where, w.spec.Labels["app.kubernetes.io/component"], components)
		return
	}
	// Image: the component's, renamed by kustomize to the pushed image.
	if c.Image != w.component.Image {
		p.addf("%s: image %q, want %q (built from %s for %s)", where, c.Image, w.component.Image, w.component.Dockerfile, w.component.Cmd)
	}
	if _, ok := images[c.Image]; !ok {
		p.addf("%s: image %q has no images: entry in the kustomizations, so no tag is ever set", where, c.Image)
	}
	if isJob {
		if strings.Join(c.Args, " ") != "migrate up" {
			p.addf("%s: args %q, want [migrate up]", where, c.Args)
		}
		if !stringLiterals(t, w.component.Cmd)["migrate"] || !stringLiterals(t, "internal/app/migrate.go")["up"] {
			p.addf("%s: %s has no `migrate up` command", where, w.component.Cmd)
		}
	}

	// Environment and config: every variable read by the code, the config valid.
	env := kit.podEnv(t, where, c, p)
	cfg, ok := checkProcessEnv(t, where, configYAML, env, p)
	if !ok {
		return
	}
	checkConfigMount(w, c, env, p)

	// Security: the images' non-root user, nothing writable or escalating.
	sc, csc := spec.SecurityContext, c.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != appUID {
		p.addf("%s: pod securityContext must set runAsNonRoot: true and runAsUser: %d (the images' USER)", w.where, appUID)
	}
	if csc == nil || csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem ||
		csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
		p.addf("%s: container securityContext must set readOnlyRootFilesystem: true, allowPrivilegeEscalation: false", where)
	}
	// The namespace enforces the restricted Pod Security Standard.
	if csc == nil || csc.Capabilities == nil || !contains(capabilityNames(csc.Capabilities.Drop), "ALL") {
		p.addf("%s: container securityContext must drop ALL capabilities (restricted Pod Security Standard)", where)
	}
	if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		p.addf("%s: pod securityContext must set seccompProfile RuntimeDefault (restricted Pod Security Standard)", w.where)
	}
	// Service links would inject <SERVICE>_PORT-style variables, and the
	// config reads SECTION_KEY overrides from the environment.
	if spec.EnableServiceLinks == nil || *spec.EnableServiceLinks {
		p.addf("%s: enableServiceLinks must be false (service variables could override config keys)", w.where)
	}
	checkResources(where, c, env, p)
	if isJob {
		return
	}

	// Port, probes, scrape annotations.
	port := w.component.port(cfg)
	served := publicPaths(t, w.component, cfg)
	var httpPort, metricsPort *corev1.ContainerPort
	for i := range c.Ports {
		switch c.Ports[i].Name {
		case "http":
			httpPort = &c.Ports[i]
		case "metrics":
			metricsPort = &c.Ports[i]
		}
	}
	wantMetrics := w.component.metricsPort(cfg)
	if cfg.Metrics.Listen != "" && (metricsPort == nil || int(metricsPort.ContainerPort) != wantMetrics) {
		p.addf("%s: no container port named metrics with containerPort %d (metrics.listen %q)", where, wantMetrics, cfg.Metrics.Listen)
	}
	if cfg.Release() && cfg.Metrics.Listen == "" {
		p.addf("%s: release mode without metrics.listen: nothing would serve /metrics", where)
	}
	if w.component.Name == "api" && len(cfg.Server.TrustedProxies) == 0 {
		p.addf("%s: server.trusted_proxies is empty: behind the ingress every client would have the controller's address (lockout, rate limits, audit); set SERVER_TRUSTED_PROXIES to its range", where)
	}
	if httpPort == nil {
		p.addf("%s: no container port named http", where)
		return
	}
	if int(httpPort.ContainerPort) != port {
		p.addf("%s: containerPort %d, but %s is %d", where, httpPort.ContainerPort, w.component.PortKey, port)
	}
	probes := map[string]*corev1.Probe{"readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe, "startupProbe": c.StartupProbe}
	for _, name := range sortedKeys(probes) {
		pr := probes[name]
		if pr == nil {
			if name != "startupProbe" {
				p.addf("%s: no %s", where, name)
			}
			continue
		}
		if pr.HTTPGet == nil {
			p.addf("%s: %s is not an httpGet probe", where, name)
			continue
		}
		if !served[pr.HTTPGet.Path] {
			p.addf("%s: %s path %q is not served by %s (it serves %s)", where, name, pr.HTTPGet.Path, w.component.Cmd, strings.Join(sortedKeys(served), ", "))
		}
		if !portMatches(pr.HTTPGet.Port, *httpPort) {
			p.addf("%s: %s port %s is not the http port %d", where, name, pr.HTTPGet.Port.String(), httpPort.ContainerPort)
		}
	}
	if c.ReadinessProbe != nil && c.ReadinessProbe.HTTPGet != nil && c.ReadinessProbe.HTTPGet.Path != "/health" {
		p.addf("%s: readinessProbe must be /health (it checks MySQL and Redis)", where)
	}
	// Liveness must not depend on MySQL/Redis: /health answers 503 when they
	// are down, and restarting every pod would not bring them back.
	if c.LivenessProbe != nil && c.LivenessProbe.HTTPGet != nil && c.LivenessProbe.HTTPGet.Path == "/health" {
		p.addf("%s: livenessProbe on /health would restart every pod during a MySQL or Redis outage; use a dependency-free path", where)
	}
	ann := w.spec.Annotations
	if ann["prometheus.io/scrape"] != "true" {
		p.addf("%s: pod annotation prometheus.io/scrape must be \"true\"", w.where)
	}
	if ann["prometheus.io/port"] != strconv.Itoa(wantMetrics) {
		p.addf("%s: pod annotation prometheus.io/port %q, want %q (metrics.listen, else %s)", w.where, ann["prometheus.io/port"], strconv.Itoa(wantMetrics), w.component.PortKey)
	}
	if ann["prometheus.io/path"] != "/metrics" || !metricsPaths(t, w.component, cfg)["/metrics"] {
		p.addf("%s: pod annotation prometheus.io/path %q, want the served /metrics", w.where, ann["prometheus.io/path"])
	}

	// Shutdown: the grace period covers preStop and the process' own drain.
	drain := cfg.Server.ShutdownTimeout.D()
	if w.component.Name == "worker" {
		drain = cfg.Worker.ShutdownTimeout.D() + 5*time.Second // + the HTTP listener's shutdown
	}
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		drain += time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	}
	if spec.TerminationGracePeriodSeconds == nil || time.Duration(*spec.TerminationGracePeriodSeconds)*time.Second <= drain {
		p.addf("%s: terminationGracePeriodSeconds must exceed %s (shutdown timeout + preStop)", w.where, drain)
	}
	checkDeploymentShape(kit, w, p)
}

func capabilityNames(cs []corev1.Capability) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

func portMatches(ref intstr.IntOrString, port corev1.ContainerPort) bool {
	if ref.Type == intstr.String {
		return ref.StrVal == port.Name
	}
	return ref.IntVal == port.ContainerPort
}

// checkConfigMount checks CONFIG_PATH points at the mounted ConfigMap's config.yaml.
func checkConfigMount(w workload, c *corev1.Container, env map[string]string, p *problems) {
	cfgPath := env["CONFIG_PATH"]
	if cfgPath == "" {
		p.addf("%s: CONFIG_PATH is not set", w.where)
		return
	}
	for _, m := range c.VolumeMounts {
		if m.MountPath != filepath.Dir(cfgPath) {
			continue
		}
		for _, v := range w.spec.Spec.Volumes {
			if v.Name != m.Name || v.ConfigMap == nil {
				continue
			}
			if v.ConfigMap.Name != "oceanops-config" {
				p.addf("%s: %s is mounted from ConfigMap %q, want oceanops-config", w.where, m.MountPath, v.ConfigMap.Name)
			}
			for _, item := range v.ConfigMap.Items {
				if item.Key == "config.yaml" && item.Path == filepath.Base(cfgPath) {
					return
				}
			}
			if len(v.ConfigMap.Items) == 0 && filepath.Base(cfgPath) == "config.yaml" {
				return
			}
		}
	}
	p.addf("%s: CONFIG_PATH %s is not the ConfigMap oceanops-config's config.yaml mounted in the container", w.where, cfgPath)
}

// checkResources: requests (the HPA needs cpu), a memory limit, and
// GOMEMLIMIT below it.
func checkResources(where string, c *corev1.Container, env map[string]string, p *problems) {
	req, lim := c.Resources.Requests, c.Resources.Limits
	if req.Cpu().IsZero() || req.Memory().IsZero() {
		p.addf("%s: resources.requests must set cpu and memory", where)
	}
	memLimit := lim.Memory()
	if memLimit.IsZero() {
		p.addf("%s: resources.limits.memory must be set", where)
		return
	}
	if v, ok := env["GOMEMLIMIT"]; ok {
		b, err := parseGoMemLimit(v)
		if err != nil {
			p.addf("%s: GOMEMLIMIT %q: %v", where, v, err)
		} else if b >= memLimit.Value() {
			p.addf("%s: GOMEMLIMIT %s is not below the memory limit %s", where, v, memLimit)
		}
	}
}

var goMemLimit = regexp.MustCompile(`^([0-9]+)(B|KiB|MiB|GiB|TiB)?$`)

// parseGoMemLimit parses the runtime's GOMEMLIMIT syntax.
func parseGoMemLimit(s string) (int64, error) {
	m := goMemLimit.FindStringSubmatch(s)
	if m == nil {
		return 0, errors.New("not a GOMEMLIMIT value (e.g. 460MiB)")
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, err
	}
	shift := map[string]uint{"": 0, "B": 0, "KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40}[m[2]]
	return n << shift, nil
}

// checkDeploymentShape: rolling updates, anti-affinity on its own pods.
func checkDeploymentShape(kit *k8sKit, w workload, p *problems) {
	var d *appsv1.Deployment
	for _, o := range kit.all() {
		if dep, ok := o.(*appsv1.Deployment); ok && &dep.Spec.Template == w.spec {
			d = dep
		}
	}
	if d == nil {
		return
	}
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		p.addf("%s: strategy %q, want RollingUpdate", w.where, d.Spec.Strategy.Type)
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(labelSet(d.Spec.Template.Labels)) {
		p.addf("%s: selector does not match the pod template's labels", w.where)
	}
	aff := d.Spec.Template.Spec.Affinity
	if aff == nil || aff.PodAntiAffinity == nil || len(aff.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution)+len(aff.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) == 0 {
		p.addf("%s: no pod anti-affinity (replicas could share one node)", w.where)
		return
	}
	for _, term := range aff.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
		s, err := metav1.LabelSelectorAsSelector(term.PodAffinityTerm.LabelSelector)
		if err != nil || !s.Matches(labelSet(d.Spec.Template.Labels)) {
			p.addf("%s: anti-affinity selector does not match its own pods", w.where)
		}
	}
}

type labelSet map[string]string

func (l labelSet) Has(k string) bool   { _, ok := l[k]; return ok }
func (l labelSet) Get(k string) string { return l[k] }
func (l labelSet) Lookup(k string) (string, bool) {
	v, ok := l[k]
	return v, ok
}

const configMapHeader = `# GENERATED from config/config.yaml: edit that file, then run
#   (cd deploy/deploycheck && go test -run TestConfigMapMatchesConfigFile -update)
# ` + "`make check`" + ` fails while the two differ.
apiVersion: v1
kind: ConfigMap
metadata:
  name: oceanops-config
  labels:
    app.kubernetes.io/name: oceanops
    app.kubernetes.io/part-of: oceanops
data:
  config.yaml: |
`

// renderConfigMap is k8s/config/configmap.yaml for a config file.
func renderConfigMap(configYAML []byte) []byte {
	var b bytes.Buffer
	b.WriteString(configMapHeader)
	for _, line := range strings.SplitAfter(string(configYAML), "\n") {
		if strings.TrimSpace(line) == "" {
			b.WriteString(strings.TrimLeft(line, " \t"))
			continue
		}
		b.WriteString("    " + line)
	}
	return b.Bytes()
}

// TestConfigMapMatchesConfigFile: the ConfigMap is config/config.yaml, byte
// for byte. -update rewrites it.
func TestConfigMapMatchesConfigFile(t *testing.T) {
	configYAML := readFile(t, "config", "config.yaml")
	if *update {
		if err := os.WriteFile(path("k8s", "config", "configmap.yaml"), renderConfigMap(configYAML), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kit := loadK8s(t)
	var p problems
	checkConfigMapIsConfigFile(kit, configYAML, &p)
	p.report(t)
}

func checkConfigMapIsConfigFile(kit *k8sKit, configYAML []byte, p *problems) {
	cm := kit.configMap("oceanops-config")
	if cm == nil {
		p.addf("k8s/: no ConfigMap oceanops-config")
		return
	}
	if cm.Data["config.yaml"] != string(configYAML) {
		p.addf("k8s/config/configmap.yaml: data config.yaml differs from config/config.yaml; run (cd deploy/deploycheck && go test -run TestConfigMapMatchesConfigFile -update)")
	}
}

// checkSecretTemplate: a template of placeholders only, for the Secret the pods read.
func checkSecretTemplate(kit *k8sKit, p *problems) {
	objs := kit.objects[secretExample]
	if len(objs) != 1 {
		p.addf("k8s/%s: want exactly one Secret", secretExample)
		return
	}
	s, ok := objs[0].(*corev1.Secret)
	if !ok || s.Name != "oceanops-secrets" {
		p.addf("k8s/%s: want the Secret oceanops-secrets", secretExample)
		return
	}
	if len(s.Data) > 0 {
		p.addf("k8s/%s: use stringData placeholders, not data", secretExample)
	}
	for _, k := range sortedKeys(s.StringData) {
		if s.StringData[k] != "REPLACE_ME" {
			p.addf("k8s/%s: %s must be the placeholder REPLACE_ME, never a value", secretExample, k)
		}
	}
}

// checkRouting: Service, Ingress, HPA and PDB point at the API pods and the
// paths the API serves, and /metrics stays private.
func checkRouting(t testing.TB, kit *k8sKit, p *problems) {
	t.Helper()
	api := kit.deployment("oceanops-api")
	if api == nil {
		p.addf("k8s/: no Deployment oceanops-api")
		return
	}
	podLabels := labelSet(api.Spec.Template.Labels)
	httpPorts := map[string]int32{}
	for _, port := range api.Spec.Template.Spec.Containers[0].Ports {
		httpPorts[port.Name] = port.ContainerPort
	}
	served := servedPaths(t, componentNamed(t, "api"))
	services := map[string]*corev1.Service{}
	cfg, _ := config.Parse(path("config", "config.yaml"), func(string) string { return "" })
	for _, o := range kit.all() {
		switch v := o.(type) {
		case *corev1.Service:
			services[v.Name] = v
			sel := metav1.SetAsLabelSelector(v.Spec.Selector)
			if s, err := metav1.LabelSelectorAsSelector(sel); err != nil || len(v.Spec.Selector) == 0 || !s.Matches(podLabels) {
				p.addf("Service %s: selector %v does not select the API pods", v.Name, v.Spec.Selector)
			}
			for _, port := range v.Spec.Ports {
				if port.TargetPort.Type == intstr.String {
					if _, ok := httpPorts[port.TargetPort.StrVal]; !ok {
						p.addf("Service %s: targetPort %q is no port of the API container", v.Name, port.TargetPort.StrVal)
					}
				} else if port.TargetPort.IntVal != httpPorts["http"] {
					p.addf("Service %s: targetPort %d is not the API port %d", v.Name, port.TargetPort.IntVal, httpPorts["http"])
				}
			}
		case *policyv1.PodDisruptionBudget:
			if s, err := metav1.LabelSelectorAsSelector(v.Spec.Selector); err != nil || !s.Matches(podLabels) {
				p.addf("PodDisruptionBudget %s: selector does not select the API pods", v.Name)
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			ref := v.Spec.ScaleTargetRef
			d := kit.deployment(ref.Name)
			if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || d == nil {
				p.addf("HorizontalPodAutoscaler %s: scaleTargetRef %s %s %s is no Deployment of k8s/", v.Name, ref.APIVersion, ref.Kind, ref.Name)
				continue
			}
			if v.Spec.MinReplicas == nil || *v.Spec.MinReplicas < 2 || *v.Spec.MinReplicas > v.Spec.MaxReplicas {
				p.addf("HorizontalPodAutoscaler %s: want 2 ≤ minReplicas ≤ maxReplicas", v.Name)
			}
			for _, m := range v.Spec.Metrics {
				if m.Resource != nil && m.Resource.Name == corev1.ResourceCPU && d.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().IsZero() {
					p.addf("HorizontalPodAutoscaler %s: scales on CPU but %s requests no CPU", v.Name, d.Name)
				}
			}
		}
	}
	for _, o := range kit.all() {
		ing, ok := o.(*networkingv1.Ingress)
		if !ok {
			continue
		}
		if v := ing.Annotations["nginx.ingress.kubernetes.io/proxy-body-size"]; v != "" {
			q, err := resource.ParseQuantity(strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(v, "m"), "M")) + "Mi")
			if err != nil || q.Value() < cfg.Server.MaxBodyBytes {
				p.addf("Ingress %s: proxy-body-size %s is below server.max_body_bytes %d: the proxy would answer 413 before the API", ing.Name, v, cfg.Server.MaxBodyBytes)
			}
		}
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, hp := range rule.HTTP.Paths {
				b := hp.Backend.Service
				if b == nil || services[b.Name] == nil {
					p.addf("Ingress %s: path %s routes to no Service of k8s/", ing.Name, hp.Path)
					continue
				}
				portOK := false
				for _, sp := range services[b.Name].Spec.Ports {
					if sp.Name == b.Port.Name && b.Port.Name != "" || b.Port.Number != 0 && sp.Port == b.Port.Number {
						portOK = true
					}
				}
				if !portOK {
					p.addf("Ingress %s: path %s routes to a port Service %s does not have", ing.Name, hp.Path, b.Name)
				}
				if strings.HasPrefix("/metrics", hp.Path) {
					p.addf("Ingress %s: path %s exposes /metrics publicly", ing.Name, hp.Path)
				}
				if !pathServed(hp, served) {
					p.addf("Ingress %s: path %s (%s) matches no route the API serves", ing.Name, hp.Path, *hp.PathType)
				}
			}
		}
	}
}

func pathServed(hp networkingv1.HTTPIngressPath, served map[string]bool) bool {
	for route := range served {
		if *hp.PathType == networkingv1.PathTypeExact && route == hp.Path {
			return true
		}
		if *hp.PathType != networkingv1.PathTypeExact && (route == hp.Path || strings.HasPrefix(route, strings.TrimSuffix(hp.Path, "/")+"/")) {
			return true
		}
	}
	return false
}

// TestK8sChecksCatchMistakes breaks the real manifests one way at a time and
// shows each check catching it.
func TestK8sChecksCatchMistakes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(kit *k8sKit)
		want   string
	}{
		{"probe on a path the API does not serve", func(kit *k8sKit) {
			kit.deployment("oceanops-api").Spec.Template.Spec.Containers[0].ReadinessProbe.HTTPGet.Path = "/healthz"
		}, `readinessProbe path "/healthz" is not served`},
		{"liveness on /health", func(kit *k8sKit) {
			kit.deployment("oceanops-worker").Spec.Template.Spec.Containers[0].LivenessProbe.HTTPGet.Path = "/health"
		}, "livenessProbe on /health"},
		{"liveness on /metrics, which the public port does not serve in release", func(kit *k8sKit) {
			kit.deployment("oceanops-api").Spec.Template.Spec.Containers[0].LivenessProbe.HTTPGet.Path = "/metrics"
		}, `livenessProbe path "/metrics" is not served`},
		{"scrape annotation on the public port", func(kit *k8sKit) {
			kit.deployment("oceanops-worker").Spec.Template.Annotations["prometheus.io/port"] = "8081"
		}, `prometheus.io/port "8081", want "9091"`},
		{"no metrics container port", func(kit *k8sKit) {
			c := &kit.deployment("oceanops-api").Spec.Template.Spec.Containers[0]
			c.Ports = c.Ports[:1]
		}, "no container port named metrics"},
		{"no trusted proxies", func(kit *k8sKit) {
			delete(kit.configMap("oceanops-env").Data, "SERVER_TRUSTED_PROXIES")
		}, "server.trusted_proxies is empty"},
		{"wrong container port", func(kit *k8sKit) {
			kit.deployment("oceanops-worker").Spec.Template.Spec.Containers[0].Ports[0].ContainerPort = 9090
		}, "containerPort 9090, but worker.port is 8081"},
		{"scrape annotation on the wrong port", func(kit *k8sKit) {
			kit.deployment("oceanops-api").Spec.Template.Annotations["prometheus.io/port"] = "9090"
		}, "prometheus.io/port"},
		{"worker running the API image", func(kit *k8sKit) {
			kit.deployment("oceanops-worker").Spec.Template.Spec.Containers[0].Image = "oceanops/api"
		}, `image "oceanops/api", want "oceanops/worker"`},
		{"unknown environment variable", func(kit *k8sKit) {
			c := &kit.deployment("oceanops-api").Spec.Template.Spec.Containers[0]
			c.Env = append(c.Env, corev1.EnvVar{Name: "DATABSE_HOST", Value: "x"})
		}, "DATABSE_HOST is read by nothing"},
		{"invalid config value", func(kit *k8sKit) {
			kit.configMap("oceanops-env").Data["SERVER_PORT"] = "http"
		}, "server.port"},
		{"config file drifted", func(kit *k8sKit) {
			kit.configMap("oceanops-config").Data["config.yaml"] += "\n# drift\n"
		}, "differs from config/config.yaml"},
		{"real value in the secret template", func(kit *k8sKit) {
			kit.secret("oceanops-secrets").StringData["JWT_SECRET"] = "hunter2hunter2hunter2hunter2hunter2"
		}, "JWT_SECRET must be the placeholder"},
		{"service selecting nothing", func(kit *k8sKit) {
			for _, o := range kit.all() {
				if s, ok := o.(*corev1.Service); ok {
					s.Spec.Selector["app.kubernetes.io/component"] = "web"
				}
			}
		}, "does not select the API pods"},
		{"ingress exposing /metrics", func(kit *k8sKit) {
			for _, o := range kit.all() {
				if ing, ok := o.(*networkingv1.Ingress); ok {
					ing.Spec.Rules[0].HTTP.Paths[0].Path = "/"
				}
			}
		}, "exposes /metrics"},
		{"grace period shorter than the drain", func(kit *k8sKit) {
			s := int64(10)
			kit.deployment("oceanops-api").Spec.Template.Spec.TerminationGracePeriodSeconds = &s
		}, "terminationGracePeriodSeconds must exceed"},
		{"privileged capabilities kept", func(kit *k8sKit) {
			kit.deployment("oceanops-worker").Spec.Template.Spec.Containers[0].SecurityContext.Capabilities = nil
		}, "must drop ALL capabilities"},
		{"GOMEMLIMIT above the limit", func(kit *k8sKit) {
			c := &kit.deployment("oceanops-api").Spec.Template.Spec.Containers[0]
			for i := range c.Env {
				if c.Env[i].Name == "GOMEMLIMIT" {
					c.Env[i].Value = "2GiB"
				}
			}
		}, "GOMEMLIMIT 2GiB is not below"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kit := loadK8s(t)
			tc.mutate(kit)
			checkK8sAgainstCode(t, kit).mustContain(t, tc.want)
		})
	}
}

// TestK8sStrictDecodingRejectsTypos shows the decoder refusing manifests the
// API server would silently accept or reject.
func TestK8sStrictDecodingRejectsTypos(t *testing.T) {
	good := readFile(t, "k8s", "service.yaml")
	for _, tc := range []struct{ name, from, to, want string }{
		{"unknown field", "  selector:", "  selectr:", `unknown field "spec.selectr"`},
		{"duplicate field", "  type: ClusterIP\n", "  type: ClusterIP\n  type: NodePort\n", `"type" already set`},
		{"wrong type", "      port: 80\n", "      port: eighty\n", "port"},
		{"unknown kind", "kind: Service", "kind: Servic", "no kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tc.from, tc.to, 1)
			if bad == string(good) {
				t.Fatalf("fixture edit %q did not apply", tc.from)
			}
			_, err := decodeManifests("service.yaml", []byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	kit := loadK8s(t)
	kit.kustomizations["."] = func() kustomization {
		k := kit.kustomizations["."]
		k.Resources = append(k.Resources, "missing.yaml")
		return k
	}()
	checkKustomizations(kit).mustContain(t, "resource missing.yaml does not exist")
	delete(kit.objects, "hpa.yaml")
	kit.objects["stray.yaml"] = nil
	checkKustomizations(kit).mustContain(t, "k8s/stray.yaml is listed in no kustomization.yaml")
}

// TestKustomizeBuilds renders each kustomization with kustomize's own
// library (what `kubectl kustomize` runs) and decodes the result strictly.
func TestKustomizeBuilds(t *testing.T) {
	kit := loadK8s(t)
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	for _, dir := range sortedKeys(kit.kustomizations) {
		rm, err := k.Run(filesys.MakeFsOnDisk(), path("k8s", dir))
		if err != nil {
			t.Errorf("kustomize k8s/%s: %v", dir, err)
			continue
		}
		out, err := rm.AsYaml()
		if err != nil {
			t.Errorf("kustomize k8s/%s: %v", dir, err)
			continue
		}
		objs, err := decodeManifests("kustomize k8s/"+dir, out)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if len(objs) == 0 {
			t.Errorf("kustomize k8s/%s rendered no objects", dir)
		}
		for _, o := range objs {
			m := o.(metav1.Object)
			if _, isNS := o.(*corev1.Namespace); !isNS && m.GetNamespace() != namespace {
				t.Errorf("kustomize k8s/%s: %s %s in namespace %q, want %q", dir, o.GetObjectKind().GroupVersionKind().Kind, m.GetName(), m.GetNamespace(), namespace)
			}
			var pod *corev1.PodSpec
			switch v := o.(type) {
			case *appsv1.Deployment:
				pod = &v.Spec.Template.Spec
			case *batchv1.Job:
				pod = &v.Spec.Template.Spec
			}
			if pod != nil && !strings.HasPrefix(pod.Containers[0].Image, "ghcr.io/") {
				t.Errorf("kustomize k8s/%s: %s runs image %q, not renamed to the registry", dir, m.GetName(), pod.Containers[0].Image)
			}
		}
	}
}
