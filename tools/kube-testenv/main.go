// Command kube-testenv runs a real kube-apiserver, an embedded etcd and (optionally) the
// kube-controller-manager in one process, bound to 127.0.0.1 on free ports, for integration
// tests. When the API server answers /readyz it writes a kubeconfig and prints one JSON line on
// stdout; everything else goes to stderr. It exits on SIGINT/SIGTERM, or when its stdin (a pipe)
// closes, so a crashed test runner never leaves it behind.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// readyLine is the single JSON line printed on stdout, and written to <dir>/ready.json.
type readyLine struct {
	Ready       bool   `json:"ready"`
	Kubeconfig  string `json:"kubeconfig"`
	Server      string `json:"server"`
	Token       string `json:"token"`
	ViewerToken string `json:"viewerToken"`
	CAFile      string `json:"caFile"`
	Dir         string `json:"dir"`
	PID         int    `json:"pid"`
	StartupMS   int64  `json:"startupMs"`
}

const defaultControllers = "deployment-controller,replicaset-controller,statefulset-controller," +
	"daemonset-controller,job-controller,cronjob-controller,namespace-controller," +
	"serviceaccount-controller,garbage-collector-controller"

type config struct {
	dir            string
	keep           bool
	port           int
	controllers    []string
	token          string
	verbosity      int
	apiserverArgs  []string
	exitOnStdinEOF bool
	node           bool
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func parseFlags() config {
	var c config
	var controllers string
	var extra multiFlag
	flag.StringVar(&c.dir, "dir", "", "state directory (default: a new temporary directory, removed on exit)")
	flag.BoolVar(&c.keep, "keep", false, "keep the state directory on exit")
	flag.IntVar(&c.port, "port", 0, "API server port on 127.0.0.1 (0: a free port)")
	flag.StringVar(&controllers, "controllers", defaultControllers, "kube-controller-manager controllers to run, comma separated (empty: no controller manager)")
	flag.StringVar(&c.token, "token", "", "admin bearer token (default: random)")
	flag.IntVar(&c.verbosity, "v", 0, "log verbosity of the Kubernetes components")
	flag.Var(&extra, "apiserver-arg", "extra kube-apiserver flag, e.g. --apiserver-arg=--audit-log-path=/tmp/a (repeatable)")
	flag.BoolVar(&c.node, "node", true, "run the kube-scheduler and the node stand-in testenv-node (pods run, port-forward works)")
	flag.BoolVar(&c.exitOnStdinEOF, "exit-on-stdin-eof", true, "exit when stdin, if it is a pipe, is closed")
	flag.Parse()
	for _, name := range strings.Split(controllers, ",") {
		if name = strings.TrimSpace(name); name != "" {
			c.controllers = append(c.controllers, name)
		}
	}
	c.apiserverArgs = extra
	return c
}

func main() {
	os.Exit(run(parseFlags()))
}

func run(c config) int {
	start := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if c.exitOnStdinEOF && stdinIsPipe() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			logf("stdin closed: shutting down")
			cancel()
		}()
	}

	dir, cleanup, err := stateDir(c)
	if err != nil {
		logf("state directory: %v", err)
		return 1
	}
	defer cleanup()

	env, err := startEnv(ctx, c, dir)
	if err != nil {
		logf("start: %v", err)
		if env != nil {
			env.shutdown()
		}
		return 1
	}

	ready := readyLine{
		Ready:       true,
		Kubeconfig:  env.kubeconfig,
		Server:      env.server,
		Token:       env.token,
		ViewerToken: env.viewerToken,
		CAFile:      env.caFile,
		Dir:         dir,
		PID:         os.Getpid(),
		StartupMS:   time.Since(start).Milliseconds(),
	}
	line, _ := json.Marshal(ready)
	if err := writeFileAtomic(filepath.Join(dir, "ready.json"), line, 0o600); err != nil {
		logf("write ready.json: %v", err)
	}
	fmt.Println(string(line))
	logf("ready in %s: %s", time.Since(start).Round(time.Millisecond), env.server)

	code := 0
	select {
	case <-ctx.Done():
	case err := <-env.failed:
		logf("a component failed: %v", err)
		code = 1
	}
	env.shutdown()
	return code
}

func stdinIsPipe() bool {
	fi, err := os.Stdin.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeNamedPipe != 0 || fi.Mode()&os.ModeSocket != 0
}

func stateDir(c config) (string, func(), error) {
	dir := c.dir
	created := false
	if dir == "" {
		d, err := os.MkdirTemp("", "kube-testenv-")
		if err != nil {
			return "", nil, err
		}
		dir, created = d, true
	}
	for _, sub := range []string{"", "pki", "etcd"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return "", nil, err
		}
		if err := os.Chmod(filepath.Join(dir, sub), 0o700); err != nil {
			return "", nil, err
		}
	}
	cleanup := func() {
		if c.keep {
			return
		}
		if created {
			_ = os.RemoveAll(dir)
			return
		}
		// A directory we were given: remove only what we wrote.
		for _, sub := range []string{"pki", "etcd", "kubeconfig", "ready.json"} {
			_ = os.RemoveAll(filepath.Join(dir, sub))
		}
	}
	return dir, cleanup, nil
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kube-testenv: "+format+"\n", args...)
}

var errTimeout = errors.New("timed out")
