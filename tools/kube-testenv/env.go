package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/embed"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	basecompatibility "k8s.io/component-base/compatibility"
	logsapi "k8s.io/component-base/logs/api/v1"
	apiserverapp "k8s.io/kubernetes/cmd/kube-apiserver/app"
	apiserveroptions "k8s.io/kubernetes/cmd/kube-apiserver/app/options"
	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	kcmoptions "k8s.io/kubernetes/cmd/kube-controller-manager/app/options"
)

// env is a running etcd + kube-apiserver (+ kube-controller-manager).
type env struct {
	server      string
	kubeconfig  string
	token       string
	viewerToken string
	caFile      string
	failed      chan error

	cancel context.CancelFunc
	etcd   *embed.Etcd
	wg     sync.WaitGroup
}

func tick() <-chan time.Time { return time.After(100 * time.Millisecond) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startEnv(parent context.Context, c config, dir string) (*env, error) {
	ctx, cancel := context.WithCancel(parent)
	e := &env{cancel: cancel, failed: make(chan error, 4)}
	pki := filepath.Join(dir, "pki")
	saKey := filepath.Join(pki, "sa.key")
	tokens := filepath.Join(pki, "tokens.csv")
	e.caFile = filepath.Join(pki, "apiserver.crt")
	e.kubeconfig = filepath.Join(dir, "kubeconfig")

	var err error
	if e.token = c.token; e.token == "" {
		if e.token, err = randomToken(); err != nil {
			return e, err
		}
	}
	if e.viewerToken, err = randomToken(); err != nil {
		return e, err
	}
	if err := writeServiceAccountKey(saKey); err != nil {
		return e, fmt.Errorf("service account key: %w", err)
	}
	if err := writeTokenFile(tokens, e.token, e.viewerToken); err != nil {
		return e, fmt.Errorf("token file: %w", err)
	}
	kpki, err := writeKubeletPKI(pki)
	if err != nil {
		return e, fmt.Errorf("kubelet certificates: %w", err)
	}

	t0 := time.Now()
	etcdURL, err := e.startEtcd(filepath.Join(dir, "etcd"))
	if err != nil {
		return e, fmt.Errorf("etcd: %w", err)
	}
	logf("etcd ready at %s in %s", etcdURL, time.Since(t0).Round(time.Millisecond))

	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)))
	if err != nil {
		return e, fmt.Errorf("listen on 127.0.0.1:%d: %w", c.port, err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	e.server = fmt.Sprintf("https://127.0.0.1:%d", port)

	args := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + pki,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-signing-key-file=" + saKey,
		"--service-account-key-file=" + saKey,
		"--token-auth-file=" + tokens,
		"--authorization-mode=RBAC",
		"--disable-admission-plugins=ServiceAccount",
		"--allow-privileged=true",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		// How the API server reaches the node stand-in's kubelet server (port-forward).
		"--kubelet-client-certificate=" + kpki.clientCert,
		"--kubelet-client-key=" + kpki.clientKey,
		"--kubelet-certificate-authority=" + kpki.caFile,
		"--kubelet-preferred-address-types=InternalIP",
	}
	args = append(args, c.apiserverArgs...)
	if err := e.startAPIServer(ctx, listener, port, args, c.verbosity); err != nil {
		return e, fmt.Errorf("kube-apiserver: %w", err)
	}

	readyCtx, readyCancel := context.WithTimeout(ctx, 120*time.Second)
	defer readyCancel()
	caPEM, err := waitForFile(e.caFile, readyCtx.Done())
	if err != nil {
		return e, err
	}
	if err := e.waitReady(readyCtx, caPEM); err != nil {
		return e, err
	}
	if err := writeKubeconfig(e.kubeconfig, e.server, caPEM, e.token); err != nil {
		return e, fmt.Errorf("kubeconfig: %w", err)
	}
	logf("kube-apiserver ready at %s in %s", e.server, time.Since(t0).Round(time.Millisecond))

	if len(c.controllers) > 0 {
		if err := e.startControllerManager(ctx, c.controllers, saKey); err != nil {
			return e, fmt.Errorf("kube-controller-manager: %w", err)
		}
	}
	if c.node {
		t1 := time.Now()
		if err := e.startScheduler(ctx, dir); err != nil {
			return e, fmt.Errorf("kube-scheduler: %w", err)
		}
		if err := e.startNode(ctx, caPEM, kpki); err != nil {
			return e, fmt.Errorf("node stand-in: %w", err)
		}
		logf("kube-scheduler and node %s started in %s", nodeName, time.Since(t1).Round(time.Millisecond))
	}
	return e, nil
}

