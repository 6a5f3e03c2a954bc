package main

// The node stand-in's kubelet server: the kubelet's /portForward API over TLS, served with the
// kubelet's own streaming code (k8s.io/kubelet/pkg/cri/streaming/portforward: SPDY and
// WebSocket). The API server reaches it at the node's InternalIP and kubelet endpoint port, with
// its --kubelet-client-certificate; the server requires that certificate and the API server checks
// ours against --kubelet-certificate-authority.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/component-base/version"
	"k8s.io/kubelet/pkg/cri/streaming/portforward"
)

func kubeVersion() string { return version.Get().GitVersion }

type kubeletServer struct {
	listener net.Listener
	server   *http.Server
	port     int
}

func newKubeletServer(p kubeletPKI) (*kubeletServer, error) {
	cert, err := tls.LoadX509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(p.caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("no certificate in %s", p.caFile)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	tlsConfig := &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
		// Upgrades (SPDY, WebSocket) need HTTP/1.1.
		NextProtos: []string{"http/1.1"},
	}
	return &kubeletServer{
		listener: tls.NewListener(l, tlsConfig),
		port:     l.Addr().(*net.TCPAddr).Port,
	}, nil
}

func (k *kubeletServer) serve(ctx context.Context, pods listersv1.PodLister) error {
	forwarder := &podForwarder{pods: pods}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	handle := func(w http.ResponseWriter, r *http.Request) {
		opts, err := portforward.NewV4Options(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		name := r.PathValue("namespace") + "/" + r.PathValue("pod")
		// The kubelet's defaults: --streaming-connection-idle-timeout 4h, stream creation 30s.
		portforward.ServePortForward(w, r, forwarder, name, types.UID(r.PathValue("uid")), opts,
			4*time.Hour, 30*time.Second, portforward.SupportedProtocols)
	}
	for _, method := range []string{"GET", "POST"} {
		mux.HandleFunc(method+" /portForward/{namespace}/{pod}", handle)
		mux.HandleFunc(method+" /portForward/{namespace}/{pod}/{uid}", handle)
	}
	k.server = &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second, ErrorLog: nil}
	go func() {
		<-ctx.Done()
		_ = k.server.Close()
	}()
	if err := k.server.Serve(k.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// podForwarder connects a forwarded port of a pod to the local address its
// kube-testenv.flux-ts.dev/forward-<port> annotation names.
type podForwarder struct {
	pods listersv1.PodLister
}

func (f *podForwarder) PortForward(ctx context.Context, name string, uid types.UID, port int32, stream io.ReadWriteCloser) error {
	defer stream.Close()
	namespace, podName, _ := strings.Cut(name, "/")
	pod, err := f.pods.Pods(namespace).Get(podName)
	if err != nil {
		return fmt.Errorf("pod %s: %w", name, err)
	}
	if uid != "" && pod.UID != uid {
		return fmt.Errorf("pod %s has UID %s, not %s", name, pod.UID, uid)
	}
	key := forwardAnnotationPrefix + strconv.Itoa(int(port))
	target, ok := pod.Annotations[key]
	if !ok {
		return fmt.Errorf("failed to connect to localhost:%d inside pod %s: the kube-testenv node stand-in runs no container; annotation %s names no address to forward to", port, name, key)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return fmt.Errorf("failed to connect to localhost:%d inside pod %s (%s): %w", port, name, target, err)
	}
	defer conn.Close()

	// Copy both ways; the forward ends when the target closes its side (or the client goes away).
	var once sync.Once
	done := make(chan struct{})
	finish := func() { once.Do(func() { close(done) }) }
	go func() {
		_, _ = io.Copy(conn, stream)
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.CloseWrite()
		} else {
			finish()
		}
	}()
	go func() {
		_, _ = io.Copy(stream, conn)
		finish()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}