func (e *env) startEtcd(dir string) (string, error) {
	clientPort, err := freePort()
	if err != nil {
		return "", err
	}
	peerPort, err := freePort()
	if err != nil {
		return "", err
	}
	cfg := embed.NewConfig()
	cfg.Name = "kube-testenv"
	cfg.Dir = dir
	cfg.UnsafeNoFsync = true
	cfg.LogLevel = "error"
	clientURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	peerURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls = []url.URL{clientURL}
	cfg.AdvertiseClientUrls = []url.URL{clientURL}
	cfg.ListenPeerUrls = []url.URL{peerURL}
	cfg.AdvertisePeerUrls = []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	etcd, err := embed.StartEtcd(cfg)
	if err != nil {
		return "", err
	}
	e.etcd = etcd
	select {
	case <-etcd.Server.ReadyNotify():
	case err := <-etcd.Err():
		return "", err
	case <-time.After(60 * time.Second):
		return "", fmt.Errorf("etcd not ready after 60s: %w", errTimeout)
	}
	go func() {
		if err, ok := <-etcd.Err(); ok && err != nil {
			e.failed <- fmt.Errorf("etcd: %w", err)
		}
	}()
	return clientURL.String(), nil
}

func (e *env) startAPIServer(ctx context.Context, listener net.Listener, port int, args []string, verbosity int) error {
	s := apiserveroptions.NewServerRunOptions()
	fs := pflag.NewFlagSet("kube-apiserver", pflag.ContinueOnError)
	for _, f := range s.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return err
	}
	s.SecureServing.Listener = listener
	s.SecureServing.BindPort = port
	s.Logs.Verbosity = logsapi.VerbosityLevel(verbosity)
	featureGate := s.GenericServerRunOptions.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
	if err := logsapi.ValidateAndApply(s.Logs, featureGate); err != nil {
		return err
	}
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
	completed, err := s.Complete(ctx)
	if err != nil {
		return err
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return utilerrors.NewAggregate(errs)
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := apiserverapp.Run(ctx, completed); err != nil && ctx.Err() == nil {
			e.failed <- fmt.Errorf("kube-apiserver: %w", err)
		}
	}()
	return nil
}

// waitReady polls /readyz with the admin token, then waits for namespace "default".
func (e *env) waitReady(ctx context.Context, caPEM []byte) error {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("no certificate in %s", e.caFile)
	}
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}
	last := ""
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("/readyz never answered 200 (last: %s): %w", last, errTimeout)
		case err := <-e.failed:
			return err
		case <-tick():
		}
	}
	cfg := &rest.Config{
		Host:            e.server,
		BearerToken:     e.token,
		TLSClientConfig: rest.TLSClientConfig{CAData: caPEM},
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	for {
		if _, err := cs.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("namespace default never appeared: %w", errTimeout)
		case <-tick():
		}
	}
}

func (e *env) startControllerManager(ctx context.Context, controllers []string, saKey string) error {
	s, err := kcmoptions.NewKubeControllerManagerOptions()
	if err != nil {
		return err
	}
	// Set fields directly: building the KCM flag sets after the API server's panics in 1.34
	// ("gates already added to a flag set").
	s.Generic.ClientConnection.Kubeconfig = e.kubeconfig
	s.Generic.Controllers = controllers
	s.Generic.LeaderElection.LeaderElect = false
	s.SecureServing.BindPort = 0
	s.SAController.ServiceAccountKeyFile = saKey
	s.SAController.RootCAFile = e.caFile
	s.GarbageCollectorController.EnableGarbageCollector = true
	if err := s.ComponentGlobalsRegistry.Set(); err != nil {
		return err
	}
	cfg, err := s.Config(ctx, kcmapp.KnownControllers(), kcmapp.ControllersDisabledByDefault(), kcmapp.ControllerAliases())
	if err != nil {
		return err
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := kcmapp.Run(ctx, cfg.Complete()); err != nil && ctx.Err() == nil {
			e.failed <- fmt.Errorf("kube-controller-manager: %w", err)
		}
	}()
	return nil
}

// shutdown stops the components in reverse order, waiting at most 20 s for them.
func (e *env) shutdown() {
	e.cancel()
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		logf("components did not stop within 20s; closing etcd anyway")
	}
	if e.etcd != nil {
		e.etcd.Close()
	}
}

// startNode registers testenv-node, starts its kubelet server and the agent that runs its pods.
func (e *env) startNode(ctx context.Context, caPEM []byte, kpki kubeletPKI) error {
	cfg := &rest.Config{
		Host:            e.server,
		BearerToken:     e.token,
		TLSClientConfig: rest.TLSClientConfig{CAData: caPEM},
		QPS:             100,
		Burst:           200,
		UserAgent:       "kube-testenv-node",
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	kubelet, err := newKubeletServer(kpki)
	if err != nil {
		return err
	}
	if err := registerNode(ctx, client, kubelet.port); err != nil {
		return fmt.Errorf("register node: %w", err)
	}
	factory := nodePodsInformerFactory(client)
	agent := newNodeAgent(client, factory)
	factory.Start(ctx.Done())
	e.wg.Add(2)
	go func() {
		defer e.wg.Done()
		factory.WaitForCacheSync(ctx.Done())
		agent.run(ctx, 4)
		factory.Shutdown()
	}()
	go func() {
		defer e.wg.Done()
		if err := kubelet.serve(ctx, agent.pods); err != nil && ctx.Err() == nil {
			e.failed <- fmt.Errorf("kubelet server: %w", err)
		}
	}()
	return nil
}
